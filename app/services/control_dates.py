"""When a control was in operation, and the control it replaced (JUDGEMENTS.md section 8).

A control implemented during the period is tested from that day; one withdrawn or replaced, until it stopped.
The dates must leave the control some day of the period, and its tests' own windows and dated sample items
must fall within them: a change that would strand them is refused with the first one named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy import Connection, select

from fieldwork.app.domain.ids import ControlId
from fieldwork.app.domain.over_time import ONE_DAY, ControlDates, Span, in_operation
from fieldwork.app.domain.records import Control, ControlInput
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.controls import find_control_id, insert_control, put_control, read_control
from fieldwork.app.services.engagement import read_period_span
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.storage.schema import control, control_test, live, sample_item


def held_dates(found: Control) -> ControlDates:
    """The dates a control has now (its replacement named by id)."""
    return ControlDates(found.effective_from, found.effective_to, found.replaces_id)


def create_dated_control(
    db: Engagement, values: ControlInput, requirements: Sequence[str], dates: ControlDates
) -> Control:
    """A new control, its links and its dates, as one action (a refused date leaves no control behind)."""
    with changes(db) as ch:
        control_id = insert_control(ch, values, requirements)
        put_control_dates(ch, control_id, dates)
        return read_control(ch.conn, control_id)


def edit_control(
    db: Engagement, control_id: ControlId, values: ControlInput | None, dates: ControlDates | None
) -> Control:
    """Change a control's fields and its dates as one action; None leaves that part as it is."""
    with changes(db) as ch:
        if values is not None:
            put_control(ch, control_id, values)
        if dates is not None:
            put_control_dates(ch, control_id, dates)
        return read_control(ch.conn, control_id)


def set_control_dates(db: Engagement, control_id: ControlId, dates: ControlDates) -> Control:
    with changes(db) as ch:
        put_control_dates(ch, control_id, dates)
        return read_control(ch.conn, control_id)


def put_control_dates(ch: Changes, control_id: ControlId, dates: ControlDates) -> None:
    """Inside a change: record the control's dates and replacement; a replaced control without an end date
    stops the day before its replacement starts."""
    conn = ch.conn
    found = read_control(conn, control_id)
    start, end = dates.effective_from, dates.effective_to
    if start is not None and end is not None and end < start:
        raise ValidationError(f"{found.ref} cannot stop being in operation ({end}) before it starts ({start}).")
    period = read_period_span(conn)
    span = in_operation(period, start, end)
    if period is not None and span is not None and span.empty:
        raise ValidationError(f"{found.ref} would not be in operation on any day of the period ({period.label}).")
    replaced = _replaced(conn, found, dates)
    if span is not None:
        _check_tests_fit(conn, found, span)
    ch.update(control, {"id": control_id}, {"effective_from": start, "effective_to": end, "replaces_id": replaced})
    if replaced is not None and start is not None:
        _end_replaced(ch, replaced, start)


def _replaced(conn: Connection, found: Control, dates: ControlDates) -> ControlId | None:
    """The control `found` replaces, checked: another live control, from a date, not in a circle."""
    if dates.replaces is None:
        return None
    other = find_control_id(conn, dates.replaces)
    other_ref = read_control(conn, other).ref
    if other == found.id:
        raise ValidationError(f"{found.ref} cannot replace itself.")
    if dates.effective_from is None:
        raise ValidationError(f"Give the day {found.ref} replaced {other_ref} (the day it is in operation from).")
    earlier = conn.execute(
        select(control.c.ref).where(control.c.replaces_id == other, control.c.id != found.id, live(control))
    ).scalar()
    if earlier is not None:
        raise ValidationError(f"{other_ref} was already replaced by {earlier}.")
    cursor: ControlId | None = other
    while cursor is not None:
        if cursor == found.id:
            raise ValidationError(f"{found.ref} cannot replace {other_ref}: {other_ref} follows from {found.ref}.")
        cursor = conn.execute(select(control.c.replaces_id).where(control.c.id == cursor, live(control))).scalar()
    return other


def _end_replaced(ch: Changes, replaced: ControlId, start: date) -> None:
    old = read_control(ch.conn, replaced)
    if old.effective_to is None:
        put_control_dates(ch, replaced, replace(held_dates(old), effective_to=start - ONE_DAY))


def _check_tests_fit(conn: Connection, found: Control, span: Span) -> None:
    """The control's tests keep within its time in the period: their own windows and their dated items."""
    tests = conn.execute(
        select(control_test.c.id, control_test.c.ref, control_test.c.window_start, control_test.c.window_end).where(
            control_test.c.control_id == found.id, live(control_test)
        )
    ).all()
    for _test_id, ref, start, end in tests:
        if (start is not None and not span.holds(start)) or (end is not None and not span.holds(end)):
            raise ValidationError(
                f"{ref} is tested over its own window, which these dates would leave outside {span.label}; "
                "change the test's window first."
            )
    items_outside(conn, [test_id for test_id, *_ in tests], span)


def items_outside(conn: Connection, test_ids: list[object], span: Span) -> None:
    """Refuse dates that would leave sample items already tested outside the days they belong to."""
    stray = conn.execute(
        select(control_test.c.ref, sample_item.c.identifier, sample_item.c.item_date)
        .join(control_test, control_test.c.id == sample_item.c.test_id)
        .where(
            sample_item.c.test_id.in_(test_ids),
            live(sample_item),
            sample_item.c.item_date.is_not(None),
            (sample_item.c.item_date < span.start) | (sample_item.c.item_date > span.end),
        )
        .order_by(sample_item.c.item_date)
    ).first()
    if stray is not None:
        ref, identifier, day = stray
        raise ValidationError(
            f"{ref} holds sample item {identifier} dated {day.isoformat()}, outside {span.label}; "
            "remove it or choose other dates."
        )
