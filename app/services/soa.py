"""The Statement of Applicability: one line per Annex A control of ISO/IEC 42001."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, select

from fieldwork.app.domain.records import SoaLine
from fieldwork.app.domain.vocabulary import ImplementationStatus, Status
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.engagement import read_details
from fieldwork.app.services.history import changes
from fieldwork.app.services.requirements import read_scope
from fieldwork.app.services.status import read_requirement_statuses
from fieldwork.app.storage.schema import control, control_requirement, live, requirement, soa_line


def list_soa(db: Engagement) -> list[SoaLine]:
    with db.reading() as conn:
        return read_soa(conn)


def read_soa(conn: Connection) -> list[SoaLine]:
    """All 38 lines in catalog order, with the controls that implement each and its result."""
    details = read_details(conn)
    statuses = read_requirement_statuses(conn, read_scope(conn), details.report_type)
    implementing: dict[str, list[str]] = defaultdict(list)
    links = (
        select(control_requirement.c.requirement_code, control.c.ref)
        .join(control, control.c.id == control_requirement.c.control_id)
        .where(live(control_requirement))
        .order_by(control.c.ref)
    )
    for code, ref in conn.execute(links):
        implementing[code].append(ref)
    query = (
        select(soa_line, requirement.c.title)
        .join(requirement, requirement.c.code == soa_line.c.annex_code)
        .order_by(requirement.c.sort_order)
    )
    return [
        SoaLine(
            annex_code=row["annex_code"],
            title=row["title"],
            included=bool(row["included"]),
            justification=row["justification"],
            implementation_status=(
                ImplementationStatus(row["implementation_status"]) if row["implementation_status"] else None
            ),
            controls=tuple(implementing.get(row["annex_code"], ())),
            status=statuses[row["annex_code"]].status if row["annex_code"] in statuses else Status.NOT_STARTED,
        )
        for row in conn.execute(query).mappings()
    ]


def set_soa_line(
    db: Engagement,
    annex_code: str,
    *,
    included: bool,
    justification: str,
    implementation_status: ImplementationStatus | None,
) -> None:
    """Record applicability; an exclusion must say why."""
    justification = justification.strip()
    if not included and not justification:
        raise ValidationError(f"Excluding {annex_code} needs a justification in the Statement of Applicability.")
    status = ImplementationStatus(implementation_status).value if implementation_status else None
    with changes(db) as ch:
        exists = ch.conn.execute(select(soa_line.c.annex_code).where(soa_line.c.annex_code == annex_code)).scalar()
        if exists is None:
            raise ValidationError(f"{annex_code} is not an Annex A control of ISO/IEC 42001.")
        ch.update(
            soa_line,
            {"annex_code": annex_code},
            {"included": included, "justification": justification, "implementation_status": status},
        )
