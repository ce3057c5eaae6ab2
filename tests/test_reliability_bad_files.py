"""Files that are engagements but not whole, and input that is not what it claims: a sentence, never a guess."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.errors import DamagedFileError
from app.services import engagement
from app.storage.database import connect
from app.storage.engagement_file import open_engagement
from tests.conftest import type2_details
from tests.reliability_helpers import PASSPHRASE, cli, passphrase_file


def make(path: Path, passphrase: str | None = PASSPHRASE) -> Path:
    db, _ = engagement.create_engagement(path, type2_details(), passphrase=passphrase)
    db.close()
    return path


@pytest.mark.parametrize("passphrase", [PASSPHRASE, None], ids=["encrypted", "plain"])
def test_a_copy_taken_while_a_change_was_half_written_is_refused_with_how_to_recover(
    tmp_path: Path, passphrase: str | None
) -> None:
    path = make(tmp_path / "acme.fieldwork", passphrase)
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
