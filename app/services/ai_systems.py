"""The AI system inventory: records typed in or imported, and the controls, tests and findings linked to each.

A control is linked to the systems it applies to. A test counts for every system its control is linked to, unless
it names the systems it examined (a fairness review of one model's decisions): a test may only name systems its
control applies to, and unlinking a control from a system takes its tests' links to that system with it. A finding
names the systems it concerns where it concerns particular ones. Evidence links to a system like to any item
(`evidence.LinkKind.AI_SYSTEM`); impact assessments belong to one system (`impact_assessments`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from itertools import pairwise
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Table, func, select

from fieldwork.app.domain.ai_systems import (
    STAGES,
    AiRole,
    AiSystem,
    AiSystemInput,
    Component,
    LifeCycleStage,
    RiskLevel,
)
from fieldwork.app.domain.ids import AiSystemId, ControlId, FindingId, TestId, parse_id
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError, ValidationError
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.refs import next_number
from fieldwork.app.storage.schema import (
    ai_system,
    control,
    control_ai_system,
    control_test,
    evidence,
    evidence_link,
    finding,
    finding_ai_system,
    impact_assessment,
    live,
    test_ai_system,
)

REF_PATTERN = re.compile(r"^AI-(\d+)$")


@dataclass(frozen=True)
class _Kind:
    table: Table
    column: str
    records: Table
    noun: str


class LinkKind(Enum):
    """What links to an AI system through a link table of its own."""

    CONTROL = _Kind(control_ai_system, "control_id", control, "control")
    TEST = _Kind(test_ai_system, "test_id", control_test, "test")
    FINDING = _Kind(finding_ai_system, "finding_id", finding, "finding")


# --- checking what is typed or imported ----------------------------------------------------------------------


def _check_life_cycle(name: str, values: AiSystemInput) -> None:
    """Stage dates in life cycle order, none beyond the stage reached, and the dates the flags rest on."""
    stage = LifeCycleStage(values.stage)
    dated = [(each, found) for each in STAGES if (found := values.stage_date(each)) is not None]
    for (earlier, before), (later, after) in pairwise(dated):
        if after < before:
            raise ValidationError(
                f"{name}: {later.label.lower()} ({after.isoformat()}) cannot come before "
                f"{earlier.label.lower()} ({before.isoformat()})."
            )
    beyond = [each for each, _ in dated if STAGES.index(each) > STAGES.index(stage)]
    if beyond:
        raise ValidationError(
            f"{name} is at the {stage.label.lower()} stage but has a date for {beyond[-1].label.lower()}: "
            "move its stage on or clear that date."
        )
    if stage in (LifeCycleStage.DEPLOYED, LifeCycleStage.RETIRED) and values.stage_date(stage) is None:
        raise ValidationError(
            f"Give the date {name} was {stage.label.lower()}: whether it reached production before its impact "
            "assessment, and whether it ran in the period, depend on it."
        )


def _components(found: Iterable[Component]) -> list[dict[str, str]]:
    return [{"name": c.name.strip(), "provenance": c.provenance.strip()} for c in found if c.name.strip()]


def system_row(values: AiSystemInput) -> dict[str, Any]:
    """The stored values of an inventory record, refused with one sentence when they cannot be right."""
    name = " ".join(values.name.split())
    if not name:
        raise ValidationError("Give the AI system its name.")
    _check_life_cycle(name, values)
    reason = values.scope_reason.strip()
    if not values.in_scope and not reason:
        raise ValidationError(f"Say why {name} is outside the scope of the AI management system.")
    return {
        "name": name,
        "purpose": values.purpose.strip(),
        "roles": [AiRole(role).value for role in dict.fromkeys(values.roles)],
        "affected": values.affected.strip(),
        "risk_level": RiskLevel(values.risk_level).value if values.risk_level else None,
        "stage": LifeCycleStage(values.stage).value,
        **{each.date_field: values.stage_date(each) for each in STAGES},
        "models": _components(values.models),
        "datasets": _components(values.datasets),
        "owner": values.owner.strip(),
        "in_scope": bool(values.in_scope),
        "scope_reason": reason,
    }


def id_by_name(conn: Connection, name: str) -> AiSystemId | None:
    """The live system with this name (any case, spaces as typed collapsed), if there is one."""
    wanted = " ".join(name.split()).casefold()
    query = select(ai_system.c.id, ai_system.c.name).where(live(ai_system))
    return next((AiSystemId(key) for key, found in conn.execute(query) if found.casefold() == wanted), None)


def _refuse_duplicate(conn: Connection, row: dict[str, Any], system_id: AiSystemId | None = None) -> None:
    found = id_by_name(conn, row["name"])
    if found is not None and found != system_id:
        raise ValidationError(f"The inventory already has an AI system named {row['name']}.")


# --- writing -------------------------------------------------------------------------------------------------


def insert_system(ch: Changes, values: AiSystemInput) -> AiSystemId:
    """Add a system to the inventory in the caller's transaction, with the next reference (AI-01)."""
    row = system_row(values)
    _refuse_duplicate(ch.conn, row)
    ref = f"AI-{next_number(ch.conn, ai_system.c.ref, REF_PATTERN):02d}"
    return AiSystemId(ch.insert(ai_system, {"ref": ref, **row}))


