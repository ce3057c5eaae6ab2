"""The client's controls, their links to requirements, and the crosswalk's suggestions."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, RowMapping, Table, select

from fieldwork.app.domain.ids import ControlId
from fieldwork.app.domain.records import Control, ControlInput, Suggestion
from fieldwork.app.domain.vocabulary import ControlType, Framework, Frequency, Nature
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError, ValidationError
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.ipe import drop_assessments
from fieldwork.app.services.refs import find_id, next_number
from fieldwork.app.services.requirements import read_mappings, read_scope, require_auditable
from fieldwork.app.storage.schema import (
    control,
    control_requirement,
    control_test,
    dismissed_suggestion,
    evidence_link,
    ipe_assessment,
    live,
    requirement,
)

REF_PATTERN = re.compile(r"^C-(\d+)$")


def control_values(values: ControlInput) -> dict[str, Any]:
    """A control's stored fields, trimmed and checked (a title is needed)."""
    title = values.title.strip()
    if not title:
        raise ValidationError("Give the control a short title.")
    return {
        "title": title,
        "description": values.description.strip(),
        "owner": values.owner.strip(),
        "frequency": Frequency(values.frequency).value,
        "nature": Nature(values.nature).value,
        "control_type": ControlType(values.control_type).value,
        "is_key": values.is_key,
    }


def control_input(found: Control) -> ControlInput:
    """A control's fields as an input, for changing some of them."""
    return ControlInput(
        found.title, found.description, found.owner, found.frequency, found.nature, found.control_type, found.is_key
    )


def _record(row: RowMapping, requirements: Iterable[str], neighbours: Neighbours) -> Control:
    refs, replaced_by = neighbours
    return Control(
        id=row["id"],
        ref=row["ref"],
        title=row["title"],
        description=row["description"],
        owner=row["owner"],
        frequency=Frequency(row["frequency"]),
        nature=Nature(row["nature"]),
        control_type=ControlType(row["control_type"]),
        is_key=bool(row["is_key"]),
        requirements=tuple(requirements),
        effective_from=row["effective_from"],
        effective_to=row["effective_to"],
        replaces_id=row["replaces_id"],
        replaces_ref=refs.get(row["replaces_id"]),
        replaced_by_ref=replaced_by.get(row["id"]),
        predecessor_id=row["predecessor_id"],
    )


#: Live controls' references by id, and the reference of the control that replaced each one.
Neighbours = tuple[dict[ControlId, str], dict[ControlId, str]]


def _neighbours(rows: Iterable[RowMapping]) -> Neighbours:
    refs, replaced_by = {}, {}
    for row in rows:
        refs[row["id"]] = row["ref"]
        if row["replaces_id"] is not None:
            replaced_by[row["replaces_id"]] = row["ref"]
    return refs, replaced_by


def next_ref(conn: Connection) -> str:
    return f"C-{next_number(conn, control.c.ref, REF_PATTERN):03d}"


def read_links(conn: Connection, control_id: ControlId | None = None) -> dict[ControlId, list[str]]:
    """Requirement codes per control (or of one control), in catalog order."""
    query = (
        select(control_requirement.c.control_id, control_requirement.c.requirement_code)
        .join(requirement, requirement.c.code == control_requirement.c.requirement_code)
        .where(live(control_requirement))
        .order_by(requirement.c.sort_order)
    )
    if control_id is not None:
        query = query.where(control_requirement.c.control_id == control_id)
    links: dict[ControlId, list[str]] = defaultdict(list)
    for control_id, code in conn.execute(query):
        links[control_id].append(code)
    return links


def read_controls(conn: Connection) -> list[Control]:
    links = read_links(conn)
    rows = conn.execute(select(control).where(live(control)).order_by(control.c.ref)).mappings().all()
    neighbours = _neighbours(rows)
    return [_record(row, links.get(row["id"], ()), neighbours) for row in rows]


def list_controls(db: Engagement) -> list[Control]:
    with db.reading() as conn:
        return read_controls(conn)


def find_control_id(conn: Connection, ref_or_id: str | UUID) -> ControlId:
    return ControlId(find_id(conn, control, ref_or_id, "control"))


def read_control(conn: Connection, control_id: ControlId) -> Control:
    row = conn.execute(select(control).where(control.c.id == control_id, live(control))).mappings().first()
    if row is None:
        raise NotFoundError(f"Control {control_id} no longer exists.")
    near = (control.c.id == row["replaces_id"]) | (control.c.replaces_id == control_id)
    around = conn.execute(select(control).where(near, live(control))).mappings().all()
    return _record(row, read_links(conn, control_id).get(control_id, ()), _neighbours([row, *around]))


def get_control(db: Engagement, ref_or_id: str | UUID) -> Control:
    with db.reading() as conn:
        return read_control(conn, find_control_id(conn, ref_or_id))


def create_control(db: Engagement, values: ControlInput, requirements: Iterable[str] = ()) -> Control:
    """A new control with the next free reference, linked to the requirements given."""
    with changes(db) as ch:
        return read_control(ch.conn, insert_control(ch, values, requirements))


