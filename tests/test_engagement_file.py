"""Opening files: our own, and every kind of file that is not one, each with a clear sentence."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from fieldwork.app.errors import EngagementFileError, FileLockedError, NewerVersionError, NotAnEngagementError
from fieldwork.app.services.engagement import create_engagement, get_details
from fieldwork.app.storage import database
from fieldwork.app.storage.database import APPLICATION_ID
from fieldwork.app.storage.engagement_file import open_engagement
from tests.conftest import type2_details


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_engagement(path: Path) -> Path:
    db, _ = create_engagement(path, type2_details())
    db.close()
    return path


def test_new_file_identifies_itself_and_uses_a_rollback_journal(tmp_path: Path) -> None:
    path = make_engagement(tmp_path / "a.fieldwork")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT value FROM fieldwork_meta WHERE key = 'format'").fetchone()[0] == (
            "fieldwork-engagement"
        )
    assert not list(tmp_path.glob("*-wal")) and not list(tmp_path.glob(".*creating*"))


def test_reopen_finds_what_was_written(tmp_path: Path) -> None:
    path = make_engagement(tmp_path / "a.fieldwork")
    db = open_engagement(path)
    assert get_details(db).client == "Acme Analytics"
    assert db.backup is None
    db.close()


def test_creating_over_an_existing_file_is_refused(tmp_path: Path) -> None:
    path = make_engagement(tmp_path / "a.fieldwork")
    before = digest(path)
    with pytest.raises(EngagementFileError, match=r"a\.fieldwork already exists"):
        make_engagement(path)
    assert digest(path) == before


def write_foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
        conn.execute("INSERT INTO invoices VALUES (1, 99.5)")
    conn.close()


BAD_FILES = {
    "foreign.db": (write_foreign_sqlite, "is a SQLite database, but not a Fieldwork engagement"),
    "notes.fieldwork": (lambda p: p.write_text("meeting notes\n" * 40), "neither a SQLite database nor an encrypted"),
    "empty.fieldwork": (lambda p: p.write_bytes(b""), r"is empty \(0 bytes\)"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_foreign_files_get_one_sentence_and_stay_untouched(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    write, message = BAD_FILES[name]
    write(path)
    before = digest(path)
    with pytest.raises(NotAnEngagementError, match=message) as caught:
        open_engagement(path)
    assert str(caught.value).startswith(name)
    assert str(caught.value).count(".") <= 2 and "\n" not in str(caught.value)
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [name]


def test_a_truncated_file_is_named_truncated(tmp_path: Path) -> None:
    path = make_engagement(tmp_path / "cut.fieldwork")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    before = digest(path)
    with pytest.raises(NotAnEngagementError, match=r"cut\.fieldwork is truncated"):
        open_engagement(path)
    assert digest(path) == before


def test_a_missing_file_and_a_folder_are_named(tmp_path: Path) -> None:
    with pytest.raises(EngagementFileError, match=r"gone\.fieldwork does not exist"):
        open_engagement(tmp_path / "gone.fieldwork")
    (tmp_path / "folder.fieldwork").mkdir()
    with pytest.raises(NotAnEngagementError, match="is a folder"):
        open_engagement(tmp_path / "folder.fieldwork")


def test_a_file_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = make_engagement(tmp_path / "future.fieldwork")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.close()
    before = digest(path)
    with pytest.raises(NewerVersionError, match="created by a newer version of Fieldwork"):
        open_engagement(path)
    assert digest(path) == before
    assert not list(tmp_path.glob("*.backup-*"))


def test_a_locked_file_says_it_is_in_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)
    path = make_engagement(tmp_path / "busy.fieldwork")
    holder = database.connect(path, None)  # the same SQLite build, so its locks are seen in-process
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(FileLockedError, match="in use by another program"):
            open_engagement(path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    open_engagement(path).close()


CRASH_MIDWAY = """
import os, sys
from fieldwork.app.storage.database import connect, configure
conn = connect(__import__("pathlib").Path(sys.argv[1]), sys.argv[2] or None)
configure(conn)
conn.execute("PRAGMA cache_size = 1")  # spill changed pages into the file before the commit
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE engagement SET client = 'half-written'")
conn.execute("CREATE TABLE scratch AS SELECT * FROM requirement")
os._exit(9)  # the power goes out before COMMIT
"""


@pytest.mark.parametrize("passphrase", [None, "correct horse battery staple"], ids=["plain", "encrypted"])
def test_a_change_interrupted_by_a_crash_is_rolled_back_at_open(tmp_path: Path, passphrase: str | None) -> None:
    import subprocess
    import sys

    path = tmp_path / "crash.fieldwork"
    db, _ = create_engagement(path, type2_details(), passphrase=passphrase)
    db.close()
    done = subprocess.run([sys.executable, "-c", CRASH_MIDWAY, str(path), passphrase or ""], capture_output=True)
    assert done.returncode == 9
    assert (tmp_path / "crash.fieldwork-journal").exists(), "the crash left a hot journal"
    db = open_engagement(path, passphrase)
    assert get_details(db).client == "Acme Analytics"
    db.close()