def create_system(db: Engagement, values: AiSystemInput) -> AiSystem:
    with changes(db) as ch:
        return read_system(ch.conn, insert_system(ch, values))


def write_system(ch: Changes, system_id: AiSystemId, values: AiSystemInput) -> None:
    row = system_row(values)
    _refuse_duplicate(ch.conn, row, system_id)
    ch.update(ai_system, {"id": system_id}, row)


def update_system(db: Engagement, system_id: AiSystemId, values: AiSystemInput) -> AiSystem:
    with changes(db) as ch:
        write_system(ch, system_id, values)
        return read_system(ch.conn, system_id)


def delete_system(db: Engagement, system_id: AiSystemId) -> None:
    """Take a system out of the inventory (entered by mistake): its links and impact assessments go with it, each
    recorded; evidence files stay in the library."""
    with changes(db) as ch:
        ch.delete_where(evidence_link, evidence_link.c.ai_system_id == system_id)
        ch.delete_where(impact_assessment, impact_assessment.c.ai_system_id == system_id)
        ch.delete(ai_system, {"id": system_id})  # the control, test and finding links go with it


def _require(conn: Connection, kind: _Kind, key: UUID) -> None:
    table = kind.records
    if conn.execute(select(table.c.id).where(table.c.id == key, live(table))).first() is None:
        raise NotFoundError(f"That {kind.noun} no longer exists.")


def _refuse_test_outside(conn: Connection, system_id: AiSystemId, test_ids: Sequence[UUID]) -> None:
    """A test may name a system only if its control applies to that system."""
    linked = select(control_ai_system.c.control_id).where(
        control_ai_system.c.ai_system_id == system_id, live(control_ai_system)
    )
    outside = conn.execute(
        select(control_test.c.ref, control.c.ref)
        .join(control, control.c.id == control_test.c.control_id)
        .where(control_test.c.id.in_(test_ids), control_test.c.control_id.not_in(linked))
        .order_by(control_test.c.ref)
    ).first()
    if outside is not None:
        test_ref, control_ref = outside
        raise ValidationError(f"{test_ref} tests {control_ref}, which is not linked to this AI system: link it first.")


def set_links(ch: Changes, system_id: AiSystemId, link: LinkKind, ids: Sequence[UUID]) -> None:
    """Make the system's links of one kind exactly `ids`, each change recorded."""
    kind = link.value
    find_system(ch.conn, system_id)
    for key in ids:
        _require(ch.conn, kind, key)
    if link is LinkKind.TEST and ids:
        _refuse_test_outside(ch.conn, system_id, ids)
    before = set(_linked_ids(ch.conn, kind, system_id))
    ch.set_links(kind.table, ("ai_system_id", system_id), kind.column, list(ids))
    gone = before - set(ids)
    if link is LinkKind.CONTROL and gone:
        tests = select(control_test.c.id).where(control_test.c.control_id.in_(gone))
        condition = (test_ai_system.c.ai_system_id == system_id) & test_ai_system.c.test_id.in_(tests)
        ch.delete_where(test_ai_system, condition)


def _linked_ids(conn: Connection, kind: _Kind, system_id: AiSystemId) -> list[UUID]:
    table = kind.table
    query = select(table.c[kind.column]).where(table.c.ai_system_id == system_id, live(table))
    return list(conn.execute(query).scalars())


def link_system(db: Engagement, system_id: AiSystemId, link: LinkKind, ids: Sequence[UUID]) -> AiSystem:
    with changes(db) as ch:
        set_links(ch, system_id, link, ids)
        return read_system(ch.conn, system_id)


# --- reading -------------------------------------------------------------------------------------------------


