"""Open and create engagement files; every read or write is one short transaction.

The engine lives as long as the file is open; a `Connection` lives for one user
action. Callers never see a session outside `reading()` / `writing()`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

from app.errors import EngagementFileError
from app.storage import migrations
from app.storage.database import APPLICATION_ID, Passphrase, make_engine
from app.storage.fileformat import Encryption, probe, raise_if_known
from app.storage.files import fsync_file, fsync_folder


@dataclass
class EngagementFile:
    """An open engagement file: its path, whether it is encrypted, and its engine."""

    path: Path
    encryption: Encryption
    engine: Engine
    passphrase: Passphrase
    backup: Path | None = None

    @property
    def encrypted(self) -> bool:
        return self.encryption is Encryption.ENCRYPTED

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read transaction (a consistent snapshot for one screen or export)."""
        with self._translated(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextlib.contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back on any error."""
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
            raise_if_known(self.path, exc, self.encryption)
            raise

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> EngagementFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_engagement(path: Path | str, passphrase: Passphrase = None) -> EngagementFile:
    """Identify, guard, back up and migrate if needed, then hand back the open file."""
    path = Path(path)
    found = probe(path, passphrase)
    migrations.check_not_newer(path, found.revision)
    key = passphrase if found.encryption is Encryption.ENCRYPTED else None
    backup = None
    if not migrations.is_current(found.revision):
        backup = migrations.backup_before_upgrade(path, found.revision)
    engine = make_engine(path, key)
    try:
        if backup is not None:
            migrations.upgrade(engine)
    except BaseException as exc:
        engine.dispose()
        raise_if_known(path, exc, found.encryption)
        raise
    return EngagementFile(path, found.encryption, engine, key, backup)


def create_engagement_file(
    path: Path | str,
    passphrase: Passphrase,
    populate: Callable[[EngagementFile], None],
    *,
    revision: str = "head",
) -> EngagementFile:
    """Create a new file atomically: built under a temporary name, renamed into place.

    `populate` writes the first records; if it fails, no file appears at `path`.
    """
    path = Path(path)
    if path.exists():
        raise EngagementFileError(path, "already exists; choose another name or move the existing file.")
    if not path.parent.is_dir():
        raise EngagementFileError(path, f"cannot be created: the folder {path.parent} does not exist.")
    temporary = path.with_name(f".{path.name}.creating-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    encryption = Encryption.PLAIN if passphrase is None else Encryption.ENCRYPTED
    engine = make_engine(temporary, passphrase, building=True)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
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
    return EngagementFile(path, encryption, make_engine(path, passphrase), passphrase)
