"""Files that are engagements but not whole, and input that is not what it claims: a sentence, never a guess."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from fieldwork.app.errors import DamagedFileError, FileChangedUnderneath
from fieldwork.app.services import engagement
from fieldwork.app.services.history import list_history
from fieldwork.app.storage.database import connect
from fieldwork.app.storage.engagement_file import open_engagement
from tests.conftest import type2_details
from tests.reliability_helpers import PASSPHRASE, cli, engagement_with_a_test, new_engagement, passphrase_file


@pytest.mark.parametrize("passphrase", [PASSPHRASE, None], ids=["encrypted", "plain"])
def test_a_copy_taken_while_a_change_was_half_written_is_refused_with_how_to_recover(
    tmp_path: Path, passphrase: str | None
) -> None:
    path = new_engagement(tmp_path / "acme.fieldwork", passphrase)
    copy = tmp_path / "copy" / "acme.fieldwork"
    copy.parent.mkdir()
    writer = connect(path, passphrase)
    writer.execute("PRAGMA cache_size = 4")  # a large change spills pages into the file before it commits
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("CREATE TABLE scratch (data BLOB)")
    writer.executemany("INSERT INTO scratch VALUES (randomblob(60000))", [()] * 120)
    shutil.copyfile(path, copy)  # the file alone, without its journal
    writer.execute("ROLLBACK")
    writer.close()

    with pytest.raises(DamagedFileError, match="was copied or saved while a change was still being written"):
        open_engagement(copy, passphrase)
    key = ["--passphrase-file", str(passphrase_file(tmp_path))] if passphrase else []
    shown = cli("info", copy, *key)
    assert shown.returncode == 1 and "-journal' file beside it" in shown.stderr
    with open_engagement(path, passphrase, read_only=True) as original:
        assert engagement.get_details(original).client == "Acme Analytics"


def tamper(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.executescript(sql)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("sql", "said"),
    [
        ("UPDATE alembic_version SET version_num = '0003'", "could not be upgraded: its contents do not match"),
        ("DROP TABLE alembic_version", "could not be upgraded: its contents do not match"),
        ("DROP TABLE soa_line", "is damaged: it lacks the table soa_line; restore a backup."),
        ("DROP TABLE history", "is damaged: it lacks the table history; restore a backup."),
        ("DELETE FROM engagement", "is damaged: it lacks the engagement's details; restore a backup."),
    ],
    ids=["older-revision", "no-revision", "no-soa", "no-history", "no-engagement"],
)
def test_a_tampered_file_gets_a_sentence_and_is_left_as_it_was(tmp_path: Path, sql: str, said: str) -> None:
    path = new_engagement(tmp_path / "acme.fieldwork", passphrase=None)
    tamper(path, sql)
    before = path.read_bytes()
    for verb in (["info"], ["evidence", "add"]):
        shown = cli(*verb, path, *([path] if verb[0] == "evidence" else []))
        assert shown.returncode == 1, shown.stderr
        assert said in shown.stderr
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.backup-*")), "a failed upgrade keeps no copy of a file it left as it was"


def test_text_that_is_not_utf8_on_the_command_line_is_refused(tmp_path: Path) -> None:
    odd = os.fsdecode(b"Client \xff")
    made = cli(
        "new", tmp_path / "a.fieldwork", "--client", odd, "--system", "S", "--type1", "2026-01-01", "--unencrypted"
    )
    assert made.returncode == 2 and "not valid UTF-8 text; nothing was changed" in made.stderr
    path = new_engagement(tmp_path / "acme.fieldwork", passphrase=None)
    copied = cli("export-plain", path, tmp_path / os.fsdecode(b"copy \xfe.fieldwork"))
    assert copied.returncode == 2 and "not valid UTF-8 text" in copied.stderr
    with open_engagement(path) as db:
        assert "export_unencrypted_copy" not in {entry.action for entry in list_history(db)}


def special_files(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00\x81 not text")
    return {"fifo": fifo, "zero": Path("/dev/zero"), "binary": binary}


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("fifo", "is not a file but a pipe, a device or a folder"),
        ("zero", "is not a file but a pipe, a device or a folder"),
        ("binary", "is not UTF-8 text"),
    ],
)
def test_a_passphrase_file_that_is_not_a_small_text_file_is_refused(tmp_path: Path, given: str, said: str) -> None:
    source = special_files(tmp_path)[given]
    made = cli(
        "new", tmp_path / "a.fieldwork", "--client", "C", "--system", "S", "--type1", "2026-01-01",
        "--passphrase-file", source, timeout=30,
    )  # fmt: skip
    assert made.returncode == 2 and said in made.stderr
    assert not (tmp_path / "a.fieldwork").exists()


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--population", "{fifo}"], "pipe.csv was refused: it is not a file but a pipe, a device or a folder."),
        (["--population", "{csv}", "--encoding", "utf-32"], "was refused: it is not utf-32 text"),
    ],
    ids=["fifo", "utf-32"],
)
def test_a_population_file_that_cannot_be_read_as_said_is_refused(
    tmp_path: Path, options: list[str], said: str
) -> None:
    path, (test_id, *_key) = engagement_with_a_test(tmp_path, encrypted=False)
    csv_file = tmp_path / "changes.csv"
    csv_file.write_text("Ticket,Date\nCHG-1,2026-02-01\n", encoding="utf-8")
    files = {"fifo": str(special_files(tmp_path)["fifo"]), "csv": str(csv_file)}
    sampled = cli("sample", path, "--test", test_id, *(o.format(**files) for o in options), timeout=30)
    assert sampled.returncode == 2 and said in sampled.stderr


@pytest.mark.parametrize(
    ("happening", "said"),
    [
        ("deleted", "was moved or deleted while it was open, so the last change was not saved"),
        ("moved", "was moved or deleted while it was open, so the last change was not saved"),
        ("replaced", "was replaced by another file while it was open, so the last change was not saved"),
    ],
)
def test_a_file_taken_away_while_open_is_said_as_it_happened(tmp_path: Path, happening: str, said: str) -> None:
    path = new_engagement(tmp_path / "acme.fieldwork", passphrase=None)
    other = new_engagement(tmp_path / "other.fieldwork", passphrase=None)
    db = open_engagement(path)
    engagement.update_details(db, type2_details(client="Before"))
    if happening == "deleted":
        path.unlink()
    elif happening == "moved":
        path.rename(tmp_path / "elsewhere.fieldwork")
    else:
        os.replace(other, path)
    with pytest.raises(FileChangedUnderneath, match=said):
        engagement.update_details(db, type2_details(client="After"))
    with pytest.raises(FileChangedUnderneath, match=said):
        engagement.get_details(db)
    db.close()
    assert path.exists() == (happening == "replaced"), "no empty file is made where the engagement was"


@pytest.mark.parametrize("scale", ["0", "201", "100000000"])
def test_demo_scale_is_bounded(tmp_path: Path, scale: str) -> None:
    made = cli("demo", tmp_path / "big.fieldwork", "--unencrypted", "--scale", scale)
    assert made.returncode == 2
    assert "--scale takes a whole number from 1 to 200." in made.stderr
    assert not list(tmp_path.iterdir())


def test_verify_says_what_a_plain_file_cannot_show_and_catches_a_value_that_is_not_its_kind(tmp_path: Path) -> None:
    path = new_engagement(tmp_path / "acme.fieldwork", passphrase=None)
    shown = cli("verify", path)
    assert shown.returncode == 0
    assert "its pages carry no checksums: a changed byte inside a record's text can go unnoticed" in shown.stdout
    tamper(path, "UPDATE engagement SET period_end = '2026-13-45'")  # a damaged date, still valid SQLite text
    damaged = cli("verify", path)
    assert damaged.returncode == 1
    assert "FAIL records: Records that cannot be read as what they hold: engagement (ValueError)." in damaged.stdout


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE engagement SET period_end = '2026-13-45'",
        "UPDATE engagement SET tsc_categories = '[not json'",
        # the file refuses such an update itself: damage on disk gets past its triggers
        "DROP TRIGGER history_no_update; UPDATE history SET new_values = 'not json'",
    ],
    ids=["date", "list", "history"],
)
def test_a_value_damaged_on_disk_is_a_sentence_in_info_and_both_exports(tmp_path: Path, sql: str) -> None:
    path = new_engagement(tmp_path / "acme.fieldwork", passphrase=None)
    tamper(path, sql)
    said = "is damaged: a stored value cannot be read as what it should be"
    for verb in (
        ["info"],
        ["export", path, "--pdf", tmp_path / "r.pdf"],
        ["export", path, "--xlsx", tmp_path / "w.xlsx"],
    ):
        shown = cli(verb[0], path, *verb[2:])
        if verb == ["info"] and "history" in sql:
            assert shown.returncode == 0  # info shows no history
            continue
        assert shown.returncode == 1 and said in shown.stderr, shown.stderr
    assert not (tmp_path / "r.pdf").exists() and not (tmp_path / "w.xlsx").exists()
