"""A test's population: imported from a file or entered by hand, kept with its source, checked against the period.

An imported file is kept as evidence of the test and of its population's IPE assessment (`services.ipe`), in the
import's transaction: the very bytes the rows came from, or the import is refused.

Imported rows are written without `Changes`, as evidence chunks are: a history entry per row would
double the file and say nothing more, because the population's own entry (file name, SHA-256, row
count, who and when) stands for them. Rows entered by hand have no file to stand for them, so each
one is recorded. An import is one transaction: an error or a cancel leaves no row behind.

Items dated outside the test's window (the period, unless the test or its control says otherwise:
`test_windows`) are flagged here (`outside_period`) and left out of the rows a sample can be drawn from
(`eligible_rows`); undated items stay eligible.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import ColumnElement, Connection, case, false, func, insert, select

from fieldwork.app.domain.ids import EvidenceId, PopulationId, TestId, new_id
from fieldwork.app.domain.over_time import Span
from fieldwork.app.domain.sampling import Population, PopulationItemInput, PopulationRow, PopulationSource
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.engagement import read_period_span
from fieldwork.app.services.evidence import Link, LinkKind, Receipt, attach_stream, link
from fieldwork.app.services.evidence_store import ByteProgress
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.ipe import new_population
from fieldwork.app.services.population_files import open_table
from fieldwork.app.services.population_removal import drop_population
from fieldwork.app.services.population_table import Cell, Table, cell_text, parse_date
from fieldwork.app.services.test_windows import read_test_window, window_phrase
from fieldwork.app.services.testing import conclusion_follows, find_test_id
from fieldwork.app.storage.schema import control_test, evidence, evidence_link, live, population, population_row
from fieldwork.app.tasks import Task

ROW_BATCH = 5_000
ROW_COLUMNS = ("population_id", "row_no", "identifier", "item_date", "values")
BY_HAND = "Entered by hand"
HAND_COLUMNS = ("Identifier", "Date")


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of up to `size` items, so a stream is written in bounded pieces (itertools.batched is 3.12+)."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# --- import --------------------------------------------------------------------------------------


def import_population(
    db: Engagement,
    test_id: TestId,
    source: PopulationSource,
    id_column: str,
    date_column: str | None = None,
    *,
    date_format: str | None = None,
    task: Task | None = None,
) -> Population:
    """Import a CSV or XLSX file as the test's population, replacing any population not yet sampled.

    Streams the file into the engagement in one transaction, reporting progress to `task` (a
    cancel keeps nothing); the SHA-256 is of the very bytes read. Run it off the GUI thread.
    """
    task = task or Task()
    with open_table(source) as table:
        id_index = table.column_index(id_column)
        date_index = table.column_index(date_column) if date_column else None
        with changes(db) as ch:
            find_test_id(ch.conn, test_id)
            replacing = read_population(ch.conn, test_id) is not None
            drop_population(ch, test_id)
            population_id = PopulationId(new_id())
            # The population row is written last, when its row count and hash are known.
            ch.conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            rows = _rows(table, population_id, id_index, date_index, date_format)
            count = _store(ch.conn, rows, table, task)
            if not count:
                raise ValidationError(f"{table.name} holds no items below its header.")
            ch.insert(
                population,
                {
                    "id": population_id,
                    "test_id": test_id,
                    "source_name": table.name,
                    "source_sha256": table.sha256(),
                    "sheet_name": table.sheet,
                    "columns": list(table.columns),
                    "id_column": id_column,
                    "date_column": date_column,
                    "row_count": count,
                    "imported_by": ch.person,
                    "imported_at": ch.at_utc,
                },
            )
            _describe_on_test(ch, test_id, count, table.name)
            _keep_as_evidence(ch, test_id, source, table.sha256(), replacing, task)
            found = read_population(ch.conn, test_id)
    assert found is not None
    return found


def _keep_as_evidence(
    ch: Changes, test_id: TestId, source: PopulationSource, sha256: str, replacing: bool, task: Task
) -> None:
    """The imported file as evidence of the test and its IPE assessment (the same content already linked to the
    test is linked again, not stored again); refused if the bytes stored are not the bytes the rows came from."""
    ipe_id = new_population(ch, test_id, replacing)
    targets = [Link(LinkKind.TEST, test_id), Link(LinkKind.IPE, ipe_id)]
    already = ch.conn.execute(
        select(evidence.c.id)
        .join(evidence_link, evidence_link.c.evidence_id == evidence.c.id)
        .where(
            evidence.c.blob_sha256 == sha256, evidence_link.c.test_id == test_id, live(evidence), live(evidence_link)
        )
    ).scalar()
    if already is not None:
        link(ch, EvidenceId(already), targets[1])
        return
    progress = ByteProgress(task, source.path.stat().st_size)
    try:
        with source.path.open("rb", buffering=0) as handle:
            kept = attach_stream(ch, handle, source.path.name, targets, Receipt(), progress)
    except OSError as exc:
        raise ValidationError(f"Cannot keep {source.path.name} as evidence: {exc.strerror or exc}.") from exc
    stored = ch.conn.execute(select(evidence.c.blob_sha256).where(evidence.c.id == kept)).scalar_one()
    if stored != sha256:
        raise ValidationError(f"{source.path.name} changed while it was imported; import it again.")


def _rows(
    table: Table, population_id: PopulationId, id_index: int, date_index: int | None, date_format: str | None
) -> Iterator[tuple[Any, ...]]:
    """Rows as the driver takes them, in `ROW_COLUMNS` order, with keys, dates and values already encoded."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    key = population_id.hex  # as SQLAlchemy's Uuid type stores it
    for row_no, (number, cells) in enumerate(table.rows, start=1):
        identifier = cell_text(cells[id_index]).strip()
        if not identifier:
            raise ValidationError(f"{table.name}: row {number} has no {table.columns[id_index]}; every item needs one.")
        item_date = _date_of(table, number, cells, date_index, date_format)
        yield key, row_no, identifier, item_date, encode([cell_text(c) for c in cells])


