"""A test's window and round: the days of the period it covers, and which part of the work it is.

Without a window of its own a test covers the period while its control was in operation. Its population's
eligible items are those dated in the window (`population.eligible_rows`), and the sample size suggestion is
pro-rated on the window's days (`sampling`). An update test starts, unless told, the day after its control's
interim test ends; a remediation retest starts on the day the control was remediated.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import Connection, select

from fieldwork.app.domain.ids import TestId
from fieldwork.app.domain.over_time import ONE_DAY, Span, TestRound, TestTiming, covered_window, in_operation
from fieldwork.app.domain.records import ControlTest, TestPlan
from fieldwork.app.domain.vocabulary import TestKind
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.control_dates import items_outside
from fieldwork.app.services.controls import find_control_id, read_control
from fieldwork.app.services.engagement import read_period_span
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.testing import find_test_id, insert_test, read_test, read_tests
from fieldwork.app.storage.schema import control, control_test


def read_test_window(conn: Connection, test_id: TestId) -> Span | None:
    """The days a test covers (None in a Type 1 examination): what its population's items must be dated in."""
    query = (
        select(control_test.c.window_start, control_test.c.window_end, control.c.effective_from, control.c.effective_to)
        .join(control, control.c.id == control_test.c.control_id)
        .where(control_test.c.id == test_id)
    )
    start, end, effective_from, effective_to = conn.execute(query).one()
    period = read_period_span(conn)
    return covered_window(period, in_operation(period, effective_from, effective_to), start, end)


def window_phrase(window: Span | None, period: Span | None) -> str:
    """What items must be dated in, for a message: "the period", or "the test's window (... to ...)"."""
    if window is None or window == period:
        return "the period"
    return f"the test's window ({window.label})"


def add_timed_test(db: Engagement, control_ref_or_id: str | UUID, plan: TestPlan, timing: TestTiming) -> ControlTest:
    """A new test of a control with its round and window, as one action."""
    with changes(db) as ch:
        test_id = insert_test(ch, find_control_id(ch.conn, control_ref_or_id), plan)
        put_test_timing(ch, test_id, timing)
        return read_test(ch.conn, test_id)


def set_test_timing(db: Engagement, test_id: TestId, timing: TestTiming) -> ControlTest:
    with changes(db) as ch:
        put_test_timing(ch, test_id, timing)
        return read_test(ch.conn, test_id)


def put_test_timing(ch: Changes, test_id: TestId, timing: TestTiming) -> None:
    """Inside a change: record a test's round and window, checked against the period and its control."""
    conn = ch.conn
    test = read_test(conn, find_test_id(conn, test_id))
    round_ = TestRound(timing.round) if timing.round else None
    start, end = timing.window_start, timing.window_end
    if round_ is None and start is None and end is None:
        ch.update(control_test, {"id": test.id}, {"round": None, "window_start": None, "window_end": None})
        return
    period = read_period_span(conn)
    if period is None:
        raise ValidationError("A Type 1 examination is as of one date: its tests have no window or round.")
    if test.kind is not TestKind.OPERATING:
        raise ValidationError(f"{test.ref} is a test of design, as of a date: only tests of operation have a window.")
    found = read_control(conn, test.control_id)
    operating = in_operation(period, found.effective_from, found.effective_to)
    assert operating is not None
    start, end = _defaults(conn, test, round_, start, end)
    for day in (start, end):
        if day is not None and not operating.holds(day):
            where = "the period" if operating == period else f"{found.ref}'s time in operation ({operating.label})"
            raise ValidationError(f"{test.ref}'s window must lie within {where}; {day} does not.")
    if start is not None and end is not None and end < start:
        raise ValidationError(f"{test.ref}'s window ends ({end}) before it starts ({start}).")
    window = covered_window(period, operating, start, end)
    assert window is not None
    items_outside(conn, [test.id], window)
    values = {"round": round_.value if round_ else None, "window_start": start, "window_end": end}
    ch.update(control_test, {"id": test.id}, values)


def _defaults(
    conn: Connection, test: ControlTest, round_: TestRound | None, start: date | None, end: date | None
) -> tuple[date | None, date | None]:
    """What a round implies when the window leaves it open, or the refusal saying what is missing."""
    if round_ is TestRound.INTERIM and end is None:
        raise ValidationError(f"An interim test covers part of the period: give the day {test.ref}'s window ends.")
    if round_ is TestRound.REMEDIATION and start is None:
        raise ValidationError(f"Give the day {test.ref}'s retest starts from (when the control was remediated).")
    if round_ is TestRound.UPDATE and start is None:
        interim = [
            other.window.end
            for other in read_tests(conn, control_id=test.control_id)
            if other.round is TestRound.INTERIM and other.window is not None and other.id != test.id
        ]
        if not interim:
            raise ValidationError(
                f"An update test covers the rest of the period after an interim test: give {test.ref}'s window, "
                "or record the interim test first."
            )
        start = max(interim) + ONE_DAY
    return start, end
