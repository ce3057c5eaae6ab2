"""Engagement files are encrypted at rest; the secret lives in the keychain or the user's head."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import keyring.backends.fail  # noqa: F401  (the backend a test switches to)
import pytest

from fieldwork.app.cli.main import main
from fieldwork.app.demo import create_demo, load_demo_content
from fieldwork.app.errors import PassphraseRequired, ValidationError, WrongPassphrase
from fieldwork.app.keychain import SERVICE, file_account, recall
from fieldwork.app.services import controls, engagement
from fieldwork.app.services.history import list_history
from fieldwork.app.services.security import change_passphrase, export_unencrypted_copy
from fieldwork.app.services.verify import verify
from fieldwork.app.storage import encryption
from fieldwork.app.storage.engagement_file import open_engagement
from tests.conftest import PASSPHRASE, MemoryKeyring, type2_details

TRICKY = 'l\'été "naïf" 東京 — spaces and quotes'


@pytest.fixture(scope="module")
def encrypted_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("enc") / "demo.fieldwork"
    create_demo(path, PASSPHRASE).close()
    return path


def known_strings() -> list[bytes]:
    data = load_demo_content()
    strings = [data["engagement"]["client"], data["engagement"]["system"], data["controls"][0]["title"]]
    strings += [
        data["team"][0]["name"],
        "CC6.1",
        "Statement",
        "fieldwork-engagement",
        "CREATE TABLE",
        "SQLite format 3",
    ]
    return [s.encode("utf-8") for s in strings]


def test_nothing_in_an_encrypted_file_is_readable(encrypted_demo: Path) -> None:
    raw = encrypted_demo.read_bytes()
    for needle in known_strings():
        assert needle not in raw, needle
        assert needle.decode().encode("utf-16-le") not in raw


def test_the_plain_sqlite_tool_refuses_an_encrypted_file(encrypted_demo: Path) -> None:
    conn = sqlite3.connect(encrypted_demo)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        conn.execute("SELECT name FROM sqlite_master").fetchall()
    conn.close()


def test_a_plain_demo_does_show_its_strings(tmp_path: Path) -> None:
    """The control for the test above: the same search finds the strings in a plain file."""
    path = tmp_path / "plain.fieldwork"
    create_demo(path).close()
    raw = path.read_bytes()
    assert known_strings()[0] in raw


def test_without_a_passphrase_the_file_says_it_is_encrypted(encrypted_demo: Path) -> None:
    with pytest.raises(PassphraseRequired, match=r"demo\.fieldwork is encrypted"):
        open_engagement(encrypted_demo)


def test_a_wrong_passphrase_is_a_clear_error_and_leaves_the_file_untouched(encrypted_demo: Path) -> None:
    before = encrypted_demo.read_bytes()
    with pytest.raises(WrongPassphrase, match="passphrase is wrong"):
        open_engagement(encrypted_demo, "not the passphrase")
    assert encrypted_demo.read_bytes() == before
    db = open_engagement(encrypted_demo, PASSPHRASE)  # and the user may try again
    assert engagement.get_details(db).client == load_demo_content()["engagement"]["client"]
    db.close()


def test_passphrases_with_quotes_spaces_and_non_ascii_work(tmp_path: Path) -> None:
    path = tmp_path / "tricky.fieldwork"
    db, _ = engagement.create_engagement(path, type2_details(), passphrase=TRICKY)
    db.close()
    db = open_engagement(path, TRICKY)
    assert db.encrypted
    db.close()
    with pytest.raises(WrongPassphrase):
        open_engagement(path, TRICKY.replace("'", ""))


def test_a_weak_new_passphrase_is_refused() -> None:
    from fieldwork.app.passphrase import check_new_passphrase, strength

    with pytest.raises(ValidationError, match="Too short"):
        check_new_passphrase("short")
    assert strength("four random words together").score == 4
    assert strength("Abcdefgh12").score < strength("correct horse battery staple").score


def cli(args: list[str]) -> int:
    return main(args)


def test_cli_opens_by_environment_by_passphrase_file_and_by_keychain(
    encrypted_demo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    memory_keyring: MemoryKeyring,
) -> None:
    monkeypatch.setenv("FIELDWORK_PASSPHRASE", PASSPHRASE)
    assert cli(["info", str(encrypted_demo)]) == 0
    monkeypatch.delenv("FIELDWORK_PASSPHRASE")

    secret = tmp_path / "secret.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    assert cli(["info", str(encrypted_demo), "--passphrase-file", str(secret)]) == 0

    assert cli(["info", str(encrypted_demo)]) == 1
    assert "no passphrase was given" in capsys.readouterr().err

    memory_keyring.set_password(SERVICE, file_account(encrypted_demo), PASSPHRASE)
    assert cli(["info", str(encrypted_demo)]) == 0
    assert load_demo_content()["engagement"]["client"] in capsys.readouterr().out


def test_cli_wrong_passphrase_exits_non_zero_without_a_traceback(
    encrypted_demo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FIELDWORK_PASSPHRASE", "wrong wrong wrong")
    assert cli(["info", str(encrypted_demo)]) != 0
    err = capsys.readouterr().err
    assert "passphrase is wrong" in err and "Traceback" not in err


def test_new_files_remember_their_passphrase_in_the_keychain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    path = tmp_path / "kept.fieldwork"
    monkeypatch.setenv("FIELDWORK_PASSPHRASE", PASSPHRASE)
    assert cli(["new", str(path), "--client", "A", "--system", "B", "--type1", "2026-06-30"]) == 0
    assert recall(path) == PASSPHRASE
    assert memory_keyring.secrets, "stored in the test keychain, never the machine's"


def test_without_a_keychain_the_command_says_so_and_asks(
    encrypted_demo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import keyring

    keyring.set_keyring(keyring.backends.fail.Keyring())
    monkeypatch.setattr("fieldwork.app.cli.unlock._interactive", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PASSPHRASE)
    assert cli(["info", str(encrypted_demo)]) == 0
    err = capsys.readouterr().err
    assert err.count("keychain is not available") == 1


def test_no_keychain_never_falls_back_to_a_plain_file(tmp_path: Path, private_home: Path) -> None:
    import keyring

    keyring.set_keyring(keyring.backends.fail.Keyring())
    path = tmp_path / "x.fieldwork"
    os.environ["FIELDWORK_PASSPHRASE"] = PASSPHRASE
    try:
        assert cli(["new", str(path), "--client", "A", "--system", "B", "--type1", "2026-06-30"]) == 0
    finally:
        del os.environ["FIELDWORK_PASSPHRASE"]
    for written in private_home.rglob("*"):
        if written.is_file():
            assert PASSPHRASE.encode() not in written.read_bytes()


def test_changing_the_passphrase_keeps_the_work_and_records_it(tmp_path: Path) -> None:
    path = tmp_path / "rekey.fieldwork"
    db, _ = engagement.create_engagement(path, type2_details(), passphrase=PASSPHRASE)
    made = controls.create_control(db, controls.ControlInput("Access review"), ["CC6.1"])
    db, warning = change_passphrase(db, TRICKY, remember_it=True)
    assert warning is None
    assert controls.get_control(db, made.ref).title == "Access review"
    assert list_history(db, limit=1)[0].action == "change_passphrase"
    db.close()
    with pytest.raises(WrongPassphrase):
        open_engagement(path, PASSPHRASE)
    assert recall(path) == TRICKY
    open_engagement(path, TRICKY).close()


@pytest.mark.parametrize("fail_at", ["check_opens", "replace"])
def test_a_crash_midway_through_rekeying_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: str
) -> None:
    path = tmp_path / "crash.fieldwork"
    db, _ = engagement.create_engagement(path, type2_details(), passphrase=PASSPHRASE)

    def power_cut(*args: object) -> None:
        raise OSError("power cut")

    if fail_at == "replace":
        monkeypatch.setattr(encryption.os, "replace", power_cut)
    else:
        monkeypatch.setattr(encryption, fail_at, power_cut)
    with pytest.raises(OSError, match="power cut"):
        change_passphrase(db, TRICKY, remember_it=False)
    monkeypatch.undo()
    left = [p.name for p in tmp_path.iterdir() if not p.name.endswith((".lock", ".holder"))]
    assert left == ["crash.fieldwork"]
    reopened = open_engagement(path, PASSPHRASE)
    assert engagement.get_details(reopened).client == "Acme Analytics"
    reopened.close()


def test_an_unencrypted_copy_is_plain_and_recorded_in_the_history(tmp_path: Path) -> None:
    path = tmp_path / "secret.fieldwork"
    db, _ = engagement.create_engagement(path, type2_details(), passphrase=PASSPHRASE)
    copy = tmp_path / "archive-copy.fieldwork"
    export_unencrypted_copy(db, copy)
    assert copy.read_bytes().startswith(b"SQLite format 3\x00")
    plain = open_engagement(copy)
    assert not plain.encrypted and engagement.get_details(plain).client == "Acme Analytics"
    plain.close()
    last = list_history(db, limit=1)[0]
    assert last.action == "export_unencrypted_copy" and last.new_values == {"target": str(copy)}
    db.close()


def test_verify_runs_sqlcipher_integrity_check_and_catches_tampering(tmp_path: Path) -> None:
    path = tmp_path / "tamper.fieldwork"
    db, _ = engagement.create_engagement(path, type2_details(), passphrase=PASSPHRASE)
    findings = {f.check: f for f in verify(db)}
    assert findings["encryption"].ok and "SQLCipher" in findings["encryption"].detail
    db.close()
    data = bytearray(path.read_bytes())
    data[65536 * 3 + 500] ^= 0xFF  # a byte inside the fourth page
    path.write_bytes(bytes(data))
    db = open_engagement(path, PASSPHRASE)
    findings = {f.check: f for f in verify(db)}
    assert not findings["encryption"].ok
    db.close()
