"""A test's sample: the suggested size, the auditor's override, drawing the items and extending them.

Each public function is one user action in one transaction. A selection records the plan (size,
method, seed, risk and any override reason) and appends the items through
`testing.insert_sample_rows`, so the history holds every item and the seed that reproduces them.
The algorithms themselves are in `selection`; which rows are eligible is the population's business.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, func, select

from fieldwork.app.domain.ids import TestId
from fieldwork.app.domain.reasons import is_written_out, written_out_hint
from fieldwork.app.domain.sampling import Population, Risk, SampleDraw, SamplePlan, SelectedItem, SizeSuggestion
from fieldwork.app.domain.vocabulary import Frequency, Nature, Selection, TestKind
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.engagement import read_period_span
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.population import (
    count_eligible,
    eligible_rows,
    read_population,
    read_rows,
    require_population,
)
from fieldwork.app.services.sample_size import SizeBasis, suggest
from fieldwork.app.services.selection import new_seed, random_rows, rows_at, systematic_positions
from fieldwork.app.services.test_windows import read_test_window
from fieldwork.app.services.testing import check_seed, find_test_id, insert_sample_rows
from fieldwork.app.storage.schema import control, control_test, live, sample_item
from fieldwork.app.tasks import Task

SEEDED = frozenset({Selection.RANDOM, Selection.SYSTEMATIC})
PICKED = frozenset({Selection.HAPHAZARD, Selection.TARGETED})
PROGRESS_EVERY = 20_000


# --- size ----------------------------------------------------------------------------------------


def _facts(conn: Connection, test_id: TestId) -> RowMapping:
    find_test_id(conn, test_id)
    query = (
        select(control_test, control.c.frequency, control.c.nature)
        .join(control, control.c.id == control_test.c.control_id)
        .where(control_test.c.id == test_id, live(control_test))
    )
    return conn.execute(query).mappings().one()


def _risk(facts: RowMapping, risk: Risk | None) -> Risk | None:
    if risk is not None:
        return Risk(risk)
    return Risk(facts["risk"]) if facts["risk"] else None


def _population_size(found: Population | None, facts: RowMapping) -> int | None:
    """Items in the period when the population is held, else the size the auditor stated."""
    return found.row_count - found.outside_period if found else facts["population_size"]


def _suggestion(conn: Connection, facts: RowMapping, found: Population | None, risk: Risk | None) -> SizeSuggestion:
    """The methodology's suggestion, pro-rated on the days of the test's window (the period, unless it has one)."""
    window = read_test_window(conn, facts["id"])
    basis = SizeBasis(
        frequency=Frequency(facts["frequency"]),
        nature=Nature(facts["nature"]),
        kind=TestKind(facts["kind"]),
        risk=risk,
        period_days=window.days if window else None,
        population=_population_size(found, facts),
        window=window.label if window and window != read_period_span(conn) else "",
    )
    return suggest(basis)


def suggested_size(db: Engagement, test_id: TestId, risk: Risk | None = None) -> SizeSuggestion:
    """The methodology's suggestion for a test, at `risk` or the risk already recorded."""
    with db.reading() as conn:
        facts = _facts(conn, test_id)
        return _suggestion(conn, facts, read_population(conn, test_id), _risk(facts, risk))


def _plan_fields(
    ch: Changes, facts: RowMapping, found: Population | None, size: int, risk: Risk | None, reason: str | None
) -> dict[str, Any]:
    """The plan's size, risk and override reason, refused when the size departs from the suggestion unexplained."""
    suggestion = _suggestion(ch.conn, facts, found, risk)
    if size < 1:
        raise ValidationError("A sample holds at least one item.")
    available = _population_size(found, facts)
    if available is not None and size > available:
        raise ValidationError(f"A sample of {size} cannot be larger than the population ({available:,} items).")
    why = (reason or "").strip() or None
    if size != suggestion.size and why is None and facts["sample_size"] == size:
        why = facts["size_override_reason"]
    if size != suggestion.size and why is None:
        raise ValidationError(
            f"A sample of {size} differs from the suggested {suggestion.size} "
            f"({suggestion.minimum}-{suggestion.maximum}); give the reason for the override."
        )
    if size < suggestion.minimum and not is_written_out(why):
        raise ValidationError(
            f"A sample of {size} is below the methodology's minimum of {suggestion.minimum} "
            f"(range {suggestion.minimum}-{suggestion.maximum}); justify it in {written_out_hint()}, "
            "saying why fewer items are enough."
        )
    details = {"size": suggestion.size, "range": [suggestion.minimum, suggestion.maximum]}
    ch.record("suggest", control_test.name, str(facts["id"]), {**details, "reasoning": suggestion.reasoning})
    return {
        "sample_size": size,
        "risk": risk.value if risk else None,
        "size_override_reason": why if size != suggestion.size else None,
    }


