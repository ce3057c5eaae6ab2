"""Tests of controls: the plan, sample items and their results, deviations, and the conclusion."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, RowMapping, func, select
from sqlalchemy.sql.elements import ColumnElement

from fieldwork.app.domain.ids import ControlId, SampleItemId, TestId, new_id
from fieldwork.app.domain.over_time import Span, TestRound, covered_window, in_operation
from fieldwork.app.domain.reasons import is_written_out, written_out_hint
from fieldwork.app.domain.records import (
    ControlTest,
    SampleItem,
    SampleItemInput,
    TestPlan,
)
from fieldwork.app.domain.refs import Ref, control_test_ref
from fieldwork.app.domain.vocabulary import Conclusion, Method, SampleResult, Selection, TestKind
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError, ValidationError
from fieldwork.app.services.controls import find_control_id
from fieldwork.app.services.engagement import read_period_span
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.population_removal import drop_population
from fieldwork.app.services.refs import find_id
from fieldwork.app.services.selection import MAX_SEED
from fieldwork.app.services.status import read_test_states
from fieldwork.app.storage.schema import (
    control,
    control_test,
    deviation,
    evidence_link,
    fairness_result,
    ipe_assessment,
    live,
    sample_item,
    tickmark,
)

# --- plan ---------------------------------------------------------------------------------------


def plan_row(plan: TestPlan) -> dict[str, Any]:
    """A plan's stored fields, refused when it cannot be right (inquiry alone, a sample larger than its population)."""
    methods = [Method(m).value for m in plan.methods]
    if methods == [Method.INQUIRY.value]:
        raise ValidationError("Inquiry alone is never enough: add observation, inspection or reperformance.")
    for name in ("population_size", "sample_size"):
        value = getattr(plan, name)
        if value is not None and value < 0:
            raise ValidationError(f"The {name.replace('_', ' ')} cannot be negative.")
    if plan.seed is not None:
        check_seed(plan.seed)
    if plan.population_size is not None and plan.sample_size is not None and plan.sample_size > plan.population_size:
        raise ValidationError(
            f"The sample ({plan.sample_size}) cannot be larger than the population ({plan.population_size})."
        )
    return {
        "kind": TestKind(plan.kind).value,
        "procedure": plan.procedure.strip(),
        "methods": methods,
        "population": plan.population.strip(),
        "population_size": plan.population_size,
        "sample_size": plan.sample_size,
        "selection": Selection(plan.selection).value if plan.selection else None,
        "seed": plan.seed,
    }


def plan_of(test: ControlTest) -> TestPlan:
    """A test's plan as an input, for changing some of it."""
    return TestPlan(
        test.kind,
        test.procedure,
        test.methods,
        test.population,
        test.population_size,
        test.sample_size,
        test.selection,
        test.seed,
    )


def check_seed(seed: int) -> None:
    if not 0 <= seed <= MAX_SEED:
        raise ValidationError("A seed is a whole number from 0 to 2^63 - 1.")


def next_test_ref(conn: Connection, control_id: ControlId) -> str:
    """One more than the highest number the control's tests were given (deleted ones too: never given twice)."""
    control_ref = conn.execute(select(control.c.ref).where(control.c.id == control_id)).scalar_one()
    refs = map(Ref.parse, conn.execute(select(control_test.c.ref)).scalars())
    highest = max((ref.test for ref in refs if ref.control == control_ref.upper()), default=0)
    return control_test_ref(control_ref, highest + 1)


def find_test_id(conn: Connection, ref_or_id: str | UUID) -> TestId:
    return TestId(find_id(conn, control_test, ref_or_id, "test"))


def add_test(db: Engagement, control_ref_or_id: str | UUID, plan: TestPlan) -> ControlTest:
    with changes(db) as ch:
        control_id = find_control_id(ch.conn, control_ref_or_id)
        return read_test(ch.conn, insert_test(ch, control_id, plan))


def insert_test(ch: Changes, control_id: ControlId, plan: TestPlan) -> TestId:
    """Inside a change: a new test of the control with its next reference (C-001.T3); its id."""
    row = {"ref": next_test_ref(ch.conn, control_id), "control_id": control_id, **plan_row(plan)}
    return TestId(ch.insert(control_test, row))


def update_plan(db: Engagement, test_id: TestId, plan: TestPlan) -> ControlTest:
    row = plan_row(plan)
    with changes(db) as ch:
        ch.update(control_test, {"id": test_id}, row)
        conclusion_follows(ch, test_id)
        return read_test(ch.conn, test_id)


