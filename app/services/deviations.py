"""Deviations found in testing, and the auditor's evaluation of each (JUDGEMENTS.md section 2).

A deviation names the sample items it was found in (n of N and the rate follow), its nature and cause, how
many deviations the sample was sized to expect, whether the sample was extended and what that showed, and
the evaluation: its effect on the criteria. Requirements' conclusions cite deviations by their reference
(C-021.T2.D1), which is never given to another deviation.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, func, select

from fieldwork.app.domain.ids import DeviationId, SampleItemId, TestId
from fieldwork.app.domain.judgements import DeviationNature
from fieldwork.app.domain.records import Deviation, DeviationInput
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.controls import read_links
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.refs import next_number
from fieldwork.app.services.testing import conclusion_follows, require_test
from fieldwork.app.storage.schema import control, control_test, deviation, deviation_sample_item, live, sample_item


def _row(values: DeviationInput) -> dict[str, Any]:
    if not values.description.strip():
        raise ValidationError("Describe the deviation: what happened, and in how many of the sample.")
    if values.expected_deviations is not None and values.expected_deviations < 0:
        raise ValidationError("The number of deviations expected cannot be negative.")
    if values.extended and not values.extension_result.strip():
        raise ValidationError("Say what the extended sample showed.")
    return {
        "description": values.description.strip(),
        "root_cause": values.root_cause.strip(),
        "management_response": values.management_response.strip(),
        "effect": values.effect.strip(),
        "nature": DeviationNature(values.nature).value if values.nature else None,
        "expected_deviations": values.expected_deviations,
        "extended": values.extended,
        "extension_result": values.extension_result.strip() if values.extended else "",
        "evaluation": values.evaluation.strip(),
    }


def _next_ref(conn: Connection, test_id: TestId) -> str:
    test_ref = conn.execute(select(control_test.c.ref).where(control_test.c.id == test_id)).scalar_one()
    own = re.compile(rf"^{re.escape(test_ref)}\.D(\d+)$")
    return f"{test_ref}.D{next_number(conn, deviation.c.ref, own)}"


def _set_items(ch: Changes, deviation_id: DeviationId, test_id: TestId, items: tuple[SampleItemId, ...]) -> None:
    """Link the deviation to exactly these sample items of its own test."""
    wanted = set(items)
    of_test = select(sample_item.c.id).where(sample_item.c.test_id == test_id, sample_item.c.id.in_(wanted))
    own = set(ch.conn.execute(of_test.where(live(sample_item))).scalars())
    if wanted - own:
        raise ValidationError("A deviation can only name sample items of its own test.")
    ch.set_links(deviation_sample_item, ("deviation_id", deviation_id), "sample_item_id", sorted(wanted))


def add_deviation(db: Engagement, test_id: TestId, values: DeviationInput) -> Deviation:
    row = _row(values)
    with changes(db) as ch:
        require_test(ch.conn, test_id)
        ref = _next_ref(ch.conn, test_id)
        deviation_id = DeviationId(ch.insert(deviation, {"ref": ref, "test_id": test_id, **row}))
        _set_items(ch, deviation_id, test_id, values.sample_items)
        conclusion_follows(ch, test_id)
        return read_deviations(ch.conn, deviation_id=deviation_id)[0]


def update_deviation(db: Engagement, deviation_id: DeviationId, values: DeviationInput) -> Deviation:
    row = _row(values)
    with changes(db) as ch:
        old = ch.update(deviation, {"id": deviation_id}, row)
        _set_items(ch, deviation_id, old["test_id"], values.sample_items)
        return read_deviations(ch.conn, deviation_id=deviation_id)[0]


def delete_deviation(db: Engagement, deviation_id: DeviationId) -> None:
    """Delete a deviation; conclusions and findings that cited it lose the link (each recorded)."""
    with changes(db) as ch:
        ch.delete(deviation, {"id": deviation_id})


def _items_by_deviation(conn: Connection) -> dict[DeviationId, list[tuple[int, SampleItemId]]]:
    query = (
        select(deviation_sample_item.c.deviation_id, sample_item.c.seq, sample_item.c.id)
        .join(sample_item, sample_item.c.id == deviation_sample_item.c.sample_item_id)
        .where(live(deviation_sample_item), live(sample_item))
        .order_by(sample_item.c.seq)
    )
    found: dict[DeviationId, list[tuple[int, SampleItemId]]] = defaultdict(list)
    for deviation_id, seq, item_id in conn.execute(query):
        found[deviation_id].append((seq, item_id))
    return found


def _sample_sizes(conn: Connection) -> dict[TestId, int]:
    query = select(sample_item.c.test_id, func.count()).where(live(sample_item)).group_by(sample_item.c.test_id)
    return {test_id: int(count) for test_id, count in conn.execute(query)}


def read_deviations(
    conn: Connection, test_id: TestId | None = None, deviation_id: DeviationId | None = None
) -> list[Deviation]:
    query = (
        select(
            deviation,
            control_test.c.ref.label("test_ref"),
            control.c.ref.label("control_ref"),
            control.c.id.label("cid"),
        )
        .join(control_test, control_test.c.id == deviation.c.test_id)
        .join(control, control.c.id == control_test.c.control_id)
        .where(live(deviation))
        .order_by(control.c.ref, control_test.c.id, deviation.c.id)
    )
    if test_id is not None:
        query = query.where(deviation.c.test_id == test_id)
    if deviation_id is not None:
        query = query.where(deviation.c.id == deviation_id)
    links, items, sizes = read_links(conn), _items_by_deviation(conn), _sample_sizes(conn)
    return [
        _record(row, links.get(row["cid"], ()), items.get(row["id"], []), sizes)
        for row in conn.execute(query).mappings()
    ]


def _record(row: Any, requirements: Any, items: list[tuple[int, SampleItemId]], sizes: dict[TestId, int]) -> Deviation:
    return Deviation(
        id=row["id"],
        ref=row["ref"],
        test_id=row["test_id"],
        test_ref=row["test_ref"],
        control_ref=row["control_ref"],
        description=row["description"],
        root_cause=row["root_cause"],
        management_response=row["management_response"],
        effect=row["effect"],
        requirements=tuple(requirements),
        sample_items=tuple(f"#{seq}" for seq, _ in items),
        sample_item_ids=tuple(item_id for _, item_id in items),
        sample=sizes.get(row["test_id"], 0),
        nature=DeviationNature(row["nature"]) if row["nature"] else None,
        expected_deviations=row["expected_deviations"],
        extended=bool(row["extended"]),
        extension_result=row["extension_result"],
        evaluation=row["evaluation"],
    )


def list_deviations(db: Engagement, test_id: TestId | None = None) -> list[Deviation]:
    with db.reading() as conn:
        return read_deviations(conn, test_id=test_id)
