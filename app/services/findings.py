"""The ISO/IEC 42001 findings register, kept apart from SOC 2 testing (JUDGEMENTS.md section 4).

A finding is raised against the requirements it concerns (a subclause or an Annex A control), written as
requirement + statement + objective evidence, and counted once, against those. It may come from SOC 2
deviations or from nothing tested at all (no management review held in the period). Observations and
opportunities for improvement never touch a SOC 2 test: no test result or status reads this register.
Nonconformities follow clause 10.2: correction, root cause, corrective action with owner and due date,
implementation, verification of effectiveness, closure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Table, select

from fieldwork.app.domain.ids import AiSystemId, DeviationId, EvidenceId, FindingId
from fieldwork.app.domain.judgements import Finding, FindingInput, FindingKind, FindingStatus
from fieldwork.app.domain.vocabulary import Framework
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError, ValidationError
from fieldwork.app.services.grouped import evidence_by, grouped
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.refs import find_id, next_number
from fieldwork.app.services.requirements import require_auditable
from fieldwork.app.storage.schema import (
    ai_system,
    deviation,
    evidence_link,
    finding,
    finding_ai_system,
    finding_deviation,
    finding_requirement,
    live,
    requirement,
)

REF_PATTERN = re.compile(r"^F-(\d+)$")

#: How far along clause 10.2 a status is: each needs what the earlier ones need.
_ORDER = list(FindingStatus)


def _row(values: FindingInput) -> dict[str, Any]:
    kind, status = FindingKind(values.kind), FindingStatus(values.status)
    statement = values.statement.strip()
    if not statement:
        raise ValidationError("Write the finding's statement: what does not conform, and to what.")
    if not values.requirements:
        raise ValidationError("Raise the finding against the requirement(s) it concerns.")
    if kind.nonconformity:
        _check_life_cycle(values, status)
    elif status not in (FindingStatus.OPEN, FindingStatus.CLOSED):
        raise ValidationError(f"An {kind.label.lower()} is open or closed; it has no corrective action to follow.")
    return {
        "kind": kind.value,
        "statement": statement,
        "objective_evidence": values.objective_evidence.strip(),
        "correction": values.correction.strip(),
        "root_cause": values.root_cause.strip(),
        "corrective_action": values.corrective_action.strip(),
        "owner": values.owner.strip(),
        "due_date": values.due_date,
        "status": status.value,
        "verified_by": values.verified_by.strip(),
        "verified_on": values.verified_on,
        "verification": values.verification.strip(),
        "closed_on": (values.closed_on or date.today()) if status is FindingStatus.CLOSED else None,
    }


def _check_life_cycle(values: FindingInput, status: FindingStatus) -> None:
    """A nonconformity moves on only with what clause 10.2 asks for at that step."""
    reached = _ORDER.index(status)
    if reached >= _ORDER.index(FindingStatus.ACTION_PLANNED):
        missing = [
            name
            for name, value in (
                ("the root cause", values.root_cause),
                ("the corrective action", values.corrective_action),
                ("its owner", values.owner),
            )
            if not value.strip()
        ]
        if values.due_date is None:
            missing.append("a due date")
        if missing:
            raise ValidationError(f"A planned corrective action needs {', '.join(missing)}.")
    verified = values.verified_by.strip() and values.verified_on is not None and values.verification.strip()
    if reached >= _ORDER.index(FindingStatus.VERIFIED) and not verified:
        raise ValidationError("Record who verified the corrective action was effective, when, and on what evidence.")


def _check_requirements(ch: Changes, codes: tuple[str, ...]) -> list[str]:
    for code in codes:
        found = require_auditable(ch.conn, code)
        if found.framework is not Framework.ISO42001:
            raise ValidationError(
                f"{code} is a SOC 2 criterion; the findings register is for ISO/IEC 42001 requirements "
                "(SOC 2 results are deviations on tests)."
            )
    return list(dict.fromkeys(codes))


def _existing(ch: Changes, table: Table, ids: Sequence[UUID], noun: str) -> list[UUID]:
    """The records named by the finding, each once, refused when one is gone."""
    wanted = list(dict.fromkeys(ids))
    found = set(ch.conn.execute(select(table.c.id).where(table.c.id.in_(wanted), live(table))).scalars())
    if len(found) != len(wanted):
        raise NotFoundError(f"{noun} named by the finding no longer exists.")
    return wanted


def _save(ch: Changes, finding_id: FindingId, values: FindingInput) -> None:
    owner = ("finding_id", finding_id)
    ch.set_links(finding_requirement, owner, "requirement_code", _check_requirements(ch, values.requirements))
    ch.set_links(finding_deviation, owner, "deviation_id", _existing(ch, deviation, values.deviations, "A deviation"))
    if values.ai_systems is not None:
        systems = _existing(ch, ai_system, values.ai_systems, "An AI system")
        ch.set_links(finding_ai_system, owner, "ai_system_id", systems)


def create_finding(db: Engagement, values: FindingInput) -> Finding:
    with changes(db) as ch:
        return read_finding(ch.conn, insert_finding(ch, values))


def insert_finding(ch: Changes, values: FindingInput) -> FindingId:
    """Raise a finding in the caller's transaction, with the next reference (F-001)."""
    row = _row(values)
    ref = f"F-{next_number(ch.conn, finding.c.ref, REF_PATTERN):03d}"
    finding_id = FindingId(ch.insert(finding, {"ref": ref, **row}))
    _save(ch, finding_id, values)
    return finding_id


