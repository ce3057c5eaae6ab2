"""A backup of an open engagement: a consistent copy, encrypted exactly as the original.

The copy is the file's own bytes, taken while a read transaction holds SQLite's SHARED lock: no
writer can put a page into the file meanwhile (writing needs an EXCLUSIVE lock), so the bytes are
one committed state, even while the app or a command is working on the file. Being the same bytes,
it opens with the same passphrase, and the keychain (named after the file's salt) knows it.
It is written under a temporary name, checked, and renamed into place.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import EngagementFileError
from fieldwork.app.storage.database import connect
from fieldwork.app.storage.encryption import check_opens
from fieldwork.app.storage.fileformat import raise_if_known
from fieldwork.app.storage.files import fsync_file
from fieldwork.app.storage.leftovers import new_private_file


def backup_target(db: Engagement, destination: Path) -> Path:
    """`destination` itself, or inside an existing folder a name that says what and when."""
    destination = Path(destination)
    if destination.is_dir():
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H%M%S")
        return destination / f"{db.path.stem} backup {stamp}{db.path.suffix}"
    return destination


def back_up(db: Engagement, destination: Path) -> Path:
    """Write a consistent copy of the open file to `destination` (a new file, or a folder); returns it."""
    target = backup_target(db, destination)
    if target.absolute() == db.path.absolute():
        raise EngagementFileError(target, "is the engagement itself; choose another place for the backup.")
    db.raise_if_gone()
    with new_private_file(target, "backup") as temporary:
        _copy_committed_bytes(db, temporary)
        check_opens(temporary, db.passphrase)
    return target


def _copy_committed_bytes(db: Engagement, temporary: Path) -> None:
    reader = connect(db.path, db.passphrase)  # read-write, so a crashed writer's journal is rolled back first
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()  # takes the SHARED lock
        with db.path.open("rb") as source, temporary.open("r+b") as copy:
            shutil.copyfileobj(source, copy, 1 << 20)
        fsync_file(temporary)
        reader.execute("COMMIT")
    except Exception as exc:
        raise_if_known(db.path, exc, db.encryption)
        raise
    finally:
        reader.close()
