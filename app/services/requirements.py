"""The frameworks as this engagement holds them: requirements in scope and the crosswalk."""

from __future__ import annotations

from sqlalchemy import Connection, RowMapping, func, select

from fieldwork.app.domain.records import EngagementDetails, Mapping, Requirement
from fieldwork.app.domain.vocabulary import AUDITABLE_KINDS, Framework, Relationship, RequirementKind
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError, ValidationError
from fieldwork.app.services.engagement import read_details
from fieldwork.app.services.history import changes
from fieldwork.app.storage.schema import live, mapping, requirement


def _record(r: RowMapping) -> Requirement:
    return Requirement(
        code=r["code"],
        framework=Framework(r["framework"]),
        kind=RequirementKind(r["kind"]),
        title=r["title"],
        description=r["description"],
        parent=r["parent_code"],
        category=r["category"],
        group=r["group_name"],
    )


def read_requirements(conn: Connection) -> list[Requirement]:
    """Every requirement of both frameworks, in catalog order."""
    rows = conn.execute(select(requirement).order_by(requirement.c.sort_order)).mappings()
    return [_record(row) for row in rows]


def in_scope(requirement_: Requirement, details: EngagementDetails) -> bool:
    """SOC 2 criteria count only for the categories in scope; ISO 42001 is always examined."""
    if requirement_.framework is Framework.SOC2:
        return requirement_.category in details.tsc_categories
    return True


def read_scope(conn: Connection) -> list[Requirement]:
    """The requirements of this engagement (all kinds, SOC 2 narrowed to the categories in scope)."""
    details = read_details(conn)
    return [r for r in read_requirements(conn) if in_scope(r, details)]


def list_requirements(db: Engagement) -> list[Requirement]:
    with db.reading() as conn:
        return read_scope(conn)


def get_requirement(db: Engagement, code: str) -> Requirement:
    with db.reading() as conn:
        row = conn.execute(select(requirement).where(requirement.c.code == code)).mappings().first()
    if row is None:
        raise NotFoundError(f"There is no requirement {code} in either framework.")
    return _record(row)


def require_auditable(conn: Connection, code: str) -> Requirement:
    """The requirement a control may be linked to (a criterion, subclause or Annex A control)."""
    row = conn.execute(select(requirement).where(requirement.c.code == code)).mappings().first()
    if row is None:
        raise NotFoundError(f"There is no requirement {code} in either framework.")
    found = _record(row)
    if found.kind not in AUDITABLE_KINDS:
        raise ValidationError(
            f"{code} is a {found.kind.label.lower()}; link controls to its criteria, subclauses or controls."
        )
    return found


def _mapping_record(r: RowMapping) -> Mapping:
    return Mapping(
        iso_code=r["iso_code"],
        soc2_code=r["soc2_code"],
        relationship=Relationship(r["relationship"]),
        rationale=r["rationale"],
        origin=r["origin"],
        active=bool(r["active"]),
    )


def read_mappings(conn: Connection, *, active_only: bool = True) -> list[Mapping]:
    query = select(mapping).where(live(mapping)).order_by(mapping.c.sort_order, mapping.c.iso_code, mapping.c.soc2_code)
    if active_only:
        query = query.where(mapping.c.active.is_(True))
    return [_mapping_record(row) for row in conn.execute(query).mappings()]


def list_mappings(db: Engagement, *, active_only: bool = True) -> list[Mapping]:
    with db.reading() as conn:
        return read_mappings(conn, active_only=active_only)


def related(db: Engagement, code: str) -> list[Mapping]:
    """The crosswalk links of one requirement, in either direction."""
    return [m for m in list_mappings(db) if code in (m.iso_code, m.soc2_code)]


def add_mapping(db: Engagement, iso_code: str, soc2_code: str, relationship: Relationship, rationale: str) -> None:
    """An engagement-specific crosswalk link (the bundled ones stay as shipped)."""
    if not rationale.strip():
        raise ValidationError("Give the rationale for the link: why one requirement informs the other.")
    with changes(db) as ch:
        iso = require_auditable(ch.conn, iso_code)
        soc2 = require_auditable(ch.conn, soc2_code)
        if iso.framework is not Framework.ISO42001 or soc2.framework is not Framework.SOC2:
            raise ValidationError("A crosswalk link joins an ISO/IEC 42001 requirement to a SOC 2 criterion.")
        key = {"iso_code": iso_code, "soc2_code": soc2_code}
        same = (mapping.c.iso_code == iso_code) & (mapping.c.soc2_code == soc2_code)
        exists = ch.conn.execute(select(mapping.c.relationship).where(same, live(mapping))).first()
        if exists is not None:
            values: dict[str, object] = {"active": True}
            if exists.relationship != relationship.value:
                # The auditor's own judgement replaces the bundled link's, so a newer crosswalk leaves it alone.
                values.update(relationship=relationship.value, rationale=rationale.strip(), origin="engagement")
            ch.update(mapping, key, values)
            return
        last = ch.conn.execute(select(func.coalesce(func.max(mapping.c.sort_order), 0))).scalar_one()
        values = {"relationship": relationship.value, "rationale": rationale.strip(), "origin": "engagement"}
        ch.insert(mapping, {**key, **values, "active": True, "sort_order": last + 1})


def set_mapping_active(db: Engagement, iso_code: str, soc2_code: str, active: bool) -> None:
    """Switch a crosswalk link off (or on) for this engagement; nothing is deleted."""
    with changes(db) as ch:
        ch.update(mapping, {"iso_code": iso_code, "soc2_code": soc2_code}, {"active": active})
