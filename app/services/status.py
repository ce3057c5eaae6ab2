"""Where the work stands, derived from the tests and never stored.

A test's state comes from its conclusion, sample results and deviations; a control's
and a requirement's from the tests that serve them. One test therefore counts toward
every requirement its control is linked to, in both frameworks.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, case, func, select

from fieldwork.app.domain.ids import ControlId, TestId
from fieldwork.app.domain.records import Requirement, RequirementStatus, StatusCounts
from fieldwork.app.domain.vocabulary import (
    AUDITABLE_KINDS,
    Conclusion,
    ReportType,
    SampleResult,
    Status,
    TestKind,
)
from fieldwork.app.engagement import Engagement
from fieldwork.app.services.engagement import read_details
from fieldwork.app.services.requirements import read_scope
from fieldwork.app.storage.schema import control_requirement, control_test, deviation, live, sample_item, soa_line


@dataclass(frozen=True)
class TestState:
    test_id: TestId
    control_id: ControlId
    kind: TestKind
    status: Status
    items_total: int
    items_with_result: int
    items_with_deviation: int
    deviations: int


def combine(statuses: Iterable[Status]) -> Status:
    """One status for many: exceptions dominate; concluded only when everything is."""
    present = {s for s in statuses if s is not Status.EXCLUDED}
    if not present:
        return Status.NOT_STARTED
    if Status.EXCEPTIONS in present:
        return Status.EXCEPTIONS
    if present == {Status.CONCLUDED}:
        return Status.CONCLUDED
    if present == {Status.NOT_STARTED}:
        return Status.NOT_STARTED
    return Status.IN_PROGRESS


def _test_status(conclusion: str | None, with_result: int, with_deviation: int, deviations: int) -> Status:
    if conclusion == Conclusion.EXCEPTIONS.value or with_deviation or deviations:
        return Status.EXCEPTIONS
    if conclusion in (Conclusion.NO_EXCEPTIONS.value, Conclusion.NOT_OPERATED.value):
        return Status.CONCLUDED
    return Status.IN_PROGRESS if with_result else Status.NOT_STARTED


def read_test_states(
    conn: Connection, control_id: ControlId | None = None, test_id: TestId | None = None
) -> dict[TestId, TestState]:
    items = (
        select(
            sample_item.c.test_id,
            func.count().label("total"),
            func.count(sample_item.c.result).label("with_result"),
            func.sum(case((sample_item.c.result == SampleResult.DEVIATION.value, 1), else_=0)).label("with_deviation"),
        )
        .where(live(sample_item))
        .group_by(sample_item.c.test_id)
        .subquery()
    )
    devs = (
        select(deviation.c.test_id, func.count().label("n"))
        .where(live(deviation))
        .group_by(deviation.c.test_id)
        .subquery()
    )
    query = (
        select(
            control_test.c.id,
            control_test.c.control_id,
            control_test.c.kind,
            control_test.c.conclusion,
            func.coalesce(items.c.total, 0),
            func.coalesce(items.c.with_result, 0),
            func.coalesce(items.c.with_deviation, 0),
            func.coalesce(devs.c.n, 0),
        )
        .outerjoin(items, items.c.test_id == control_test.c.id)
        .outerjoin(devs, devs.c.test_id == control_test.c.id)
        .where(live(control_test))
    )
    if control_id is not None:
        query = query.where(control_test.c.control_id == control_id)
    if test_id is not None:
        query = query.where(control_test.c.id == test_id)
    states = {}
    for tid, cid, kind, conclusion, total, with_result, with_dev, n_dev in conn.execute(query):
        status = _test_status(conclusion, with_result, with_dev, n_dev)
        states[tid] = TestState(tid, cid, TestKind(kind), status, total, with_result, with_dev, n_dev)
    return states


def counted(state: TestState, report_type: ReportType) -> bool:
    """A Type 1 examination tests design only; a Type 2 counts every test."""
    return report_type is ReportType.TYPE2 or state.kind is TestKind.DESIGN


def awaiting_operating_test(states: Iterable[TestState], report_type: ReportType) -> set[ControlId]:
    """Controls a Type 2 examination has tested for design only. Their work is not done until a test of
    operating effectiveness concludes (possibly that the control did not operate), so each counts a part not
    started: design work alone never shows a Type 2 control as concluded. A control whose design was found
    deficient is not awaiting one: its operation is not tested."""
    if report_type is not ReportType.TYPE2:
        return set()
    states = list(states)
    tested = {s.control_id for s in states}
    operating = {s.control_id for s in states if s.kind is TestKind.OPERATING}
    deficient = {s.control_id for s in states if s.kind is TestKind.DESIGN and s.status is Status.EXCEPTIONS}
    return tested - operating - deficient


def read_awaiting_operating_test(conn: Connection, report_type: ReportType) -> frozenset[ControlId]:
    states = [s for s in read_test_states(conn).values() if counted(s, report_type)]
    return frozenset(awaiting_operating_test(states, report_type))


def control_statuses(conn: Connection, report_type: ReportType) -> dict[ControlId, Status]:
    return statuses_of_controls([s for s in read_test_states(conn).values() if counted(s, report_type)], report_type)


def statuses_of_controls(states: list[TestState], report_type: ReportType) -> dict[ControlId, Status]:
    """Each control's status from the states of its counted tests (read once for a page that needs more)."""
    by_control: dict[ControlId, list[Status]] = defaultdict(list)
    for state in states:
        by_control[state.control_id].append(state.status)
    for control_id in awaiting_operating_test(states, report_type):
        by_control[control_id].append(Status.NOT_STARTED)
    return {cid: combine(statuses) for cid, statuses in by_control.items()}


