"""Subservice organizations, the controls an inclusive one performs, and the CUECs and CSOCs (`JUDGEMENTS.md` 5).

Each public write is one user action through `changes`; the report, the workbook, `info` and the settings page
all read `read_subservice`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, select

from fieldwork.app.domain.ids import ComplementaryId, SubserviceId
from fieldwork.app.domain.subservice import (
    ComplementaryControl,
    ComplementaryKind,
    SocReportReview,
    Subservice,
    SubserviceOrganization,
)
from fieldwork.app.domain.vocabulary import Framework, Opinion, ReportType, SubserviceTreatment
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError, ValidationError
from fieldwork.app.services.controls import find_control_id
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.refs import next_number
from fieldwork.app.storage.schema import (
    complementary_control,
    complementary_requirement,
    control,
    control_subservice,
    live,
    requirement,
    subservice_organization,
)


def read_subservice(conn: Connection) -> Subservice:
    organizations = subservice_organization
    rows = conn.execute(select(organizations).where(live(organizations)).order_by(organizations.c.name)).mappings()
    performed = _performed(conn)
    found = tuple(_organization(row, performed.get(row["id"], ())) for row in rows)
    names = {o.id: o.name for o in found}
    return Subservice(found, tuple(_complementary(conn, names)))


def list_subservice(db: Engagement) -> Subservice:
    with db.reading() as conn:
        return read_subservice(conn)


def _performed(conn: Connection) -> dict[Any, tuple[str, ...]]:
    """Per organization, the references of the controls it performs (reference order)."""
    links = control_subservice
    query = (
        select(links.c.organization_id, control.c.ref)
        .join(control, control.c.id == links.c.control_id)
        .where(live(links), live(control))
        .order_by(control.c.ref)
    )
    found: dict[Any, list[str]] = {}
    for organization_id, ref in conn.execute(query):
        found.setdefault(organization_id, []).append(ref)
    return {key: tuple(refs) for key, refs in found.items()}


def _organization(row: Any, controls: tuple[str, ...]) -> SubserviceOrganization:
    report = SocReportReview(
        report_type=ReportType(row["report_type"]) if row["report_type"] else None,
        start=row["report_start"],
        end=row["report_end"],
        opinion=Opinion(row["report_opinion"]) if row["report_opinion"] else None,
        exceptions=row["report_exceptions"],
        reviewed_on=row["reviewed_on"],
        bridge_letter=row["bridge_letter"],
    )
    return SubserviceOrganization(
        name=row["name"],
        services=row["services"],
        method=SubserviceTreatment(row["method"]),
        assertion_received=row["assertion_received"],
        report=report,
        controls=controls,
        id=SubserviceId(row["id"]),
    )


def _complementary(conn: Connection, names: dict[Any, str]) -> list[ComplementaryControl]:
    links = complementary_requirement
    criteria: dict[Any, list[str]] = {}
    query = (
        select(links.c.complementary_id, links.c.requirement_code)
        .join(requirement, requirement.c.code == links.c.requirement_code)
        .where(live(links))
        .order_by(requirement.c.sort_order)
    )
    for owner, code in conn.execute(query):
        criteria.setdefault(owner, []).append(code)
    table = complementary_control
    rows = conn.execute(select(table).where(live(table)).order_by(table.c.kind.desc(), table.c.ref)).mappings()
    return [
        ComplementaryControl(
            kind=ComplementaryKind(row["kind"]),
            text=row["text"],
            criteria=tuple(criteria.get(row["id"], ())),
            organization=names.get(row["organization_id"], ""),
            ref=row["ref"],
            organization_id=row["organization_id"],
            id=ComplementaryId(row["id"]),
        )
        for row in rows
    ]


# -- organizations ---------------------------------------------------------------------------------------------


def _organization_row(organization: SubserviceOrganization) -> dict[str, Any]:
    """The record's columns, checked: a name, one organization per name, a period that runs forwards."""
    name = organization.name.strip()
    if not name:
        raise ValidationError("A subservice organization needs a name.")
    report = organization.report
    type1 = report.report_type is ReportType.TYPE1
    start = None if type1 else report.start
    if start and report.end and report.end < start:
        raise ValidationError(f"The period of {name}'s SOC report ends before it starts.")
    return {
        "name": name,
        "services": organization.services.strip(),
        "method": organization.method.value,
        "assertion_received": organization.assertion_received,
        "report_type": report.report_type.value if report.report_type else None,
        "report_start": start,
        "report_end": report.end,
        "report_opinion": report.opinion.value if report.opinion else None,
        "report_exceptions": report.exceptions.strip(),
        "reviewed_on": report.reviewed_on,
        "bridge_letter": report.bridge_letter,
    }


def _refuse_duplicate_name(conn: Connection, name: str, own_id: SubserviceId | None) -> None:
    table = subservice_organization
    existing = conn.execute(select(table.c.id).where(table.c.name == name, live(table))).scalar()
    if existing is not None and existing != own_id:
        raise ValidationError(f"There is already a subservice organization named {name}.")


def insert_organization(ch: Changes, organization: SubserviceOrganization) -> SubserviceId:
    """Add an organization inside a change already open (the demo builds its file this way)."""
    row = _organization_row(organization)
    _refuse_duplicate_name(ch.conn, row["name"], None)
    return SubserviceId(ch.insert(subservice_organization, row))


