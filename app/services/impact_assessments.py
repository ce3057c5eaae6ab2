"""AI system impact assessments (ISO/IEC 42001 A.5, performed under 8.4): one record per assessment of a system.

An assessment is approved when it has who approved it and when; only approved ones count. A system that reached
production before its first approved assessment is flagged by the coverage matrix (`ai_coverage`), which reads
`assessment_state` here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from fieldwork.app.domain.ai_systems import AiSystem, AssessmentState, ImpactAssessment, ImpactAssessmentInput
from fieldwork.app.domain.ids import AiSystemId, ImpactAssessmentId
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError, ValidationError
from fieldwork.app.services.ai_systems import find_system
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.storage.schema import ai_system, impact_assessment, live


def assessment_row(values: ImpactAssessmentInput) -> dict[str, Any]:
    """The stored values of an assessment, refused with one sentence when they cannot be right."""
    assessor, approver = values.assessor.strip(), values.approved_by.strip()
    if values.assessed_on is None:
        raise ValidationError("Give the date the impact assessment was performed.")
    if not assessor:
        raise ValidationError("Say who performed the impact assessment.")
    if bool(approver) != (values.approved_on is not None):
        raise ValidationError("An approval needs both who approved the impact assessment and when.")
    if values.approved_on is not None and values.approved_on < values.assessed_on:
        raise ValidationError("An impact assessment cannot be approved before it was performed.")
    if values.next_review is not None and values.next_review <= values.assessed_on:
        raise ValidationError("The next review of an impact assessment comes after the assessment.")
    return {
        "reference": values.reference.strip(),
        "assessed_on": values.assessed_on,
        "assessor": assessor,
        "individuals": values.individuals.strip(),
        "societal": values.societal.strip(),
        "results": values.results.strip(),
        "approved_by": approver,
        "approved_on": values.approved_on,
        "next_review": values.next_review,
    }


def insert_assessment(ch: Changes, system_id: AiSystemId, values: ImpactAssessmentInput) -> ImpactAssessmentId:
    row = assessment_row(values)
    find_system(ch.conn, system_id)
    return ImpactAssessmentId(ch.insert(impact_assessment, {"ai_system_id": system_id, **row}))


def add_assessment(db: Engagement, system_id: AiSystemId, values: ImpactAssessmentInput) -> ImpactAssessment:
    with changes(db) as ch:
        return read_assessment(ch.conn, insert_assessment(ch, system_id, values))


def update_assessment(
    db: Engagement, assessment_id: ImpactAssessmentId, values: ImpactAssessmentInput
) -> ImpactAssessment:
    row = assessment_row(values)
    with changes(db) as ch:
        ch.update(impact_assessment, {"id": assessment_id}, row)
        return read_assessment(ch.conn, assessment_id)


def delete_assessment(db: Engagement, assessment_id: ImpactAssessmentId) -> None:
    with changes(db) as ch:
        ch.delete(impact_assessment, {"id": assessment_id})


# --- reading -------------------------------------------------------------------------------------------------


def read_assessments(conn: Connection, assessment_id: ImpactAssessmentId | None = None) -> list[ImpactAssessment]:
    """Every assessment of a live system, by system and then date performed."""
    query = (
        select(impact_assessment, ai_system.c.name)
        .join(ai_system, ai_system.c.id == impact_assessment.c.ai_system_id)
        .where(live(impact_assessment), live(ai_system))
        .order_by(ai_system.c.ref, impact_assessment.c.assessed_on, impact_assessment.c.id)
    )
    if assessment_id is not None:
        query = query.where(impact_assessment.c.id == assessment_id)
    return [
        ImpactAssessment(
            id=row["id"],
            ai_system_id=row["ai_system_id"],
            system=row["name"],
            reference=row["reference"],
            assessed_on=row["assessed_on"],
            assessor=row["assessor"],
            individuals=row["individuals"],
            societal=row["societal"],
            results=row["results"],
            approved_by=row["approved_by"],
            approved_on=row["approved_on"],
            next_review=row["next_review"],
        )
        for row in conn.execute(query).mappings()
    ]


def read_assessment(conn: Connection, assessment_id: ImpactAssessmentId) -> ImpactAssessment:
    found = read_assessments(conn, assessment_id)
    if not found:
        raise NotFoundError("That impact assessment no longer exists.")
    return found[0]


def assessment_state(system: AiSystem, assessments: Iterable[ImpactAssessment]) -> AssessmentState:
    """The system's assessments in one line: how many, the first approval, the latest, and how late the first
    approval came after the system reached production (None when it came first, or nothing is approved yet)."""
    own = [found for found in assessments if found.ai_system_id == system.id]
    approved = [found.approved_on for found in own if found.approved_on is not None]
    first = min(approved, default=None)
    late = None
    if first is not None and system.deployed_on is not None and system.deployed_on < first:
        late = (first - system.deployed_on).days
    latest = max(own, key=lambda found: (found.assessed_on, found.approved_on is not None), default=None)
    return AssessmentState(len(own), first, latest, late)
