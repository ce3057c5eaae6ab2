"""An engagement file opened to be read and never changed: the source of a roll-forward.

The connection is SQLite's read-only mode with `query_only` on, so no statement can write. A snapshot holds a
read transaction (SQLite's shared lock: no other program commits a change meanwhile) and takes the file's
SHA-256 inside it, so the hash recorded is of exactly the content read. A file from an earlier Fieldwork is
not upgraded in place: its bytes are copied aside (hashed on the way), and the copy is upgraded and read.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from fieldwork.app.storage import migrations
from fieldwork.app.storage.database import BUSY_TIMEOUT_MS, DBAPIConnection, Passphrase, connect
from fieldwork.app.storage.engagement_file import open_engagement
from fieldwork.app.storage.fileformat import Encryption, probe, raise_if_known

READ_CHUNK = 1 << 20


def file_sha256(path: Path, copy_to: Path | None = None) -> str:
    """A file's SHA-256, streamed; with `copy_to`, the same bytes are written there on the way."""
    digest = hashlib.sha256()
    with path.open("rb") as source, contextlib.ExitStack() as stack:
        target = stack.enter_context(copy_to.open("wb")) if copy_to is not None else None
        while chunk := source.read(READ_CHUNK):
            digest.update(chunk)
            if target is not None:
                target.write(chunk)
    return digest.hexdigest()


def _engine(path: Path, key: Passphrase) -> Engine:
    def creator() -> DBAPIConnection:
        conn = connect(path, key, read_only=True)
        conn.execute("PRAGMA query_only = ON")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return conn

    return create_engine("sqlite://", module=sqlcipher, creator=creator, poolclass=NullPool, hide_parameters=True)


@dataclass
class ReadOnlyFile:
    """An engagement file open for reading only (or, for an older file, an upgraded copy of it)."""

    path: Path
    encryption: Encryption
    passphrase: Passphrase
    engine: Engine
    upgraded_copy: Path | None = None
    #: For an upgraded copy: the hash of the original's bytes, taken as they were copied.
    original_sha256: str = ""
    folder: Path | None = field(default=None, repr=False)

    @property
    def encrypted(self) -> bool:
        return self.encryption is Encryption.ENCRYPTED

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[tuple[Connection, str]]:
        """A read transaction and the SHA-256 of the file as it is read (of the original, for an upgraded copy)."""
        try:
            with self.engine.connect() as conn, conn.begin():
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()  # takes the shared lock now
                digest = self.original_sha256 if self.upgraded_copy else file_sha256(self.path)
                yield conn, digest
        except DBAPIError as exc:
            raise_if_known(self.path, exc.orig, self.encryption)
            raise

    def close(self) -> None:
        self.engine.dispose()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ReadOnlyFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_read_only(path: Path | str, passphrase: Passphrase = None) -> ReadOnlyFile:
    """Identify the file (a wrong passphrase or a foreign file is refused in one sentence) and open it to read."""
    path = Path(path)
    found = probe(path, passphrase)
    migrations.check_not_newer(path, found.revision)
    key = passphrase if found.encryption is Encryption.ENCRYPTED else None
    if migrations.is_current(found.revision):
        return ReadOnlyFile(path, found.encryption, key, _engine(path, key))
    folder = Path(tempfile.mkdtemp(prefix="fieldwork-read-"))
    copy = folder / path.name
    try:
        digest = file_sha256(path, copy_to=copy)
        upgraded = open_engagement(copy, key)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return ReadOnlyFile(path, found.encryption, key, upgraded.engine, copy, digest, folder)