def _date_of(table: Table, number: int, cells: list[Cell], index: int | None, date_format: str | None) -> str | None:
    if index is None:
        return None
    try:
        found = parse_date(cells[index], date_format)
    except ValueError as exc:
        raise ValidationError(f"{table.name}: row {number}, {table.columns[index]}: {exc}.") from None
    return found.isoformat() if found else None


def _store(conn: Connection, rows: Iterator[tuple[Any, ...]], table: Table, task: Task) -> int:
    """Insert in batches through the driver, checking for a cancel between them."""
    assert tuple(column.name for column in population_row.columns) == ROW_COLUMNS
    statement = str(insert(population_row).compile(dialect=conn.dialect))
    cursor = conn.connection.cursor()
    count = 0
    try:
        for batch in _batches(rows, ROW_BATCH):
            cursor.executemany(statement, batch)
            count += len(batch)
            done, total = table.progress()
            task.progress(done, total, f"{count:,} rows")
    finally:
        cursor.close()
    return count


def _describe_on_test(ch: Changes, test_id: TestId, count: int, source_name: str) -> None:
    """The test's plan states the population's size, and its source unless the auditor described it."""
    described = ch.conn.execute(select(control_test.c.population).where(control_test.c.id == test_id)).scalar_one()
    values: dict[str, Any] = {"population_size": count}
    if not described.strip():
        values["population"] = source_name
    ch.update(control_test, {"id": test_id}, values)
    conclusion_follows(ch, test_id)


# --- entry by hand -------------------------------------------------------------------------------


def enter_population(db: Engagement, test_id: TestId, items: Sequence[PopulationItemInput]) -> Population:
    """A population typed in by the auditor (a short list with no export behind it); each row is recorded."""
    cleaned = [(item.identifier.strip(), item.item_date) for item in items]
    if not cleaned:
        raise ValidationError("Enter at least one item of the population.")
    blank = next((n for n, (identifier, _) in enumerate(cleaned, start=1) if not identifier), None)
    if blank is not None:
        raise ValidationError(f"Item {blank} of the population has no identifier.")
    with changes(db) as ch:
        find_test_id(ch.conn, test_id)
        drop_population(ch, test_id)
        population_id = ch.insert(
            population,
            {
                "test_id": test_id,
                "source_name": BY_HAND,
                "source_sha256": None,
                "sheet_name": None,
                "columns": list(HAND_COLUMNS),
                "id_column": HAND_COLUMNS[0],
                "date_column": HAND_COLUMNS[1],
                "row_count": len(cleaned),
                "imported_by": ch.person,
                "imported_at": ch.at_utc,
            },
        )
        ch.insert_many(
            population_row,
            [
                {
                    "population_id": population_id,
                    "row_no": row_no,
                    "identifier": identifier,
                    "item_date": item_date,
                    "values": [identifier, item_date.isoformat() if item_date else ""],
                }
                for row_no, (identifier, item_date) in enumerate(cleaned, start=1)
            ],
        )
        _describe_on_test(ch, test_id, len(cleaned), BY_HAND)
        found = read_population(ch.conn, test_id)
    assert found is not None
    return found


# --- removal -------------------------------------------------------------------------------------


def remove_population(db: Engagement, test_id: TestId) -> None:
    with changes(db) as ch:
        find_test_id(ch.conn, test_id)
        drop_population(ch, test_id)


# --- reading -------------------------------------------------------------------------------------