def delete_test(db: Engagement, test_id: TestId) -> None:
    """Delete a test with its sample items and deviations, every row recorded in the history."""
    with changes(db) as ch:
        remove_test(ch, test_id)


def remove_test(ch: Changes, test_id: TestId) -> None:
    """Inside a change: a test, its sample items, deviations, population, IPE assessments and links to evidence
    (the files stay)."""
    items = select(sample_item.c.id).where(sample_item.c.test_id == test_id, live(sample_item))
    _unlink_evidence(ch, (evidence_link.c.test_id == test_id) | evidence_link.c.sample_item_id.in_(items))
    ch.delete_where(sample_item, sample_item.c.test_id == test_id)
    ch.delete_where(deviation, deviation.c.test_id == test_id)
    ch.delete_where(fairness_result, fairness_result.c.test_id == test_id)
    from fieldwork.app.services.ipe import drop_assessments  # they look tests up here: import when used

    drop_population(ch, test_id)
    drop_assessments(ch, ipe_assessment.c.test_id == test_id)
    ch.delete(control_test, {"id": test_id})


def _unlink_evidence(ch: Changes, condition: ColumnElement[bool]) -> None:
    """Deleting what evidence supports removes the links, never the files (they stay in the library)."""
    ch.delete_where(evidence_link, condition)


def _test_record(row: RowMapping, control_ref: str, state: Any, period: Span | None) -> ControlTest:
    operating = in_operation(period, row["control_from"], row["control_to"])
    return ControlTest(
        id=row["id"],
        ref=row["ref"],
        control_id=row["control_id"],
        control_ref=control_ref,
        kind=TestKind(row["kind"]),
        procedure=row["procedure"],
        methods=tuple(Method(m) for m in row["methods"]),
        population=row["population"],
        population_size=row["population_size"],
        sample_size=row["sample_size"],
        selection=Selection(row["selection"]) if row["selection"] else None,
        seed=row["seed"],
        conclusion=Conclusion(row["conclusion"]) if row["conclusion"] else None,
        conclusion_note=row["conclusion_note"],
        status=state.status,
        items_total=state.items_total,
        items_with_result=state.items_with_result,
        items_with_deviation=state.items_with_deviation,
        deviation_count=state.deviations,
        round=TestRound(row["round"]) if row["round"] else None,
        window_start=row["window_start"],
        window_end=row["window_end"],
        window=covered_window(period, operating, row["window_start"], row["window_end"]),
        predecessor_id=row["predecessor_id"],
    )


def read_tests(
    conn: Connection, control_id: ControlId | None = None, test_id: TestId | None = None
) -> list[ControlTest]:
    states = read_test_states(conn, control_id=control_id, test_id=test_id)
    period = read_period_span(conn)
    query = (
        select(
            control_test,
            control.c.ref.label("control_ref"),
            control.c.effective_from.label("control_from"),
            control.c.effective_to.label("control_to"),
        )
        .join(control, control.c.id == control_test.c.control_id)
        .where(live(control_test))
        .order_by(control.c.ref, control_test.c.id)
    )
    if control_id is not None:
        query = query.where(control_test.c.control_id == control_id)
    if test_id is not None:
        query = query.where(control_test.c.id == test_id)
    rows = conn.execute(query).mappings()
    return [_test_record(row, row["control_ref"], states[row["id"]], period) for row in rows]


def read_test(conn: Connection, test_id: TestId) -> ControlTest:
    found = read_tests(conn, test_id=test_id)
    if not found:
        raise NotFoundError(f"Test {test_id} no longer exists.")
    return found[0]


def list_tests(db: Engagement, control_id: ControlId | None = None) -> list[ControlTest]:
    with db.reading() as conn:
        return read_tests(conn, control_id=control_id)


def get_test(db: Engagement, ref_or_id: str | UUID) -> ControlTest:
    with db.reading() as conn:
        return read_test(conn, find_test_id(conn, ref_or_id))


# --- sample items -------------------------------------------------------------------------------


def _item_row(item: SampleItemInput) -> dict[str, Any]:
    identifier = item.identifier.strip()
    if not identifier:
        raise ValidationError("Each sample item needs an identifier (a ticket, user, change or date).")
    result = SampleResult(item.result).value if item.result else None
    deviation_text = item.deviation_text.strip()  # a deviation may be marked first and described next
    return {
        "identifier": identifier,
        "item_date": item.item_date,
        "result": result,
        "tickmarks": " ".join(item.tickmarks.split()),
        "deviation_text": deviation_text,
    }


