"""Open and create engagement files; every read or write is one short transaction.

The engine lives as long as the file is open; a `Connection` lives for one user
action. Callers never see a session outside `reading()` / `writing()`.
"""

from __future__ import annotations

import contextlib
import os
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

from fieldwork.app.engagement import OPENED_READ_ONLY
from fieldwork.app.errors import (
    DamagedFileError,
    EngagementFileError,
    FileChangedUnderneath,
    NeedsUpgrade,
    NotAnEngagementError,
    ReadOnlyError,
    WrongPassphrase,
)
from fieldwork.app.storage import migrations
from fieldwork.app.storage.database import APPLICATION_ID, RAW_KEY_FORM, LegacyRawKey, Passphrase, make_engine
from fieldwork.app.storage.fileformat import Encryption, Probe, probe, raise_if_known, sniff
from fieldwork.app.storage.files import fsync_file, fsync_folder
from fieldwork.app.storage.leftovers import sweep, temporary_name
from fieldwork.app.storage.writer_lock import Holder, MediumReadOnly, WriterLock


@dataclass
class EngagementFile:
    """An open engagement file: its path, whether it is encrypted, and its engine.

    `lock` is the right to change the file (None: opened read-only, or a file being built);
    `read_only` says why changes are refused when they are.
    """

    path: Path
    encryption: Encryption
    engine: Engine
    passphrase: Passphrase
    backup: Path | None = None
    lock: WriterLock | None = None
    read_only: str | None = None
    took_over: Holder | None = None
    identity: tuple[int, int] | None = None
    #: The addendum open on a finalized engagement (its reference), under which changes are allowed.
    addendum: str | None = None

    @property
    def encrypted(self) -> bool:
        return self.encryption is Encryption.ENCRYPTED

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read transaction (a consistent snapshot for one screen or export)."""
        self.raise_if_gone()
        with self._translated(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back on any error."""
        if self.read_only is not None:
            raise ReadOnlyError(f"{self.path.name} is open read-only ({self.read_only}); nothing was changed.")
        self.raise_if_gone()
        with (
            self._translated(),
            self.engine.connect().execution_options(fieldwork_write=True) as conn,
            conn.begin(),
        ):
            yield conn

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            self.raise_if_gone(exc)
            raise_if_known(self.path, exc, self.encryption)
            if _unreadable_value(exc):
                raise DamagedFileError(
                    self.path,
                    "is damaged: a stored value cannot be read as what it should be (a date, a list); "
                    "run fieldwork verify to see where, or restore a backup.",
                ) from exc
            raise

    def raise_if_gone(self, cause: BaseException | None = None) -> None:
        """Say so when the file at our path is no longer the one we opened (deleted, moved, replaced)."""
        if self.identity is None:
            return
        try:
            now = identity_of(self.path)
        except FileNotFoundError:
            raise FileChangedUnderneath(
                self.path,
                "was moved or deleted while it was open, so the last change was not saved; "
                "find the file (or restore a backup) and open it again.",
            ) from cause
        if now != self.identity:
            raise FileChangedUnderneath(
                self.path,
                "was replaced by another file while it was open, so the last change was not saved; "
                "open it again to see what it now holds.",
            ) from cause

    def close(self) -> None:
        self.engine.dispose()
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def __enter__(self) -> EngagementFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _unreadable_value(exc: BaseException) -> bool:
    """A ValueError raised while SQLAlchemy turned a stored value into its type: the file's data, not our code.

    Not text that cannot be encoded on its way in (a name in another system's bytes): that is the input's fault.
    """
    if not isinstance(exc, ValueError) or isinstance(exc, UnicodeEncodeError):
        return False
    return any("sqlalchemy" in Path(frame.filename).parts for frame in traceback.extract_tb(exc.__traceback__))


def identity_of(path: Path) -> tuple[int, int]:
    found = path.stat()
    return found.st_dev, found.st_ino


def take_writer_lock(path: Path) -> tuple[WriterLock | None, Holder | None, str | None]:
    """The lock for changing `path`, whom it was taken over from, or why the file can only be read."""
    lock = WriterLock(path)
    try:
        previous = lock.acquire()
    except MediumReadOnly:
        return None, None, "the disk or folder is read-only"
    if path.exists() and not os.access(path, os.W_OK):
        lock.release()
        return None, None, "the file is read-only"
    return lock, previous, None