def record_size(
    db: Engagement, test_id: TestId, size: int, *, risk: Risk | None = None, reason: str | None = None
) -> SamplePlan:
    """Record the planned sample size (and risk); a size other than the suggestion needs a reason."""
    with changes(db) as ch:
        facts = _facts(ch.conn, test_id)
        found = read_population(ch.conn, test_id)
        ch.update(control_test, {"id": test_id}, _plan_fields(ch, facts, found, size, _risk(facts, risk), reason))
        return read_plan(ch.conn, test_id)


def read_plan(conn: Connection, test_id: TestId) -> SamplePlan:
    facts = _facts(conn, test_id)
    risk = _risk(facts, None)
    try:
        suggestion: SizeSuggestion | None = _suggestion(conn, facts, read_population(conn, test_id), risk)
    except ValidationError:
        suggestion = None  # an on-occurrence control before its population is known
    return SamplePlan(
        test_id=test_id,
        test_ref=facts["ref"],
        frequency=Frequency(facts["frequency"]),
        nature=Nature(facts["nature"]),
        risk=risk,
        suggestion=suggestion,
        sample_size=facts["sample_size"],
        override_reason=facts["size_override_reason"],
        selection=Selection(facts["selection"]) if facts["selection"] else None,
        seed=facts["seed"],
    )


def get_plan(db: Engagement, test_id: TestId) -> SamplePlan:
    with db.reading() as conn:
        return read_plan(conn, test_id)


# --- selection -----------------------------------------------------------------------------------


def select_sample(
    db: Engagement,
    test_id: TestId,
    method: Selection,
    *,
    size: int | None = None,
    seed: int | None = None,
    rows: Sequence[int] = (),
    risk: Risk | None = None,
    reason: str | None = None,
    task: Task | None = None,
) -> SampleDraw:
    """Draw the test's sample from its population and record the plan that reproduces it.

    Random and systematic draw `size` items (default: the recorded size, else the suggestion) with
    `seed` (default: a new one, recorded); haphazard and targeted take the auditor's `rows`; all
    takes every item in the period. Run it off the GUI thread for a large population.
    """
    method = Selection(method)
    with changes(db) as ch:
        facts = _facts(ch.conn, test_id)
        found = require_population(ch.conn, test_id)
        existing = _count_items(ch.conn, test_id)
        if existing:
            raise ValidationError(
                f"{facts['ref']} already has {existing} sample item(s): extend the sample, or delete them first."
            )
        level = _risk(facts, risk)
        count = _count_for(ch.conn, facts, found, method, size, rows, level)
        seed = _seed(seed) if method in SEEDED else None
        fields = _plan_fields(ch, facts, found, count, level, reason)
        picked, interval = _draw(ch.conn, found, method, count, seed, rows, set(), task or Task())
        ch.update(control_test, {"id": test_id}, {**fields, "selection": method.value, "seed": seed})
        items = _store_items(ch, test_id, found, picked)
        return _result(facts, found, method, seed, interval, count, items, already=0)


def extend_sample(
    db: Engagement,
    test_id: TestId,
    *,
    count: int = 0,
    rows: Sequence[int] = (),
    reason: str,
    task: Task | None = None,
) -> SampleDraw:
    """Add items by the sample's own method, leaving those already selected as they are.

    Random takes the rows with the next smallest keys for the same seed; systematic makes a new pass
    over the rows not yet selected; haphazard and targeted take the auditor's `rows`. The reason is
    kept with the plan, after any earlier one.
    """
    why = reason.strip()
    if not why:
        raise ValidationError("Say why the sample is extended (for example, the deviation that prompted it).")
    with changes(db) as ch:
        facts = _facts(ch.conn, test_id)
        found = require_population(ch.conn, test_id)
        drawn = _drawn_rows(ch.conn, test_id)
        if not drawn or not facts["selection"]:
            raise ValidationError(f"{facts['ref']} has no sample drawn from its population to extend.")
        method = Selection(facts["selection"])
        if method is Selection.ALL:
            raise ValidationError(f"{facts['ref']} already tests every item of its population.")
        if method in SEEDED and count < 1:
            raise ValidationError("Say how many items to add to the sample.")
        picked, interval = _draw(ch.conn, found, method, count, facts["seed"], rows, set(drawn), task or Task())
        notes = [facts["size_override_reason"], f"Extended by {len(picked)}: {why}"]
        total = (facts["sample_size"] or len(drawn)) + len(picked)
        ch.update(
            control_test,
            {"id": test_id},
            {"sample_size": total, "size_override_reason": "\n".join(n for n in notes if n)},
        )
        items = _store_items(ch, test_id, found, picked)
        return _result(facts, found, method, facts["seed"], interval, total, items, already=len(drawn))


def _seed(seed: int | None) -> int:
    if seed is None:
        return new_seed()
    check_seed(seed)
    return seed


def _count_for(
    conn: Connection,
    facts: RowMapping,
    found: Population,
    method: Selection,
    size: int | None,
    rows: Sequence[int],
    risk: Risk | None,
) -> int:
    if method is Selection.ALL:
        return found.row_count - found.outside_period
    if method in PICKED:
        if not rows:
            raise ValidationError("Give the row numbers of the items picked for a haphazard or targeted selection.")
        return len(rows)
    return size or facts["sample_size"] or _suggestion(conn, facts, found, risk).size


