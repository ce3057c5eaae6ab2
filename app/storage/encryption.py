"""Re-keying an engagement and writing a plain copy, both through `sqlcipher_export`.

Re-keying never edits the file in place: the whole database is exported under the new
key to a temporary file beside it, checked, flushed to disk and renamed over the
original. At any instant the path holds either the old file (old passphrase) or the
new one (new passphrase), never a mix.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from fieldwork.app.errors import EngagementFileError
from fieldwork.app.storage.database import APPLICATION_ID, PAGE_SIZE, Passphrase, connect, quote_passphrase
from fieldwork.app.storage.fileformat import Encryption, raise_if_known, sniff
from fieldwork.app.storage.files import fsync_file, fsync_folder
from fieldwork.app.storage.leftovers import temporary_name


def export_database(source: Path, source_key: Passphrase, target: Path, target_key: Passphrase) -> None:
    """Write every table of `source` into a new file `target` under `target_key` (None: plain).

    `target` may already exist empty (made owner-only by the caller); SQLite keeps its permissions.
    """
    if target.exists() and target.stat().st_size:
        raise EngagementFileError(target, "already exists; choose another name.")
    conn = connect(source, source_key)
    try:
        literal = quote_passphrase(target_key or "")
        conn.execute(f"ATTACH DATABASE ? AS target KEY {literal}", (str(target),))
        if target_key:
            conn.execute(f"PRAGMA target.cipher_page_size = {PAGE_SIZE}")
        conn.execute(f"PRAGMA target.page_size = {PAGE_SIZE}")
        conn.execute("SELECT sqlcipher_export('target')")
        conn.execute(f"PRAGMA target.application_id = {APPLICATION_ID}")
        conn.execute("DETACH DATABASE target")
    except Exception as exc:
        conn.close()
        target.unlink(missing_ok=True)
        raise_if_known(source, exc)
        raise
    conn.close()
    fsync_file(target)


def check_opens(path: Path, passphrase: Passphrase) -> None:
    """Prove a freshly written file decrypts and is sound before it replaces anything."""
    conn = connect(path, passphrase, read_only=True)
    try:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()
    if result != "ok":
        raise EngagementFileError(path, f"failed its check after writing ({result}); nothing was replaced.")


@contextlib.contextmanager
def no_other_writer(path: Path, key: Passphrase) -> Iterator[None]:
    """Hold SQLite's RESERVED lock on `path` for the block: readers go on, any other writer waits and then fails.

    Fieldwork's own writers are already kept out by the writer lock; this also stops a program that ignores it
    from committing into a file that is about to be replaced.
    """
    guard = connect(path, key)
    try:
        guard.execute("BEGIN IMMEDIATE")
    except Exception as exc:
        guard.close()
        raise_if_known(path, exc)
        raise
    try:
        yield
    finally:
        guard.execute("ROLLBACK")
        guard.close()


def rekey(
    path: Path,
    old: Passphrase,
    new: Passphrase,
    before_replace: Callable[[Path], None] = lambda temporary: None,
) -> None:
    """Replace the file with a copy under a new passphrase, atomically.

    The caller holds the file's writer lock; no other writer can commit from the copy to the rename.
    `before_replace` runs on the finished temporary file (to record the change in its history and
    remember the new passphrase) just before the rename.
    """
    if sniff(path) is not Encryption.ENCRYPTED and old is not None:
        raise EngagementFileError(path, "is not encrypted.")
    temporary = temporary_name(path, "rekey")
    temporary.unlink(missing_ok=True)
    try:
        with no_other_writer(path, old):
            export_database(path, old, temporary, new)
            check_opens(temporary, new)
            before_replace(temporary)
            fsync_file(temporary)
            os.replace(temporary, path)
            fsync_folder(path.parent)
    finally:
        temporary.unlink(missing_ok=True)
