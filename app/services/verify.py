"""`fieldwork verify`: is the file sound, and is everything in it what it was?"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, LargeBinary, func, select

from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import FieldworkError
from fieldwork.app.services.evidence_store import ByteProgress, Fingerprint, stream_blob
from fieldwork.app.services.history_chain import read_chain, recorded_heads_missing
from fieldwork.app.storage.schema import evidence, evidence_blob, live, metadata, requirement, soa_line
from fieldwork.app.tasks import Task


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str


Check = Callable[[Connection, Engagement, Task], list[Finding]]


def _pragma_rows(conn: Connection, pragma: str) -> list[str]:
    return [" ".join(str(v) for v in row) for row in conn.exec_driver_sql(f"PRAGMA {pragma}")]


#: What verify can and cannot see in a file without SQLCipher's per-page checksums.
PLAIN_FILE_LIMITS = (
    "The file is not encrypted, so its pages carry no checksums: a changed byte inside a record's text "
    "can go unnoticed. Its structure, its records' types and the evidence hashes are still checked."
)


def check_cipher(conn: Connection, db: Engagement, task: Task) -> list[Finding]:
    """SQLCipher's own check: every page's HMAC, so tampering with the ciphertext shows."""
    if not db.encrypted:
        return [Finding("encryption", True, PLAIN_FILE_LIMITS)]
    problems = _pragma_rows(conn, "cipher_integrity_check")
    if problems:
        return [Finding("encryption", False, f"SQLCipher found damaged pages: {'; '.join(problems[:10])}")]
    return [Finding("encryption", True, "SQLCipher integrity check passed: every page authenticates.")]


def check_sqlite(conn: Connection, db: Engagement, task: Task) -> list[Finding]:
    result = _pragma_rows(conn, "integrity_check")
    if result != ["ok"]:
        return [Finding("database", False, f"SQLite integrity check failed: {'; '.join(result[:10])}")]
    broken = _pragma_rows(conn, "foreign_key_check")
    if broken:
        return [Finding("database", False, f"{len(broken)} record(s) point to items that no longer exist.")]
    return [Finding("database", True, "SQLite integrity and reference checks passed.")]


def check_records(conn: Connection, db: Engagement, task: Task) -> list[Finding]:
    """Read every record as its column's type (dates, JSON, text that must be UTF-8).

    The cheap check a plain file allows: damage that turns a value into something that is not one of
    its kind shows here, where SQLite's structural check passes it. Evidence bytes are hashed below.
    """
    unreadable = []
    for table in metadata.sorted_tables:
        columns = [column for column in table.c if not isinstance(column.type, LargeBinary)]
        try:
            for _row in conn.execute(select(*columns).execution_options(yield_per=5000)):
                pass
        except Exception as exc:  # any value that does not read as its type, whatever the type raised
            unreadable.append(f"{table.name} ({type(exc).__name__})")
    if unreadable:
        return [Finding("records", False, f"Records that cannot be read as what they hold: {', '.join(unreadable)}.")]
    return [Finding("records", True, "Every record reads as its columns' types.")]


def check_catalog(conn: Connection, db: Engagement, task: Task) -> list[Finding]:
    requirements = conn.execute(select(func.count()).select_from(requirement)).scalar_one()
    soa = conn.execute(select(func.count()).select_from(soa_line)).scalar_one()
    ok = requirements > 0 and soa == 38
    return [Finding("catalog", ok, f"{requirements} requirements and {soa} Statement of Applicability lines.")]


def check_evidence(conn: Connection, db: Engagement, task: Task) -> list[Finding]:
    """Re-hash every file the evidence library holds, streaming; each mismatch names the evidence with those bytes.

    Content whose evidence was deleted has had its bytes dropped on purpose: only its fingerprint is left.
    """
    names: dict[str, list[str]] = defaultdict(list)
    held = select(evidence.c.ref, evidence.c.original_name, evidence.c.blob_sha256).where(live(evidence))
    for ref, name, sha256 in conn.execute(held):
        names[sha256].append(f"{ref} ({name})")
    needed = select(evidence.c.blob_sha256).where(live(evidence))
    query = select(evidence_blob).where(evidence_blob.c.sha256.in_(needed)).order_by(evidence_blob.c.chunk_key)
    blobs = conn.execute(query).mappings().all()
    progress = ByteProgress(task, sum(blob["size"] for blob in blobs))
    findings = []
    for blob in blobs:
        label = ", ".join(names[blob["sha256"]])
        found = stream_blob(conn, blob["chunk_key"], lambda _data: None, progress, label)
        if found != Fingerprint(blob["sha256"], blob["size"]):
            findings.append(
                Finding("evidence", False, f"{label}: the bytes no longer match the SHA-256 recorded at attach.")
            )
    if not findings:
        findings.append(Finding("evidence", True, f"All {len(blobs)} stored file(s) match their SHA-256."))
    return findings


def check_history(conn: Connection, db: Engagement, task: Task) -> list[Finding]:
    """Recompute every origin's hash chain, and find each recorded head (sign-offs, finalizing) in it again."""
    chain = read_chain(conn)
    missing = recorded_heads_missing(conn)
    findings = [Finding("history", False, problem) for problem in [*chain.problems, *missing]]
    summary = "; ".join(
        f"origin {key.hex[:8]}: {n} entries, head {digest[:16]}" for key, (n, digest) in chain.heads.items()
    )
    if not findings:
        findings.append(Finding("history", True, f"The history's hash chain holds ({summary or 'no entries'})."))
    return findings


CHECKS: list[Check] = [check_cipher, check_sqlite, check_records, check_catalog, check_evidence, check_history]


def verify(db: Engagement, task: Task | None = None) -> list[Finding]:
    """Run every check; damage that stops a check is itself a failed finding, never an exception."""
    task = task or Task()
    findings: list[Finding] = []
    for index, check in enumerate(CHECKS):
        name = check.__name__.removeprefix("check_")
        task.progress(index, len(CHECKS), name)
        try:
            with db.reading() as conn:
                findings += check(conn, db, task)
        except FieldworkError as exc:
            findings.append(Finding(name, False, exc.message))
    task.progress(len(CHECKS), len(CHECKS), "done")
    return findings