def read_requirement_statuses(
    conn: Connection, scope: list[Requirement], report_type: ReportType, counted_states: list[TestState] | None = None
) -> dict[str, RequirementStatus]:
    """The status of every auditable requirement in scope (criteria, subclauses, Annex A controls).

    `counted_states`: the tests' states the report type counts, when the caller has read them already.
    """
    states = counted_states
    if states is None:
        states = [s for s in read_test_states(conn).values() if counted(s, report_type)]
    awaiting = awaiting_operating_test(states, report_type)
    tests_by_control: dict[ControlId, list[TestState]] = defaultdict(list)
    for state in states:
        tests_by_control[state.control_id].append(state)
    controls_by_code: dict[str, list[ControlId]] = defaultdict(list)
    links = select(control_requirement.c.control_id, control_requirement.c.requirement_code).where(
        live(control_requirement)
    )
    for cid, code in conn.execute(links):
        controls_by_code[code].append(cid)
    excluded = set(conn.execute(select(soa_line.c.annex_code).where(soa_line.c.included.is_(False))).scalars())

    result: dict[str, RequirementStatus] = {}
    auditable = [r for r in scope if r.kind in AUDITABLE_KINDS]
    children: dict[str, list[str]] = defaultdict(list)
    for req in auditable:
        if req.parent:
            children[req.parent].append(req.code)
    for req in reversed(auditable):  # children before their parents
        if req.code in excluded:
            result[req.code] = RequirementStatus(req.code, Status.EXCLUDED, 0, 0, 0, 0)
            continue
        control_ids = controls_by_code.get(req.code, [])
        tests = [t for cid in control_ids for t in tests_by_control.get(cid, [])]
        design_only = sum(cid in awaiting for cid in control_ids)
        own = [t.status for t in tests] + [Status.NOT_STARTED] * design_only
        kids = [result[c] for c in children.get(req.code, []) if c in result]
        status = combine(own + [k.status for k in kids]) if own or kids else Status.NOT_STARTED
        covered_by_kids = bool(kids) and all(not k.gap for k in kids)
        result[req.code] = RequirementStatus(
            code=req.code,
            status=status,
            controls=len(control_ids),
            tests=len(tests),
            tests_concluded=sum(t.status is Status.CONCLUDED for t in tests),
            tests_with_exceptions=sum(t.status is Status.EXCEPTIONS for t in tests),
            gap=not control_ids and not covered_by_kids,
            awaiting_operating_test=design_only,
        )
    return {r.code: result[r.code] for r in auditable}


def requirement_statuses(db: Engagement) -> dict[str, RequirementStatus]:
    with db.reading() as conn:
        details = read_details(conn)
        return read_requirement_statuses(conn, read_scope(conn), details.report_type)


def count(statuses: Iterable[Status]) -> StatusCounts:
    tally = Counter(statuses)
    return StatusCounts(
        not_started=tally[Status.NOT_STARTED],
        in_progress=tally[Status.IN_PROGRESS],
        exceptions=tally[Status.EXCEPTIONS],
        concluded=tally[Status.CONCLUDED],
        excluded=tally[Status.EXCLUDED],
    )


def group_status(codes: Iterable[str], statuses: dict[str, RequirementStatus]) -> tuple[Status, StatusCounts]:
    """A group's status (a category, clause or Annex A objective) and the counts under it."""
    found = [statuses[c].status for c in codes if c in statuses]
    return combine(found), count(found)