def insert_control(ch: Changes, values: ControlInput, requirements: Iterable[str] = ()) -> ControlId:
    """Inside a change: a new control with the next free reference, linked to the requirements; its id."""
    control_id = ControlId(ch.insert(control, {"ref": next_ref(ch.conn), **control_values(values)}))
    for code in requirements:
        _link(ch, control_id, code)
    return control_id


def update_control(db: Engagement, control_id: ControlId, values: ControlInput) -> Control:
    row = control_values(values)
    with changes(db) as ch:
        ch.update(control, {"id": control_id}, row)
        return read_control(ch.conn, control_id)


def put_control(ch: Changes, control_id: ControlId, values: ControlInput) -> None:
    """Inside a change: give the control these fields."""
    ch.update(control, {"id": control_id}, control_values(values))


def delete_control(db: Engagement, control_id: ControlId) -> None:
    """Delete a control with its tests; what goes with it is shown first (`deleting.what_goes`), and undo
    brings it all back."""
    with changes(db) as ch:
        remove_control(ch, control_id)


def remove_control(ch: Changes, control_id: ControlId) -> None:
    """Inside a change: a control, its tests (with their samples and deviations) and its links, each recorded."""
    from fieldwork.app.services.testing import remove_test  # testing looks controls up here: import when used

    tests = select(control_test.c.id).where(control_test.c.control_id == control_id, live(control_test))
    for test_id in ch.conn.execute(tests).scalars().all():
        remove_test(ch, test_id)
    ch.delete_where(evidence_link, evidence_link.c.control_id == control_id)  # the files stay in the library
    drop_assessments(ch, ipe_assessment.c.control_id == control_id)  # the key reports it relied on
    ch.delete(control, {"id": control_id})  # its requirement links and dismissals go with it


def _add_pair(ch: Changes, table: Table, control_id: ControlId, code: str) -> None:
    """Record (control, requirement) in a link table once: a second identical request changes nothing."""
    require_auditable(ch.conn, code)
    exists = ch.conn.execute(
        select(table.c.control_id).where(
            table.c.control_id == control_id, table.c.requirement_code == code, live(table)
        )
    ).first()
    if exists is None:
        ch.insert(table, {"control_id": control_id, "requirement_code": code})


def _link(ch: Changes, control_id: ControlId, code: str) -> None:
    _add_pair(ch, control_requirement, control_id, code)


def link_requirement(db: Engagement, control_id: ControlId, code: str) -> Control:
    """Link a control to a requirement (accepting a suggestion is the same act)."""
    with changes(db) as ch:
        _link(ch, control_id, code)
        ch.delete_where(
            dismissed_suggestion,
            (dismissed_suggestion.c.control_id == control_id) & (dismissed_suggestion.c.requirement_code == code),
        )
        return read_control(ch.conn, control_id)


def link_requirements(db: Engagement, control_id: ControlId, codes: Iterable[str]) -> Control:
    """Link a control to several requirements as one action (one step to undo)."""
    with changes(db) as ch:
        for code in codes:
            _link(ch, control_id, code)
        return read_control(ch.conn, control_id)


def unlink_requirement(db: Engagement, control_id: ControlId, code: str) -> Control:
    with changes(db) as ch:
        ch.delete_where(
            control_requirement,
            (control_requirement.c.control_id == control_id) & (control_requirement.c.requirement_code == code),
        )
        return read_control(ch.conn, control_id)


def dismiss_suggestion(db: Engagement, control_id: ControlId, code: str) -> None:
    """Stop suggesting `code` for the control (dismissing it twice, e.g. a double click, is one dismissal)."""
    with changes(db) as ch:
        find_control_id(ch.conn, control_id)
        _add_pair(ch, dismissed_suggestion, control_id, code)


def suggestions(db: Engagement, control_id: ControlId) -> list[Suggestion]:
    with db.reading() as conn:
        return read_suggestions(conn, control_id)


def read_suggestions(conn: Connection, control_id: ControlId) -> list[Suggestion]:
    """Requirements of the other framework the crosswalk links to this control's requirements.

    Already-linked, dismissed and out-of-scope ones are left out; each names the link it comes from.
    """
    linked = set(read_links(conn).get(control_id, ()))
    dismissed = set(
        conn.execute(
            select(dismissed_suggestion.c.requirement_code).where(
                dismissed_suggestion.c.control_id == control_id, live(dismissed_suggestion)
            )
        ).scalars()
    )
    titles = {r.code: r for r in read_scope(conn)}
    found: dict[str, Suggestion] = {}
    for link in read_mappings(conn):
        for mine, other in ((link.iso_code, link.soc2_code), (link.soc2_code, link.iso_code)):
            wanted = other in titles and other not in linked and other not in dismissed
            if mine in linked and wanted and other not in found:
                found[other] = Suggestion(other, titles[other].title, mine, link.relationship, link.rationale)
    order = {code: index for index, code in enumerate(titles)}
    return sorted(found.values(), key=lambda s: (titles[s.code].framework is Framework.ISO42001, order[s.code]))
