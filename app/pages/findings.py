"""The findings register page: every ISO/IEC 42001 finding with what the register is checked for, and what a
finding can be raised against and cite.

A finding is overdue when it is still open (not verified effective or closed) after its due date; that is the
register's judgement of today, shown, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from fieldwork.app.domain.ids import DeviationId
from fieldwork.app.domain.judgements import Finding
from fieldwork.app.domain.vocabulary import AUDITABLE_KINDS, Framework, Status
from fieldwork.app.engagement import Engagement
from fieldwork.app.pages.choices import Choice, deviation_choices
from fieldwork.app.pages.linked_evidence import LinkedEvidence, read_linked
from fieldwork.app.pages.review import read_stale
from fieldwork.app.services import evidence as ev
from fieldwork.app.services.deviations import read_deviations
from fieldwork.app.services.engagement import read_details
from fieldwork.app.services.findings import read_findings
from fieldwork.app.services.requirements import read_scope
from fieldwork.app.services.signables import ItemType
from fieldwork.app.services.status import read_requirement_statuses


@dataclass(frozen=True)
class FindingRow:
    finding: Finding
    overdue: bool
    #: Signed, then changed: its sign-offs are stale ("changed after review").
    changed_after_review: bool = False


@dataclass(frozen=True)
class FindingsPage:
    rows: tuple[FindingRow, ...]
    #: ISO/IEC 42001 subclauses and Annex A controls in scope, by code (an excluded control says so).
    requirements: tuple[Choice[str], ...]
    deviations: tuple[Choice[DeviationId], ...]
    evidence: tuple[LinkedEvidence, ...]


def overdue(finding: Finding, today: date) -> bool:
    return finding.open and finding.due_date is not None and finding.due_date < today


def evidence_target(finding: Finding) -> ev.Link:
    return ev.Link(ev.LinkKind.FINDING, finding.id)


def read_findings_page(conn: Connection, today: date) -> FindingsPage:
    findings = read_findings(conn)
    scope = read_scope(conn)
    statuses = read_requirement_statuses(conn, scope, read_details(conn).report_type)
    requirements = tuple(
        Choice(r.code, r.code, r.title + (" (excluded)" if statuses[r.code].status is Status.EXCLUDED else ""))
        for r in scope
        if r.framework is Framework.ISO42001 and r.kind in AUDITABLE_KINDS
    )
    stale = read_stale(conn, (ItemType.FINDING,))
    return FindingsPage(
        rows=tuple(FindingRow(f, overdue(f, today), (ItemType.FINDING, str(f.id)) in stale) for f in findings),
        requirements=requirements,
        deviations=deviation_choices(read_deviations(conn)),
        evidence=tuple(read_linked(conn, [evidence_target(f) for f in findings])),
    )


def load_findings_page(db: Engagement, today: date | None = None) -> FindingsPage:
    with db.reading() as conn:
        return read_findings_page(conn, today or date.today())
