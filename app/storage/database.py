"""The one place where a connection to an engagement file is made.

Plain and encrypted files use the same driver (`sqlcipher3`, which is SQLite plus
SQLCipher): without a key it reads and writes ordinary SQLite files.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

#: "FWRK": marks a SQLite file as a Fieldwork engagement (PRAGMA application_id).
APPLICATION_ID = 0x4657524B

#: 64 KiB pages: evidence is stored as 1 MiB chunks, which fill large pages with less
#: overhead (measured faster than 4 KiB in every mode). Encrypted files must be opened
#: with the page size they were created with, so this never changes.
PAGE_SIZE = 65536

#: How long a statement waits for another program's lock before giving up.
BUSY_TIMEOUT_MS = 5000

Passphrase = str | None
DBAPIConnection = Any


#: SQLCipher reads a key string of this form as the raw key itself (64 hex digits, or 96 with the salt) and
#: skips key derivation; Fieldwork never means one as such.
RAW_KEY_FORM = re.compile(r"x'(?:[0-9A-Fa-f]{64}|[0-9A-Fa-f]{96})'")


class LegacyRawKey(str):
    """A passphrase of the raw-key form that an earlier Fieldwork handed to SQLCipher as is (a raw key)."""


def key_material(passphrase: str) -> str:
    """What PRAGMA key receives for a passphrase: always something SQLCipher derives a key from.

    A passphrase of the raw-key form gets a line break appended, which no passphrase Fieldwork accepts
    contains, so it goes through key derivation like any other; every other passphrase is passed as it is
    (files made before this rule open as they did). `LegacyRawKey` opens a file made before it.
    """
    if isinstance(passphrase, LegacyRawKey) or not RAW_KEY_FORM.fullmatch(passphrase):
        return passphrase
    return passphrase + "\n"


def quote_passphrase(passphrase: str) -> str:
    """A SQL string literal for PRAGMA key (of `key_material`); quotes are doubled, NULs refused."""
    if "\x00" in passphrase:
        raise ValueError("a passphrase cannot contain a NUL character")
    return "'" + key_material(passphrase).replace("'", "''") + "'"


def connect(path: Path, passphrase: Passphrase, *, read_only: bool = False, create: bool = False) -> DBAPIConnection:
    """A raw DB-API connection with the key applied and nothing written yet.

    Read-only connections are used to identify a file without changing a byte of it. Only a file
    being built is created: opening a path whose file was deleted or moved fails, rather than
    quietly making an empty database there.
    """
    mode = "ro" if read_only else ("rwc" if create else "rw")
    conn = sqlcipher.connect(
        f"{path.resolve().as_uri()}?mode={mode}",
        uri=True,
        check_same_thread=False,
        isolation_level=None,
        timeout=BUSY_TIMEOUT_MS / 1000,
    )
    if passphrase is not None:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {quote_passphrase(passphrase)}")
        conn.execute(f"PRAGMA cipher_page_size = {PAGE_SIZE}")
    return conn


def configure(conn: DBAPIConnection, *, building: bool = False, read_only: bool = False) -> None:
    """Session settings every working connection needs.

    Journal mode DELETE (a rollback journal), not WAL: with WAL, committed work sits in
    a `-wal` side file until a checkpoint, so an auditor who copies or emails the
    `.fieldwork` file alone can lose recent work. With a rollback journal the file
    itself is complete whenever no transaction is open, and `synchronous=FULL`
    makes every commit durable before it returns. Large evidence writes were also
    measured faster with a rollback journal than with WAL.
    """
    conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    if not read_only:
        conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute(f"PRAGMA synchronous = {'OFF' if building else 'FULL'}")
    conn.execute(f"PRAGMA foreign_keys = {'OFF' if building else 'ON'}")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _json_default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


#: One encoder for every stored JSON value; dates and UUIDs (in history entries) become text.
dump_json = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode


def make_engine(path: Path, passphrase: Passphrase, *, building: bool = False, read_only: bool = False) -> Engine:
    """The SQLAlchemy engine for a file; writers begin IMMEDIATE so a lock fails early.

    `building=True` is only for a new file under a temporary name: no flush per commit
    and references checked once at the end (it is flushed once before it is renamed
    into place), which makes writing a large engagement several times faster.
    `read_only=True` opens every connection read-only (a file another process is changing, a read-only disk).
    """

    def creator() -> DBAPIConnection:
        conn = connect(path, passphrase, read_only=read_only, create=building)
        configure(conn, building=building, read_only=read_only)
        return conn

    engine = create_engine(
        "sqlite://",
        module=sqlcipher,
        creator=creator,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=2,
        json_serializer=dump_json,
        # An error's text is logged in plain: it must never carry the client's data (a deviation, a name).
        hide_parameters=True,
    )
    event.listen(engine, "begin", _begin)
    return engine


def _begin(conn: Any) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get("fieldwork_write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def is_database_error(exc: BaseException) -> bool:
    """True for an error raised by the SQLite driver."""
    return isinstance(exc, sqlcipher.DatabaseError)
