"""Tell what a file is before trusting it, and say so in one sentence when it is not ours.

Identification reads the header and, for a SQLite file, opens it read-only: a file
that turns out to be foreign, empty, truncated, locked or keyed differently is left
exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from fieldwork.app.errors import (
    DamagedFileError,
    EngagementFileError,
    FileLockedError,
    NotAnEngagementError,
    PassphraseRequired,
    WrongPassphrase,
)
from fieldwork.app.storage.database import (
    APPLICATION_ID,
    PAGE_SIZE,
    DBAPIConnection,
    Passphrase,
    connect,
    is_database_error,
)
from fieldwork.app.storage.schema import metadata

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100


class Encryption(Enum):
    PLAIN = "plain"
    ENCRYPTED = "encrypted"


@dataclass(frozen=True)
class Probe:
    """What a read-only look at a file found."""

    encryption: Encryption
    revision: str | None
    missing: tuple[str, ...] = ()  # what this build's schema has and the file lacks, said for people


def sniff(path: Path) -> Encryption:
    """Classify a file by its bytes alone; raise for anything that cannot be an engagement."""
    if not path.exists():
        raise EngagementFileError(path, "does not exist.")
    if path.is_dir():
        raise NotAnEngagementError(path, "is a folder, not a Fieldwork engagement file.")
    size = path.stat().st_size
    if size == 0:
        raise NotAnEngagementError(path, "is empty (0 bytes), so it is not a Fieldwork engagement.")
    with path.open("rb") as handle:
        header = handle.read(HEADER_SIZE)
    # A change cut short (a crash, a full disk) leaves the file longer or shorter than whole pages until its
    # rollback journal is played back: the length says nothing until then (probe() checks it again after).
    interrupted = hot_journal(path) is not None
    if header.startswith(SQLITE_MAGIC):
        if not interrupted:
            _check_plain_length(path, header, size)
        return Encryption.PLAIN
    if size % PAGE_SIZE and not interrupted:
        raise NotAnEngagementError(
            path,
            "is not a Fieldwork engagement: it is neither a SQLite database nor an encrypted "
            "engagement, or it has been cut short.",
        )
    return Encryption.ENCRYPTED


def _check_plain_length(path: Path, header: bytes, size: int) -> None:
    truncated = NotAnEngagementError(path, "is truncated: the file is shorter than its own header says.")
    if len(header) < HEADER_SIZE:
        raise truncated
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    page_count = int.from_bytes(header[28:32], "big")
    count_is_valid = header[24:28] == header[92:96]
    if count_is_valid and page_count and size < page_size * page_count:
        raise truncated


def probe(path: Path, passphrase: Passphrase) -> Probe:
    """Open read-only, confirm the file is a Fieldwork engagement, and read its schema revision."""
    encryption = sniff(path)
    if encryption is Encryption.ENCRYPTED and passphrase is None:
        raise PassphraseRequired(path, "is encrypted: enter its passphrase to open it.")
    key = passphrase if encryption is Encryption.ENCRYPTED else None
    if recover_interrupted_change(path, key, encryption):
        sniff(path)  # the length, now that the file is whole again
    try:
        conn = connect(path, key, read_only=True)
    except Exception as exc:
        raise_if_known(path, exc, encryption)
        raise
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise NotAnEngagementError(path, "is a SQLite database, but not a Fieldwork engagement.")
        _check_page_count(path, conn)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        missing = tuple(f"the table {name}" for name in sorted(set(metadata.tables) - tables))
        if "engagement" in tables and not conn.execute("SELECT count(*) FROM engagement").fetchone()[0]:
            missing += ("the engagement's details",)
    except EngagementFileError:
        raise
    except Exception as exc:
        raise_if_known(path, exc, encryption)
        raise
    finally:
        conn.close()
    return Probe(encryption, revision, missing)


def _check_page_count(path: Path, conn: DBAPIConnection) -> None:
    """Refuse a file whose length disagrees with the page count in its header.

    That is what copying a file alone, while a change was half-written into it, leaves: the header
    still counts the pages before the change, the file already holds more (or fewer). While any journal
    sits beside the file a writer may be at work, and the lengths legitimately differ: no judgement then.
    """
    if path.with_name(path.name + "-journal").exists():
        return
    page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    counted = int(conn.execute("PRAGMA page_count").fetchone()[0])
    held = path.stat().st_size // page_size
    if counted != held:
        raise DamagedFileError(
            path,
            f"was copied or saved while a change was still being written into it (its header counts {counted} "
            f"pages, the file holds {held}), so it may hold half of that change; open the original where it "
            "was being changed, with its '-journal' file beside it, so Fieldwork can undo the unfinished change, "
            "or restore a backup.",
        )


def hot_journal(path: Path) -> Path | None:
    journal = path.with_name(path.name + "-journal")
    return journal if journal.exists() and journal.stat().st_size > 0 else None


def recover_interrupted_change(path: Path, key: Passphrase, encryption: Encryption) -> bool:
    """Roll back a change a crash left half-written (a hot rollback journal beside the file).

    A read-only connection cannot do this, and SQLite refuses to read the file until it is
    done. A plain file is recovered only when its header already says it is ours, so a
    foreign file stays untouched; an encrypted one only opens with its key, and a wrong key
    fails on the first page, before anything is rolled back.
    """
    if hot_journal(path) is None:
        return False
    if encryption is Encryption.PLAIN:
        with path.open("rb") as handle:
            header = handle.read(HEADER_SIZE)
        if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
            return False
    conn = connect(path, key)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception as exc:
        raise_if_known(path, exc, encryption)
        raise
    finally:
        conn.close()
    return True


def classify(path: Path, exc: BaseException | None, encryption: Encryption | None = None) -> EngagementFileError | None:
    """The user's sentence for a driver error, or None when it is not one we know (a bug)."""
    if exc is None or not is_database_error(exc):
        return None
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return FileLockedError(path, "is in use by another program; close it there and try again.")
    if "not a database" in text or "encrypted" in text:
        if encryption is Encryption.ENCRYPTED:
            return WrongPassphrase(
                path, "could not be opened: the passphrase is wrong, or the file is not a Fieldwork engagement."
            )
        return NotAnEngagementError(path, "is not a Fieldwork engagement file.")
    if "no such table" in text or "no such column" in text:
        return DamagedFileError(path, f"is damaged: part of it is missing ({exc}); restore a backup.")
    if "malformed" in text or "corrupt" in text:
        return NotAnEngagementError(path, "is damaged: SQLite reports its contents as malformed.")
    if "disk is full" in text:
        return EngagementFileError(path, "cannot be saved: the disk is full. Free some space and try again.")
    if "readonly" in text or "read-only" in text:
        return EngagementFileError(path, "is read-only here; copy it to a folder you can write to.")
    if "unable to open" in text:
        return EngagementFileError(path, "cannot be opened: check that the folder exists and you may read it.")
    if "disk i/o" in text:
        return EngagementFileError(path, "could not be read or written: the disk reported an input/output error.")
    return None


def raise_if_known(path: Path, exc: BaseException | None, encryption: Encryption | None = None) -> None:
    """Raise the user's sentence for a known driver error; return so the caller re-raises a bug.

    `exc` may be the driver's own error or SQLAlchemy's wrapper of it: bulk paths use the driver's
    cursor directly, and a full disk there is the same full disk.
    """
    known = classify(path, getattr(exc, "orig", None) or exc, encryption)
    if known is not None:
        raise known from exc