def update_finding(db: Engagement, finding_id: FindingId, values: FindingInput) -> Finding:
    row = _row(values)
    with changes(db) as ch:
        ch.update(finding, {"id": finding_id}, row)
        _save(ch, finding_id, values)
        return read_finding(ch.conn, finding_id)


def delete_finding(db: Engagement, finding_id: FindingId) -> None:
    """Delete a finding raised by mistake; its links go with it and the files stay in the library."""
    with changes(db) as ch:
        remove_finding(ch, finding_id)


def remove_finding(ch: Changes, finding_id: FindingId) -> None:
    """Inside a change: a finding, its links to requirements, deviations and evidence (the files stay)."""
    ch.delete_where(evidence_link, evidence_link.c.finding_id == finding_id)
    ch.delete(finding, {"id": finding_id})


def find_finding_id(conn: Connection, ref_or_id: str | UUID) -> FindingId:
    return FindingId(find_id(conn, finding, ref_or_id, "finding"))


# --- reading -------------------------------------------------------------------------------------


def read_findings(conn: Connection, finding_id: FindingId | None = None) -> list[Finding]:
    """The register in reference order, each finding with its requirements, deviations and evidence."""
    requirements = grouped(
        conn,
        select(finding_requirement.c.finding_id, finding_requirement.c.requirement_code)
        .join(requirement, requirement.c.code == finding_requirement.c.requirement_code)
        .where(live(finding_requirement))
        .order_by(requirement.c.sort_order),
    )
    deviations = grouped(
        conn,
        select(finding_deviation.c.finding_id, deviation.c.id, deviation.c.ref)
        .join(deviation, deviation.c.id == finding_deviation.c.deviation_id)
        .where(live(finding_deviation), live(deviation))
        .order_by(deviation.c.ref),
    )
    files = evidence_by(conn, evidence_link.c.finding_id)
    systems = grouped(
        conn,
        select(finding_ai_system.c.finding_id, ai_system.c.id, ai_system.c.name)
        .join(ai_system, ai_system.c.id == finding_ai_system.c.ai_system_id)
        .where(live(finding_ai_system), live(ai_system))
        .order_by(ai_system.c.ref),
    )
    query = select(finding).where(live(finding)).order_by(finding.c.ref)
    if finding_id is not None:
        query = query.where(finding.c.id == finding_id)
    return [
        replace(
            _record(row, requirements.get(row["id"], []), deviations.get(row["id"], []), files.get(row["id"], [])),
            ai_systems=tuple(name for _, name in systems.get(row["id"], [])),
            ai_system_ids=tuple(AiSystemId(key) for key, _ in systems.get(row["id"], [])),
        )
        for row in conn.execute(query).mappings()
    ]


def _record(row: Any, codes: list[str], deviations: list[tuple[UUID, str]], files: list[tuple[UUID, str]]) -> Finding:
    return Finding(
        id=row["id"],
        ref=row["ref"],
        kind=FindingKind(row["kind"]),
        statement=row["statement"],
        requirements=tuple(codes),
        objective_evidence=row["objective_evidence"],
        deviations=tuple(ref for _, ref in deviations),
        evidence=tuple(ref for _, ref in files),
        correction=row["correction"],
        root_cause=row["root_cause"],
        corrective_action=row["corrective_action"],
        owner=row["owner"],
        due_date=row["due_date"],
        status=FindingStatus(row["status"]),
        verified_by=row["verified_by"],
        verified_on=row["verified_on"],
        verification=row["verification"],
        closed_on=row["closed_on"],
        deviation_ids=tuple(DeviationId(key) for key, _ in deviations),
        evidence_ids=tuple(EvidenceId(key) for key, _ in files),
        predecessor_id=row["predecessor_id"],
    )


def read_finding(conn: Connection, finding_id: FindingId) -> Finding:
    found = read_findings(conn, finding_id)
    if not found:
        raise NotFoundError("That finding no longer exists.")
    return found[0]


def list_findings(db: Engagement) -> list[Finding]:
    with db.reading() as conn:
        return read_findings(conn)


def get_finding(db: Engagement, ref_or_id: str | UUID) -> Finding:
    with db.reading() as conn:
        return read_finding(conn, find_finding_id(conn, ref_or_id))
