"""Finalizing the engagement file, and changing it afterwards by addendum.

The auditor records the report release date; the documentation completion date follows it by the engagement's
days (60 by default; 45 or 14 for firms that assemble sooner). Finalizing refuses while review notes are open,
sign-offs are missing or stale, or completion items are missing, listing each; otherwise it runs the full
verification and records a manifest (every evidence file's SHA-256, each history origin's head, the time, the
member). From then on nothing can be deleted and a change is an addendum with a reason, opened by a member.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, select

from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.acting import acting_member
from fieldwork.app.services.engagement import read_details
from fieldwork.app.services.evidence import read_evidence
from fieldwork.app.services.history import changes
from fieldwork.app.services.history_chain import read_chain
from fieldwork.app.services.refs import next_number
from fieldwork.app.services.review_notes import read_notes
from fieldwork.app.services.signables import ItemType
from fieldwork.app.services.signoffs import read_signoffs
from fieldwork.app.services.verify import verify
from fieldwork.app.services.workpapers import read_completion_items
from fieldwork.app.storage.schema import addendum, engagement, finalization, live
from fieldwork.app.tasks import Task

COMPLETION_DAYS = (60, 45, 14)
ADDENDUM_PATTERN = re.compile(r"^AD-(\d+)$")
#: The most a refusal lists of one kind, so a long list stays readable.
MOST = 5
#: The kinds of record whether the engagement is finalized (and an addendum open) is read from.
FINALIZING_KINDS = frozenset({finalization.name, addendum.name})


@dataclass(frozen=True)
class Finalized:
    finalized_at: str
    member: str
    release_date: date
    completion_date: date
    retention_until: date
    manifest: dict[str, Any]


def completion_date(release: date, days: int) -> date:
    return release + timedelta(days=days)


def _missing_signoffs(conn: Connection) -> list[str]:
    found = []
    for kind in ItemType:
        for state in read_signoffs(conn, kind).values():
            if state.stale:
                found.append(f"{state.item.ref}: changed after review")
            elif state.preparer is None or state.reviewer is None:
                role = "a preparer's" if state.preparer is None else "a reviewer's"
                found.append(f"{state.item.ref}: {role} sign-off missing")
    return found


def _open_notes(conn: Connection) -> list[str]:
    return [f"{note.ref} on {note.item_ref}: {note.status.label.lower()}" for note in read_notes(conn, open_only=True)]


def _completion_items(conn: Connection) -> list[str]:
    return [
        f"{item.ref} {item.title}: {' '.join(item.reasons)}"
        for item in read_completion_items(conn)
        if not item.complete
    ]


#: What finalizing checks, each giving the problems it finds.
FINALIZE_CHECKS: list[tuple[str, Callable[[Connection], list[str]]]] = [
    ("review notes open", _open_notes),
    ("sign-offs missing or stale", _missing_signoffs),
    ("completion items not complete", _completion_items),
]


def read_blockers(conn: Connection) -> list[str]:
    """Everything that stops finalizing, grouped and counted."""
    lines = []
    for title, check in FINALIZE_CHECKS:
        problems = check(conn)
        if problems:
            more = f"; and {len(problems) - MOST} more" if len(problems) > MOST else ""
            lines.append(f"{len(problems)} {title}: {'; '.join(problems[:MOST])}{more}")
    return lines


def finalize(db: Engagement, release: date, task: Task | None = None) -> Finalized:
    """Record the release date, check, verify, write the manifest; the file is read-only from then on."""
    task = task or Task()
    with db.reading() as conn:
        blockers = read_blockers(conn)
    if blockers:
        raise ValidationError("The engagement cannot be finalized yet. " + " ".join(f"{b}." for b in blockers))
    failed = [f"{f.check}: {f.detail}" for f in verify(db, task) if not f.ok]
    if failed:
        raise ValidationError("Verification failed, so the engagement cannot be finalized: " + "; ".join(failed))
    with changes(db, finalizing=True) as ch:
        if ch.finalized:
            raise ValidationError(f"The engagement was finalized on {ch.finalized[:10]} already.")
        member = acting_member(ch.conn)
        if member is None or member.id is None:
            raise ValidationError("Only a member of the engagement team can finalize it.")
        details = read_details(ch.conn)
        key, days, years = ch.conn.execute(
            select(engagement.c.id, engagement.c.completion_days, engagement.c.retention_years).where(live(engagement))
        ).one()
        completed = completion_date(release, days)
        ch.update(engagement, {"id": key}, {"report_release_date": release, "documentation_completion_date": completed})
        heads = read_chain(ch.conn).heads
        origin, seq, head = ch.head()
        heads[origin] = (seq, head)
        retention = date(release.year + years, release.month, min(release.day, 28))
        manifest: dict[str, Any] = {
            "finalized_at": ch.at_utc,
            "member": f"{member.name} ({member.initials})",
            "report_release_date": release.isoformat(),
            "documentation_completion_date": completed.isoformat(),
            "retention_until": retention.isoformat(),
            "evidence": {found.ref: found.sha256 for found in read_evidence(ch.conn)},
            "history_heads": [
                {"origin": str(origin), "seq": seq, "hash": digest} for origin, (seq, digest) in sorted(heads.items())
            ],
            "client": details.client,
        }
        ch.insert(finalization, {"finalized_at": ch.at_utc, "person_id": member.id, "manifest": manifest})
    return Finalized(ch.at_utc, manifest["member"], release, completed, retention, manifest)


def read_finalized(conn: Connection) -> Finalized | None:
    row = conn.execute(select(finalization).where(live(finalization))).mappings().first()
    if row is None:
        return None
    manifest = row["manifest"]
    return Finalized(
        row["finalized_at"],
        manifest["member"],
        date.fromisoformat(manifest["report_release_date"]),
        date.fromisoformat(manifest["documentation_completion_date"]),
        date.fromisoformat(manifest["retention_until"]),
        manifest,
    )


def open_addendum(db: Engagement, reason: str) -> str:
    """Open an addendum on a finalized engagement: later changes in this session are allowed, under its reference."""
    if not reason.strip():
        raise ValidationError("An addendum to a finalized engagement needs its reason.")
    with changes(db, finalizing=True) as ch:
        if not ch.finalized:
            raise ValidationError("The engagement is not finalized: change it directly.")
        member = acting_member(ch.conn)
        if member is None:
            raise ValidationError("Only a member of the engagement team can open an addendum.")
        ref = f"AD-{next_number(ch.conn, addendum.c.ref, ADDENDUM_PATTERN):03d}"
        row = {"ref": ref, "reason": reason.strip(), "person_id": member.id, "opened_at": ch.at_utc}
        ch.insert(addendum, row)
    db.addendum = ref
    return ref