def add_organization(db: Engagement, organization: SubserviceOrganization) -> SubserviceId:
    with changes(db) as ch:
        return insert_organization(ch, organization)


def update_organization(db: Engagement, organization: SubserviceOrganization) -> None:
    """Save an organization's fields; the controls it performs are kept (`set_performed_controls` changes them)."""
    if organization.id is None:
        raise NotFoundError("That subservice organization has not been saved yet.")
    row = _organization_row(organization)
    with changes(db) as ch:
        _refuse_duplicate_name(ch.conn, row["name"], organization.id)
        ch.update(subservice_organization, {"id": organization.id}, row)


def remove_organization(db: Engagement, organization_id: SubserviceId) -> None:
    """Remove an organization and its performed-controls links; refused while a CSOC names it (remove or move the
    CSOC first, so no CSOC is left without the organization expected to perform it)."""
    with changes(db) as ch:
        table = complementary_control
        naming = select(table.c.ref).where(table.c.organization_id == organization_id, live(table))
        refs = list(ch.conn.execute(naming.order_by(table.c.ref)).scalars())
        if refs:
            verb = "names" if len(refs) == 1 else "name"
            raise ValidationError(
                f"{', '.join(refs)} {verb} this subservice organization: remove or change them first."
            )
        ch.delete(subservice_organization, {"id": organization_id})


def set_performed_controls(db: Engagement, organization_id: SubserviceId, refs: Sequence[str]) -> None:
    """The controls in the report an inclusive organization performs, by reference (C-010); exactly these."""
    with changes(db) as ch:
        method = ch.conn.execute(
            select(subservice_organization.c.method).where(
                subservice_organization.c.id == organization_id, live(subservice_organization)
            )
        ).scalar()
        if method is None:
            raise NotFoundError("That subservice organization no longer exists.")
        if method != SubserviceTreatment.INCLUSIVE.value and refs:
            raise ValidationError("Only an inclusive subservice organization performs controls in the examination.")
        wanted = [find_control_id(ch.conn, ref) for ref in refs if ref.strip()]
        ch.set_links(control_subservice, ("organization_id", organization_id), "control_id", wanted)


# -- complementary controls ------------------------------------------------------------------------------------


def _check_complementary(conn: Connection, found: ComplementaryControl) -> tuple[str, list[str]]:
    """The text and the criteria codes, checked: a CSOC names a live organization, a CUEC none; each criterion is a
    trust services criterion of the catalog."""
    text = found.text.strip()
    if not text:
        raise ValidationError(f"A {found.kind.short} needs its text.")
    if found.kind is ComplementaryKind.CSOC:
        table = subservice_organization
        query = select(table.c.id).where(table.c.id == found.organization_id, live(table))
        if found.organization_id is None or conn.execute(query).scalar() is None:
            raise ValidationError("A CSOC names the subservice organization expected to perform it.")
    elif found.organization_id is not None:
        raise ValidationError("A CUEC is the user entities' control: it names no subservice organization.")
    codes = [code.strip().upper() for code in found.criteria if code.strip()]
    known = set(
        conn.execute(
            select(requirement.c.code).where(requirement.c.code.in_(codes), requirement.c.framework == Framework.SOC2)
        ).scalars()
    )
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationError(f"Not a trust services criterion: {', '.join(unknown)}.")
    return text, list(dict.fromkeys(codes))


def insert_complementary(ch: Changes, found: ComplementaryControl) -> ComplementaryId:
    """Add a CUEC or CSOC inside a change already open, numbered after every one of its kind (CUEC-03)."""
    text, codes = _check_complementary(ch.conn, found)
    prefix = found.kind.short
    number = next_number(ch.conn, complementary_control.c.ref, re.compile(rf"^{prefix}-(\d+)$"))
    row = {"ref": f"{prefix}-{number:02d}", "kind": found.kind.value, "text": text}
    key = ComplementaryId(ch.insert(complementary_control, {**row, "organization_id": found.organization_id}))
    ch.set_links(complementary_requirement, ("complementary_id", key), "requirement_code", codes)
    return key


def add_complementary(db: Engagement, found: ComplementaryControl) -> ComplementaryId:
    with changes(db) as ch:
        return insert_complementary(ch, found)


def update_complementary(db: Engagement, found: ComplementaryControl) -> None:
    """Save a CUEC's or CSOC's text, organization and criteria (its kind and reference stay)."""
    if found.id is None:
        raise NotFoundError("That complementary control has not been saved yet.")
    with changes(db) as ch:
        table = complementary_control
        stored = ch.conn.execute(select(table.c.kind).where(table.c.id == found.id, live(table))).scalar()
        if stored is None:
            raise NotFoundError(f"{found.ref or 'That complementary control'} no longer exists.")
        text, codes = _check_complementary(ch.conn, replace(found, kind=ComplementaryKind(stored)))
        ch.update(complementary_control, {"id": found.id}, {"text": text, "organization_id": found.organization_id})
        ch.set_links(complementary_requirement, ("complementary_id", found.id), "requirement_code", codes)


def remove_complementary(db: Engagement, complementary_id: ComplementaryId) -> None:
    with changes(db) as ch:
        ch.delete(complementary_control, {"id": complementary_id})