def _draw(
    conn: Connection,
    found: Population,
    method: Selection,
    count: int,
    seed: int | None,
    rows: Sequence[int],
    already: set[int],
    task: Task,
) -> tuple[list[int], float | None]:
    """(row numbers drawn, the systematic interval) for `count` more items, skipping `already`."""
    if method in PICKED:
        return _chosen(conn, found, rows, already), None
    available = _ticking(eligible_rows(conn, found.id, already), found.row_count, task)
    if method is Selection.ALL:
        return list(available), None
    assert seed is not None
    if method is Selection.RANDOM:
        picked = random_rows(seed, available, count)
        interval = None
    else:
        remaining = count_eligible(conn, found.id, already)
        _enough(count, remaining)
        interval, positions = systematic_positions(seed, remaining, count, len(already))
        picked = rows_at(available, positions)
    _enough(count, len(picked))
    return picked, interval


def _enough(count: int, available: int) -> None:
    if count > available:
        raise ValidationError(
            f"A sample of {count} needs more items than the {available:,} in the test's window not yet selected."
        )


def _ticking(rows: Iterator[int], total: int, task: Task) -> Iterator[int]:
    """Pass rows through, reporting progress (and stopping at a cancel) every few thousand."""
    for done, row in enumerate(rows, start=1):
        if done % PROGRESS_EVERY == 0:
            task.progress(done, total, "selecting")
        yield row


def _chosen(conn: Connection, found: Population, rows: Sequence[int], already: set[int]) -> list[int]:
    """The auditor's own picks, each a row of the population, in the period and not yet in the sample."""
    if not rows:
        raise ValidationError("Give the row numbers of the items to add.")
    if len(set(rows)) != len(rows):
        raise ValidationError("The same row is picked more than once.")
    stored = read_rows(conn, found.id, rows)
    window = read_test_window(conn, found.test_id)
    for row_no in rows:
        item = stored.get(row_no)
        if item is None:
            raise ValidationError(f"There is no row {row_no} in the population (rows 1 to {found.row_count:,}).")
        if row_no in already:
            raise ValidationError(f"Row {row_no} ({item.identifier}) is already in the sample.")
        if window and item.item_date and not window.holds(item.item_date):
            raise ValidationError(
                f"Row {row_no} ({item.identifier}) is dated {item.item_date}, outside {found.outside_label}."
            )
    return sorted(rows)


def _store_items(ch: Changes, test_id: TestId, found: Population, picked: Iterable[int]) -> tuple[SelectedItem, ...]:
    stored = read_rows(ch.conn, found.id, picked)
    order = sorted(stored)
    rows = [
        {
            "identifier": stored[row_no].identifier,
            "item_date": stored[row_no].item_date,
            "result": None,
            "tickmarks": "",
            "deviation_text": "",
            "population_row_no": row_no,
        }
        for row_no in order
    ]
    items = insert_sample_rows(ch, test_id, rows)
    return tuple(
        SelectedItem(item.id, item.seq, row_no, item.identifier, item.item_date)
        for item, row_no in zip(items, order, strict=True)
    )


def _result(
    facts: RowMapping,
    found: Population,
    method: Selection,
    seed: int | None,
    interval: float | None,
    size: int,
    items: tuple[SelectedItem, ...],
    *,
    already: int,
) -> SampleDraw:
    return SampleDraw(
        test_id=facts["id"],
        test_ref=facts["ref"],
        method=method,
        seed=seed,
        interval=interval,
        eligible=found.row_count - found.outside_period - already,
        left_out=found.outside_period,
        sample_size=size,
        items=items,
    )


# --- reading -------------------------------------------------------------------------------------


def _drawn_rows(conn: Connection, test_id: TestId) -> list[int]:
    """Population rows already in the sample."""
    query = select(sample_item.c.population_row_no).where(
        sample_item.c.test_id == test_id, sample_item.c.population_row_no.is_not(None), live(sample_item)
    )
    return list(conn.execute(query).scalars())


def _count_items(conn: Connection, test_id: TestId) -> int:
    query = select(func.count()).select_from(sample_item).where(sample_item.c.test_id == test_id, live(sample_item))
    return int(conn.execute(query).scalar_one())


def read_selected_items(conn: Connection, test_id: TestId) -> list[SelectedItem]:
    """The sample items drawn from the population, with the rows they came from."""
    query = (
        select(sample_item)
        .where(sample_item.c.test_id == test_id, sample_item.c.population_row_no.is_not(None), live(sample_item))
        .order_by(sample_item.c.seq)
    )
    return [
        SelectedItem(row["id"], row["seq"], row["population_row_no"], row["identifier"], row["item_date"])
        for row in conn.execute(query).mappings()
    ]


def list_selected_items(db: Engagement, test_id: TestId) -> list[SelectedItem]:
    with db.reading() as conn:
        return read_selected_items(conn, test_id)
