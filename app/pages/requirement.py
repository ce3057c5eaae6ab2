"""The requirement page: what it asks, its progress beside the auditor's conclusion, and what bears on both.

Progress is derived from the tests of the linked controls; the conclusion is the auditor's, with its basis,
the deviations it considered and the compensating controls (`app.services.conclusions`). The page offers the
conclusions the requirement can take, the deviations to cite (those of the linked controls' tests first) and
the other controls that can compensate, and lists the ISO/IEC 42001 findings raised against it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from fieldwork.app.domain.ids import ControlId, DeviationId
from fieldwork.app.domain.judgements import CriterionConclusion, Finding, RequirementConclusion
from fieldwork.app.domain.records import Control, Mapping, Requirement, RequirementStatus
from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError
from fieldwork.app.pages.choices import Choice, control_choices, deviation_choices
from fieldwork.app.pages.review import ItemReview, read_item_review
from fieldwork.app.services import controls as control_service
from fieldwork.app.services import requirements as requirement_service
from fieldwork.app.services.conclusions import conclusion_kinds_for, read_conclusions, read_grounds
from fieldwork.app.services.deviations import read_deviations
from fieldwork.app.services.findings import read_findings
from fieldwork.app.services.signables import ItemType
from fieldwork.app.services.soa import read_soa
from fieldwork.app.services.status import statuses_of_controls


@dataclass(frozen=True)
class Related:
    code: str
    title: str
    relationship: str
    rationale: str
    status: Status


@dataclass(frozen=True)
class RequirementPage:
    requirement: Requirement
    state: RequirementStatus | None
    controls: tuple[Control, ...]
    control_status: dict[ControlId, Status]
    related: tuple[Related, ...]
    all_controls: tuple[Control, ...]
    #: The recorded conclusion beside its progress (None for a requirement nothing is concluded on).
    conclusion: RequirementConclusion | None
    kinds: tuple[CriterionConclusion, ...]
    #: The Statement of Applicability's justification when the Annex A control is excluded.
    excluded_because: str | None
    deviations: tuple[Choice[DeviationId], ...]
    considered: frozenset[DeviationId]
    compensating: tuple[Choice[ControlId], ...]
    compensating_chosen: frozenset[ControlId]
    findings: tuple[Finding, ...]
    #: The conclusion's sign-offs and open review notes, for the conclusion box's review strip.
    review: ItemReview


def _relationship(link: Mapping, code: str) -> str:
    """Read the relationship from this requirement's side (the crosswalk stores it ISO-first)."""
    if link.iso_code == code or link.relationship.value in ("equal", "intersect"):
        return link.relationship.label
    return {"subset": "Superset", "superset": "Subset"}[link.relationship.value]


def _related(
    conn: Connection, code: str, scope: dict[str, Requirement], statuses: dict[str, RequirementStatus]
) -> list[Related]:
    related = []
    for link in requirement_service.read_mappings(conn):
        if code not in (link.iso_code, link.soc2_code):
            continue
        other = link.soc2_code if link.iso_code == code else link.iso_code
        if other in scope:
            status = statuses[other].status if other in statuses else Status.NOT_STARTED
            related.append(Related(other, scope[other].title, _relationship(link, code), link.rationale, status))
    return related


def read_requirement_page(conn: Connection, code: str) -> RequirementPage:
    grounds = read_grounds(conn)
    by_code = {r.code: r for r in grounds.scope}
    if code not in by_code:
        raise NotFoundError(f"{code} is not in the scope of this engagement.")
    requirement = by_code[code]
    concluded = next((c for c in read_conclusions(conn, grounds) if c.code == code), None)
    everything = control_service.read_controls(conn)
    linked = [c for c in everything if code in c.requirements]
    deviations = deviation_choices(read_deviations(conn), concluded.controls if concluded else ())
    cited = set(concluded.deviations if concluded else ())
    others = [c for c in everything if concluded is None or c.ref not in concluded.controls]
    compensating = control_choices(others)
    chosen = set(concluded.compensating_controls if concluded else ())
    excluded = concluded is not None and concluded.conclusion is CriterionConclusion.EXCLUDED
    return RequirementPage(
        requirement=requirement,
        state=grounds.statuses.get(code),
        controls=tuple(linked),
        control_status=statuses_of_controls(
            [t for found in grounds.tests.values() for t in found], grounds.report_type
        ),
        related=tuple(_related(conn, code, by_code, grounds.statuses)),
        all_controls=tuple(everything),
        conclusion=concluded,
        kinds=tuple(conclusion_kinds_for(requirement)),
        excluded_because=next((s.justification for s in read_soa(conn) if s.annex_code == code), "")
        if excluded
        else None,
        deviations=deviations,
        considered=frozenset(d.key for d in deviations if d.ref in cited),
        compensating=compensating,
        compensating_chosen=frozenset(c.key for c in compensating if c.ref in chosen),
        findings=tuple(f for f in read_findings(conn) if code in f.requirements),
        review=read_item_review(conn, ItemType.CONCLUSION, code),
    )


def load_requirement_page(db: Engagement, code: str) -> RequirementPage:
    with db.reading() as conn:
        return read_requirement_page(conn, code)
