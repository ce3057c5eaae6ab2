"""Passphrases: judged by a real estimator, and every one of them goes through SQLCipher's key derivation."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldwork.app.errors import ValidationError, WrongPassphrase
from fieldwork.app.passphrase import check_new_passphrase, strength
from fieldwork.app.services import engagement
from fieldwork.app.storage import database
from fieldwork.app.storage.engagement_file import open_engagement
from tests.conftest import type2_details

HEX = "2DD29CA851E7B56E4697B0E1F08507293D761A05CE4D1B628663F411A8086D99"
RAW_FORM = f"x'{HEX}'"


@pytest.mark.parametrize("weak", ["a" * 24, "abcdefghijklmnop", "password12345", "qwertyuiopasdf"])
def test_long_but_guessable_passphrases_are_refused(weak: str) -> None:
    assert strength(weak).score < 2
    with pytest.raises(ValidationError, match="Too easy to guess"):
        check_new_passphrase(weak)


def test_a_passphrase_with_a_line_break_is_refused() -> None:
    with pytest.raises(ValidationError, match="one line of text"):
        check_new_passphrase("correct horse\nbattery staple")


def opens_with_pragma(path: Path, key_literal: str) -> bool:
    conn = database.sqlcipher.connect(str(path))
    try:
        conn.execute(f"PRAGMA key = {key_literal}")
        conn.execute(f"PRAGMA cipher_page_size = {database.PAGE_SIZE}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except database.sqlcipher.DatabaseError:
        return False
    finally:
        conn.close()


def test_a_passphrase_shaped_like_a_raw_key_still_goes_through_key_derivation(tmp_path: Path) -> None:
    path = tmp_path / "acme.fieldwork"
    check_new_passphrase(RAW_FORM)
    db, _ = engagement.create_engagement(path, type2_details(), passphrase=RAW_FORM)
    db.close()
    assert not opens_with_pragma(path, f"\"x'{HEX}'\""), "the hex digits are not the file's key"
    with open_engagement(path, RAW_FORM) as reopened:
        assert engagement.get_details(reopened).client == "Acme Analytics"
    with pytest.raises(WrongPassphrase):
        open_engagement(path, f"x'{'0' * 64}'")


def test_a_file_an_earlier_build_keyed_raw_still_opens_and_can_be_rekeyed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fieldwork.app.services.security import change_passphrase

    path = tmp_path / "old.fieldwork"
    with monkeypatch.context() as earlier:
        earlier.setattr(database, "key_material", lambda passphrase: passphrase)  # as builds before this one did
        db, _ = engagement.create_engagement(path, type2_details(), passphrase=RAW_FORM)
        db.close()
    assert opens_with_pragma(path, f"\"x'{HEX}'\"")
    db = open_engagement(path, RAW_FORM)
    assert engagement.get_details(db).client == "Acme Analytics"
    db, _warning = change_passphrase(db, "four unrelated words here", remember_it=False)
    db.close()
    with open_engagement(path, "four unrelated words here") as rekeyed:
        assert engagement.get_details(rekeyed).client == "Acme Analytics"