def find_system(conn: Connection, ref_name_or_id: str | UUID) -> AiSystemId:
    """A live system by its reference (AI-01), its name (any case) or its id."""
    text = str(ref_name_or_id).strip()
    key = parse_id(ref_name_or_id) if isinstance(ref_name_or_id, UUID) or len(text) >= 32 else None
    query = select(ai_system.c.id).where(live(ai_system))
    if key is not None:
        found = conn.execute(query.where(ai_system.c.id == key)).scalar()
    else:
        found = conn.execute(query.where(func.upper(ai_system.c.ref) == text.upper())).scalar()
        found = found or id_by_name(conn, text)
    if found is None:
        raise NotFoundError(f"There is no AI system {text} in this engagement.")
    return AiSystemId(found)


def _linked(conn: Connection, link: LinkKind) -> dict[AiSystemId, list[tuple[UUID, str]]]:
    """(id, reference) of the records of one kind linked to each system, in reference order."""
    kind = link.value
    query = (
        select(kind.table.c.ai_system_id, kind.records.c.id, kind.records.c.ref)
        .join(kind.records, kind.records.c.id == kind.table.c[kind.column])
        .where(live(kind.table), live(kind.records))
        .order_by(kind.records.c.ref)
    )
    found: dict[AiSystemId, list[tuple[UUID, str]]] = defaultdict(list)
    for system_id, key, ref in conn.execute(query):
        found[system_id].append((key, ref))
    return found


def _evidence(conn: Connection) -> dict[AiSystemId, list[str]]:
    query = (
        select(evidence_link.c.ai_system_id, evidence.c.ref)
        .join(evidence, evidence.c.id == evidence_link.c.evidence_id)
        .where(evidence_link.c.ai_system_id.is_not(None), live(evidence_link), live(evidence))
        .order_by(evidence.c.ref)
    )
    found: dict[AiSystemId, list[str]] = defaultdict(list)
    for system_id, ref in conn.execute(query):
        found[system_id].append(ref)
    return found


def _parts(stored: list[dict[str, str]]) -> tuple[Component, ...]:
    return tuple(Component(part["name"], part.get("provenance", "")) for part in stored)


def read_systems(conn: Connection, system_id: AiSystemId | None = None) -> list[AiSystem]:
    """The inventory in reference order, each system with the records linked to it."""
    links = {link: _linked(conn, link) for link in LinkKind}
    files = _evidence(conn)
    query = select(ai_system).where(live(ai_system)).order_by(ai_system.c.ref)
    if system_id is not None:
        query = query.where(ai_system.c.id == system_id)
    systems = []
    for row in conn.execute(query).mappings():
        key = row["id"]
        controls, tests, findings = (links[link].get(key, []) for link in LinkKind)
        risk = row["risk_level"]
        systems.append(
            AiSystem(
                id=key,
                ref=row["ref"],
                name=row["name"],
                purpose=row["purpose"],
                roles=tuple(AiRole(role) for role in row["roles"]),
                affected=row["affected"],
                risk_level=RiskLevel(risk) if risk else None,
                stage=LifeCycleStage(row["stage"]),
                **{each.date_field: row[each.date_field] for each in STAGES},
                models=_parts(row["models"]),
                datasets=_parts(row["datasets"]),
                owner=row["owner"],
                in_scope=bool(row["in_scope"]),
                scope_reason=row["scope_reason"],
                controls=tuple(ref for _, ref in controls),
                control_ids=tuple(ControlId(k) for k, _ in controls),
                tests=tuple(ref for _, ref in tests),
                test_ids=tuple(TestId(k) for k, _ in tests),
                findings=tuple(ref for _, ref in findings),
                finding_ids=tuple(FindingId(k) for k, _ in findings),
                evidence=tuple(files.get(key, ())),
            )
        )
    return systems


def read_system(conn: Connection, system_id: AiSystemId) -> AiSystem:
    found = read_systems(conn, system_id)
    if not found:
        raise NotFoundError("That AI system no longer exists.")
    return found[0]


def list_systems(db: Engagement) -> list[AiSystem]:
    with db.reading() as conn:
        return read_systems(conn)


def read_finding_systems(conn: Connection) -> dict[FindingId, tuple[str, ...]]:
    """The names of the systems each finding concerns (for the findings register)."""
    query = (
        select(finding_ai_system.c.finding_id, ai_system.c.name)
        .join(ai_system, ai_system.c.id == finding_ai_system.c.ai_system_id)
        .where(live(finding_ai_system), live(ai_system))
        .order_by(ai_system.c.ref)
    )
    found: dict[FindingId, list[str]] = defaultdict(list)
    for finding_id, name in conn.execute(query):
        found[finding_id].append(name)
    return {key: tuple(names) for key, names in found.items()}
