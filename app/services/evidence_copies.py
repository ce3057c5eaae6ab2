"""Evidence written back to disk: a copy saved to a folder, or a private copy for the system's viewer.

Every copy is checked against the SHA-256 recorded at attach as it streams out, so a damaged file is never
handed over as if it were the original. Names come from `safe_file_name`: the client's original name is
metadata, never a path.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import BinaryIO
from uuid import UUID

from sqlalchemy import Connection, RowMapping, select

from fieldwork.app.domain.ids import EvidenceId
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import FieldworkError, ValidationError
from fieldwork.app.services.evidence import find_evidence_id
from fieldwork.app.services.evidence_store import ByteProgress, Fingerprint, stream_blob
from fieldwork.app.services.safe_names import safe_file_name, unique_path
from fieldwork.app.storage.atomic import atomic_target
from fieldwork.app.storage.schema import evidence, evidence_blob
from fieldwork.app.tasks import Task

PRIVATE_PREFIX = "fieldwork-open-"


class EvidenceDamaged(FieldworkError):
    """The stored bytes no longer hash to what was recorded when the file was attached."""


def _stored(conn: Connection, evidence_id: EvidenceId) -> RowMapping:
    blob = evidence_blob.c
    query = select(evidence.c.ref, evidence.c.original_name, blob.chunk_key, blob.sha256, blob.size)
    query = query.join(evidence_blob, evidence_blob.c.sha256 == evidence.c.blob_sha256)
    return conn.execute(query.where(evidence.c.id == evidence_id)).mappings().one()


def _write_verified(conn: Connection, row: RowMapping, handle: BinaryIO, progress: ByteProgress) -> None:
    found = stream_blob(conn, row["chunk_key"], handle.write, progress, row["original_name"])
    if found != Fingerprint(row["sha256"], row["size"]):
        raise EvidenceDamaged(
            f"{row['ref']} ({row['original_name']}) is damaged: its bytes no longer match the SHA-256 recorded "
            "when it was attached."
        )


def _copy(db: Engagement, ref_or_id: str | UUID, folder: Path, task: Task | None) -> Path:
    with db.reading() as conn:
        row = _stored(conn, find_evidence_id(conn, ref_or_id))
        target = unique_path(folder, safe_file_name(row["original_name"], fallback=row["ref"]))
        try:
            with atomic_target(target) as temporary, temporary.open("wb") as handle:
                _write_verified(conn, row, handle, ByteProgress(task or Task(), row["size"]))
        except OSError as exc:
            raise FieldworkError(f"Cannot write {target.name} in {folder}: {exc.strerror or exc}.") from exc
    return target


def write_verified_copy(conn: Connection, evidence_id: EvidenceId, handle: BinaryIO, progress: ByteProgress) -> None:
    """Stream one file's bytes into `handle` inside the caller's read, checked against the SHA-256 recorded at attach
    (`EvidenceDamaged` if they no longer match); `progress` counts bytes over a batch of files."""
    _write_verified(conn, _stored(conn, evidence_id), handle, progress)


def extract_evidence(db: Engagement, ref_or_id: str | UUID, folder: Path, task: Task | None = None) -> Path:
    """Save a copy into `folder` under a safe name (never over an existing file); returns its path."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValidationError(f"{folder} is not a folder; create it first.")
    return _copy(db, ref_or_id, folder, task)


def open_private_copy(db: Engagement, ref_or_id: str | UUID, task: Task | None = None) -> Path:
    """A copy for the operating system's viewer, in a new folder only this user can enter (mode 0700).

    Call `discard_private_copy` when the viewer is done (or when the app closes).
    """
    folder = Path(tempfile.mkdtemp(prefix=PRIVATE_PREFIX))
    try:
        return _copy(db, ref_or_id, folder, task)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def discard_private_copy(path: Path) -> bool:
    """Remove a private copy and its folder; False when a viewer still holds it (try again later)."""
    folder = Path(path).parent
    if not folder.name.startswith(PRIVATE_PREFIX) or folder.parent != Path(tempfile.gettempdir()):
        raise ValueError(f"{path} is not a private copy made by open_private_copy")
    shutil.rmtree(folder, ignore_errors=True)
    return not folder.exists()


def sweep_private_copies(older_than_hours: float = 12) -> int:
    """Remove private copies a crash (or a viewer holding them at exit) left behind; returns how many.

    Only folders this user made and older than `older_than_hours`, so another running
    Fieldwork keeps the copies its viewers still show.
    """
    cutoff = time.time() - older_than_hours * 3600
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{PRIVATE_PREFIX}*"):
        try:
            stale = folder.is_dir() and folder.stat().st_mtime < cutoff and _mine(folder)
        except OSError:
            continue
        if stale and discard_private_copy(folder / "copy"):
            removed += 1
    return removed


def _mine(path: Path) -> bool:
    """On POSIX the temp folder is shared between users; on Windows it is the user's own."""
    getuid = getattr(os, "getuid", None)
    return getuid is None or path.stat().st_uid == getuid()
