"""The control page: the control, the requirements it serves and those it could, its tests and its evidence.

The page also says what the control's dates mean and what part of its time in the period its tests leave
untested (`app.domain.timeline`), so the screen only lays the sentences out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from fieldwork.app.domain.ids import ControlId
from fieldwork.app.domain.over_time import Span
from fieldwork.app.domain.records import Control, ControlTest, Requirement, Suggestion
from fieldwork.app.domain.timeline import control_notes, coverage_gaps, gap_text
from fieldwork.app.engagement import Engagement
from fieldwork.app.pages.linked_evidence import LinkedEvidence, read_linked
from fieldwork.app.pages.review import ItemReview, read_item_review
from fieldwork.app.pages.served import Served, served_by
from fieldwork.app.services import controls as control_service
from fieldwork.app.services import evidence as evidence_service
from fieldwork.app.services import requirements as requirement_service
from fieldwork.app.services import testing as test_service
from fieldwork.app.services.engagement import read_details
from fieldwork.app.services.signables import ItemType
from fieldwork.app.services.status import read_requirement_statuses
from fieldwork.app.storage.schema import control as control_table
from fieldwork.app.storage.schema import live


@dataclass(frozen=True)
class ControlPage:
    control: Control
    linked: tuple[Served, ...]
    suggestions: tuple[Suggestion, ...]
    tests: tuple[ControlTest, ...]
    #: The requirements in scope the control does not serve yet, for "Link requirement...".
    choices: tuple[Requirement, ...]
    evidence: tuple[LinkedEvidence, ...]
    scope: tuple[Requirement, ...]
    period: Span | None
    #: The other controls' references, for "replaces".
    others: tuple[str, ...]
    #: How the control's time in the period differs from the whole period ("Replaced C-080 on ..."), or "".
    dates_note: str
    #: The days a key control's tests leave untested ("Not tested from ... to ..."), or "".
    coverage_gap: str
    #: The control's sign-offs and open review notes, for the page's review strip.
    review: ItemReview


def evidence_target(control_id: ControlId) -> evidence_service.Link:
    return evidence_service.Link(evidence_service.LinkKind.CONTROL, control_id)


def read_control_page(conn: Connection, control_id: ControlId) -> ControlPage:
    control = control_service.read_control(conn, control_id)
    details = read_details(conn)
    scope = requirement_service.read_scope(conn)
    statuses = read_requirement_statuses(conn, scope, details.report_type)
    tests = test_service.read_tests(conn, control_id=control_id)
    gaps = coverage_gaps([control], tests, details.period).get(control.id, [])
    return ControlPage(
        control=control,
        linked=tuple(served_by(control, scope, statuses)),
        suggestions=tuple(control_service.read_suggestions(conn, control_id)),
        tests=tuple(tests),
        choices=tuple(r for r in scope if r.code in statuses and r.code not in control.requirements),
        evidence=tuple(read_linked(conn, [evidence_target(control_id)])),
        scope=tuple(scope),
        period=details.period,
        others=_other_refs(conn, control.id),
        dates_note="; ".join(control_notes(control, details.period)),
        coverage_gap=gap_text(gaps),
        review=read_item_review(conn, ItemType.CONTROL, str(control_id)),
    )


def _other_refs(conn: Connection, control_id: ControlId) -> tuple[str, ...]:
    """The other controls' references in order (not the controls themselves, with their links: 1,640 of them at
    `--scale 20` took a third of the page's read)."""
    table = control_table
    query = select(table.c.ref).where(live(table), table.c.id != control_id).order_by(table.c.ref)
    return tuple(conn.execute(query).scalars())


def load_control_page(db: Engagement, control_id: ControlId) -> ControlPage:
    with db.reading() as conn:
        return read_control_page(conn, control_id)