def _outside(window: Span | None) -> ColumnElement[bool]:
    if window is None:
        return false()
    return population_row.c.item_date.is_not(None) & (
        (population_row.c.item_date < window.start) | (population_row.c.item_date > window.end)
    )


def _window_of(conn: Connection, population_id: PopulationId) -> Span | None:
    test_id = conn.execute(select(population.c.test_id).where(population.c.id == population_id)).scalar_one()
    return read_test_window(conn, test_id)


def read_population(conn: Connection, test_id: TestId) -> Population | None:
    row = conn.execute(select(population).where(population.c.test_id == test_id, live(population))).mappings().first()
    if row is None:
        return None
    window = read_test_window(conn, test_id)
    flags = select(
        func.coalesce(func.sum(case((_outside(window), 1), else_=0)), 0),
        func.coalesce(func.sum(case((population_row.c.item_date.is_(None), 1), else_=0)), 0),
    ).where(population_row.c.population_id == row["id"])
    outside, undated = conn.execute(flags).one()
    return Population(
        id=row["id"],
        test_id=row["test_id"],
        source_name=row["source_name"],
        source_sha256=row["source_sha256"],
        sheet_name=row["sheet_name"],
        columns=tuple(row["columns"]),
        id_column=row["id_column"],
        date_column=row["date_column"],
        row_count=row["row_count"],
        imported_by=row["imported_by"],
        imported_at=row["imported_at"],
        outside_period=int(outside),
        undated=int(undated) if row["date_column"] else 0,
        outside_label=window_phrase(window, read_period_span(conn)),
    )


def _count(conn: Connection, condition: ColumnElement[bool]) -> int:
    return int(conn.execute(select(func.count()).select_from(population_row).where(condition)).scalar_one())


def get_population(db: Engagement, test_id: TestId) -> Population | None:
    with db.reading() as conn:
        return read_population(conn, test_id)


def require_population(conn: Connection, test_id: TestId) -> Population:
    found = read_population(conn, test_id)
    if found is None:
        raise ValidationError("This test has no population yet: import it from a file or enter it by hand.")
    return found


def read_population_rows(
    conn: Connection, test_id: TestId, *, offset: int = 0, limit: int = 100, outside_period_only: bool = False
) -> list[PopulationRow]:
    """A page of the population in row order (for a table view), or only the items flagged outside the period."""
    found = require_population(conn, test_id)
    condition = population_row.c.population_id == found.id
    if outside_period_only:
        condition = condition & _outside(read_test_window(conn, test_id))
    query = select(population_row).where(condition).order_by(population_row.c.row_no).offset(offset).limit(limit)
    return [_row_record(row) for row in conn.execute(query).mappings()]


def list_population_rows(
    db: Engagement, test_id: TestId, *, offset: int = 0, limit: int = 100, outside_period_only: bool = False
) -> list[PopulationRow]:
    with db.reading() as conn:
        return read_population_rows(conn, test_id, offset=offset, limit=limit, outside_period_only=outside_period_only)


def _row_record(row: Any) -> PopulationRow:
    return PopulationRow(row["row_no"], row["identifier"], row["item_date"], tuple(row["values"]))


def eligible_rows(conn: Connection, population_id: PopulationId, skip: Iterable[int] = ()) -> Iterator[int]:
    """Row numbers a sample may be drawn from, in population order: in the test's window (or undated), not in
    `skip`.

    Streamed through the driver's cursor: SQLAlchemy's per-row processing was most of a selection's time.
    """
    skipped = set(skip)
    query = (
        select(population_row.c.row_no)
        .where(population_row.c.population_id == population_id, ~_outside(_window_of(conn, population_id)))
        .order_by(population_row.c.row_no)
    )
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})))
        while chunk := cursor.fetchmany(ROW_BATCH):
            yield from (row_no for (row_no,) in chunk if row_no not in skipped)
    finally:
        cursor.close()


def count_eligible(conn: Connection, population_id: PopulationId, skip: Iterable[int] = ()) -> int:
    """How many rows `eligible_rows` yields, counted by SQLite rather than by streaming them."""
    condition = (population_row.c.population_id == population_id) & ~_outside(_window_of(conn, population_id))
    total = _count(conn, condition)
    for chunk in _batches(sorted(set(skip)), 500):
        total -= _count(conn, condition & population_row.c.row_no.in_(chunk))
    return total


def read_rows(conn: Connection, population_id: PopulationId, row_nos: Iterable[int]) -> dict[int, PopulationRow]:
    wanted = sorted(set(row_nos))
    found: dict[int, PopulationRow] = {}
    for chunk in _batches(wanted, 500):
        query = select(population_row).where(
            population_row.c.population_id == population_id, population_row.c.row_no.in_(chunk)
        )
        found.update((row["row_no"], _row_record(row)) for row in conn.execute(query).mappings())
    return found