def _check_tickmarks(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Tickmarks must come from the engagement's legend, or a reviewer cannot read them."""
    legend = set(conn.execute(select(tickmark.c.symbol).where(live(tickmark))).scalars())
    for row in rows:
        unknown = [mark for mark in row["tickmarks"].split() if mark not in legend]
        if unknown:
            raise ValidationError(
                f"Tickmark {', '.join(unknown)} on {row['identifier']} is not in the engagement's legend; add it first."
            )


def add_sample_items(db: Engagement, test_id: TestId, items: Sequence[SampleItemInput]) -> list[SampleItem]:
    """Append items to a test's sample (pasted rows arrive here all at once)."""
    rows = [_item_row(item) for item in items]
    with changes(db) as ch:
        require_test(ch.conn, test_id)
        _check_tickmarks(ch.conn, rows)
        return insert_sample_rows(ch, test_id, rows)


def insert_sample_rows(ch: Changes, test_id: TestId, rows: Sequence[dict[str, Any]]) -> list[SampleItem]:
    """Append items numbered after the test's highest item (a deleted item's number is not given again)."""
    start = ch.conn.execute(
        select(func.coalesce(func.max(sample_item.c.seq), 0)).where(sample_item.c.test_id == test_id)
    ).scalar_one()
    full = [{"id": new_id(), "test_id": test_id, "seq": start + offset + 1, **row} for offset, row in enumerate(rows)]
    ch.insert_many(sample_item, full)
    conclusion_follows(ch, test_id)
    return [_item_record(row) for row in full]


def update_sample_item(db: Engagement, item_id: SampleItemId, item: SampleItemInput) -> SampleItem:
    row = _item_row(item)
    with changes(db) as ch:
        _check_tickmarks(ch.conn, [row])
        ch.update(sample_item, {"id": item_id}, row)
        stored = ch.conn.execute(select(sample_item).where(sample_item.c.id == item_id)).mappings().one()
        conclusion_follows(ch, stored["test_id"])
        return _item_record(stored)


def delete_sample_items(db: Engagement, item_ids: Sequence[SampleItemId]) -> None:
    """Remove several sample items as one action (each recorded in the history)."""
    with changes(db) as ch:
        remove_sample_items(ch, item_ids)


def remove_sample_items(ch: Changes, item_ids: Sequence[SampleItemId]) -> None:
    """Inside a change: sample items, their links to evidence (files stay) and to deviations."""
    _unlink_evidence(ch, evidence_link.c.sample_item_id.in_(list(item_ids)))
    ch.delete_where(sample_item, sample_item.c.id.in_(list(item_ids)))


def _item_record(row: Any) -> SampleItem:
    return SampleItem(
        id=row["id"],
        test_id=row["test_id"],
        seq=row["seq"],
        identifier=row["identifier"],
        item_date=row["item_date"],
        result=SampleResult(row["result"]) if row["result"] else None,
        tickmarks=row["tickmarks"],
        deviation_text=row["deviation_text"],
    )


def read_sample_items(conn: Connection, test_id: TestId | None = None) -> list[SampleItem]:
    query = select(sample_item).where(live(sample_item)).order_by(sample_item.c.test_id, sample_item.c.seq)
    if test_id is not None:
        query = query.where(sample_item.c.test_id == test_id)
    return [_item_record(row) for row in conn.execute(query).mappings()]


def list_sample_items(db: Engagement, test_id: TestId) -> list[SampleItem]:
    with db.reading() as conn:
        return read_sample_items(conn, test_id)


# --- conclusion -------------------------------------------------------------------------------


def conclusion_follows(ch: Changes, test_id: TestId) -> None:
    """Keep a stored conclusion true to what the test now holds, after any change to its plan or sample.

    A deviation found after "No exceptions noted" turns it to "Exceptions noted". "Did not operate" no longer
    stands once the test shows the control did (a population, a sample item, a deviation) or is no longer a
    test of operating effectiveness: it is reopened for the auditor to conclude again. The history keeps what
    it said."""
    concluded = ch.conn.execute(
        select(control_test.c.conclusion).where(control_test.c.id == test_id, live(control_test))
    ).scalar()
    if concluded == Conclusion.NO_EXCEPTIONS.value:
        found = read_test(ch.conn, test_id)
        if found.deviation_count or found.items_with_deviation:
            ch.update(control_test, {"id": test_id}, {"conclusion": Conclusion.EXCEPTIONS.value})
    elif concluded == Conclusion.NOT_OPERATED.value and _did_operate_because(read_test(ch.conn, test_id)):
        ch.update(control_test, {"id": test_id}, {"conclusion": None})


def conclude(db: Engagement, test_id: TestId, conclusion: Conclusion | None, note: str = "") -> ControlTest:
    """Record (or reopen with None) a test's conclusion; it must agree with what was found."""
    with changes(db) as ch:
        found = read_test(ch.conn, test_id)
        if conclusion is not None:
            _refuse_undescribed(found, read_sample_items(ch.conn, test_id))
        if conclusion is Conclusion.NO_EXCEPTIONS:
            _refuse_clean_conclusion(found)
            _refuse_unassessed_population(ch.conn, found)
        elif conclusion is Conclusion.NOT_OPERATED:
            _refuse_not_operated(found, note)
        elif conclusion is Conclusion.EXCEPTIONS:
            _refuse_untested_unexplained(found, note)
        value = Conclusion(conclusion).value if conclusion else None
        ch.update(control_test, {"id": test_id}, {"conclusion": value, "conclusion_note": note.strip()})
        return read_test(ch.conn, test_id)


def _refuse_undescribed(found: ControlTest, items: Sequence[SampleItem]) -> None:
    """A deviation marked on an item but not yet described cannot support any conclusion."""
    bare = [f"#{i.seq}" for i in items if i.result is SampleResult.DEVIATION and not i.deviation_text]
    if bare:
        raise ValidationError(f"Describe the deviation found in sample item {', '.join(bare)} of {found.ref} first.")


def _refuse_untested_unexplained(found: ControlTest, note: str) -> None:
    """Concluding with items untested needs a note that says why (a sentence a reviewer can read)."""
    pending = found.items_total - found.items_with_result
    if pending and not is_written_out(note):
        raise ValidationError(
            f"{found.ref} has {pending} of {found.items_total} sample item(s) without a result: record them, "
            f"or say in the conclusion note, in {written_out_hint()}, why they were not tested."
        )


def _refuse_clean_conclusion(found: ControlTest) -> None:
    if found.deviation_count or found.items_with_deviation:
        raise ValidationError(f"{found.ref} has deviations recorded, so it cannot conclude 'No exceptions noted'.")
    pending = found.items_total - found.items_with_result
    if pending:
        raise ValidationError(f"{found.ref} has {pending} sample item(s) without a result; record them first.")
    if found.kind is TestKind.OPERATING and found.sample_size and found.items_total < found.sample_size:
        raise ValidationError(
            f"{found.ref} plans a sample of {found.sample_size} but holds {found.items_total} item(s); "
            "add the rest or change the plan."
        )


def _refuse_unassessed_population(conn: Connection, found: ControlTest) -> None:
    """A clean conclusion rests on a population whose completeness and accuracy were assessed (`services.ipe`)."""
    from fieldwork.app.services.ipe import refusal  # it reads tests here: import when used

    reason = refusal(conn, found)
    if reason:
        raise ValidationError(reason)


def _did_operate_because(found: ControlTest) -> str:
    """Why the test cannot find that the control did not operate ("" when it can): that finding rests on a test
    of operating effectiveness whose population was recorded as empty, with nothing sampled or found."""
    if found.kind is not TestKind.OPERATING:
        return "is a test of design; only a test of operating effectiveness can find that the control did not operate"
    if found.deviation_count or found.items_with_deviation:
        return "has deviations recorded, so the control did operate"
    if found.items_total:
        return f"holds {found.items_total} sample item(s), so the control did operate; remove them first"
    if found.population_size is None:
        return "has no population size recorded; record the population as 0 items first"
    if found.population_size:
        return f"records a population of {found.population_size}; a control that did not operate has none"
    return ""


def _refuse_not_operated(found: ControlTest, note: str) -> None:
    """ "Did not operate" is a finding about the period, so it must rest on what was found, and say how."""
    reason = _did_operate_because(found)
    if reason:
        raise ValidationError(f"{found.ref} {reason}.")
    if not note.strip():
        raise ValidationError(
            "First write in the conclusion note how you established that the control did not operate in the "
            "period (for example, the source you inspected held no occurrence), then choose this conclusion."
        )


def require_test(conn: Connection, test_id: TestId) -> None:
    if conn.execute(select(control_test.c.id).where(control_test.c.id == test_id, live(control_test))).scalar() is None:
        raise NotFoundError(f"Test {test_id} no longer exists.")