def _identify(path: Path, passphrase: Passphrase) -> tuple[Probe, Passphrase]:
    """Probe the file; a raw-key-form passphrase that fails is tried as the raw key an earlier build made of it."""
    try:
        return probe(path, passphrase), passphrase
    except WrongPassphrase:
        if passphrase is None or not RAW_KEY_FORM.fullmatch(passphrase):
            raise
    legacy = LegacyRawKey(passphrase)
    return probe(path, legacy), legacy


def open_engagement(path: Path | str, passphrase: Passphrase = None, *, read_only: bool = False) -> EngagementFile:
    """Identify, guard, back up and migrate if needed, then hand back the open file.

    A file opened for changes is locked against every other Fieldwork process (`FileInUseError` says who
    has it); `read_only=True` takes no lock, and a read-only disk or file opens read-only by itself.
    """
    path = Path(path)
    sniff(path)  # a file that is not ours is refused before anything is written beside it
    lock, took_over, reason = (None, None, OPENED_READ_ONLY) if read_only else take_writer_lock(path)
    sweep(path.parent)  # what killed Fieldwork processes left beside it
    try:
        found, passphrase = _identify(path, passphrase)
        migrations.check_not_newer(path, found.revision)
        if migrations.is_current(found.revision) and found.missing:
            raise DamagedFileError(path, f"is damaged: it lacks {', '.join(found.missing)}; restore a backup.")
        if reason is not None and not migrations.is_current(found.revision):
            raise NeedsUpgrade(
                path, "was made by an earlier Fieldwork and must be upgraded, which a read-only file cannot be."
            )
        key = passphrase if found.encryption is Encryption.ENCRYPTED else None
        backup = None
        if not migrations.is_current(found.revision):
            backup = migrations.backup_before_upgrade(path, found.revision)
        engine = make_engine(path, key, read_only=reason is not None)
    except BaseException as exc:
        if lock is not None:
            lock.release(not_ours=isinstance(exc, NotAnEngagementError))
        raise
    try:
        if backup is not None:
            migrations.upgrade(engine)
    except BaseException as exc:
        engine.dispose()
        if lock is not None:
            lock.release()
        raise_if_known(path, exc, found.encryption)
        if isinstance(exc, Exception) and backup is not None:
            backup.unlink(missing_ok=True)  # the upgrade rolled back as a whole: the file is its own backup
            raise DamagedFileError(
                path,
                f"could not be upgraded: its contents do not match the version it records ({found.revision}); "
                "it was left as it was.",
            ) from exc
        raise
    return EngagementFile(path, found.encryption, engine, key, backup, lock, reason, took_over, identity_of(path))


def create_engagement_file(
    path: Path | str,
    passphrase: Passphrase,
    populate: Callable[[EngagementFile], None],
    *,
    revision: str | None = None,
) -> EngagementFile:
    """Create a new file atomically: built under a temporary name, renamed into place.

    `populate` writes the first records; if it fails, no file appears at `path`. The file gets this build's
    schema, or with `revision` the schema of that earlier revision (through the migrations; tests use it).
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise EngagementFileError(path, f"cannot be created: the folder {path.parent} does not exist.")
    lock, _, reason = take_writer_lock(path)
    if lock is None:
        raise EngagementFileError(path, f"cannot be created here: {reason}.")
    try:
        if path.exists():
            raise EngagementFileError(path, "already exists; choose another name or move the existing file.")
        _build(path, passphrase, populate, revision)
    except BaseException:
        lock.release(not_ours=not path.exists())  # nothing was made: no lock file left beside nothing
        raise
    encryption = Encryption.PLAIN if passphrase is None else Encryption.ENCRYPTED
    engine = make_engine(path, passphrase)
    return EngagementFile(path, encryption, engine, passphrase, lock=lock, identity=identity_of(path))


def _build(
    path: Path, passphrase: Passphrase, populate: Callable[[EngagementFile], None], revision: str | None
) -> None:
    sweep(path.parent)  # what an earlier, killed creation left
    temporary = temporary_name(path, "creating")
    temporary.unlink(missing_ok=True)
    encryption = Encryption.PLAIN if passphrase is None else Encryption.ENCRYPTED
    engine = make_engine(temporary, passphrase, building=True)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        if revision is None:
            migrations.create_current(engine)
        else:
            migrations.upgrade(engine, revision)
        populate(EngagementFile(temporary, encryption, engine, passphrase))
        with engine.connect() as conn:
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"a new engagement refers to missing records: {broken[:5]}")
        engine.dispose()
        fsync_file(temporary)
        os.replace(temporary, path)
        fsync_folder(path.parent)
    except BaseException as exc:
        engine.dispose()
        temporary.unlink(missing_ok=True)
        raise_if_known(path, exc, encryption)
        raise
