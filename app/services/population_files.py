"""Population files: open a CSV or XLSX as a table of rows, or preview its first rows, within limits.

The file comes from the client, so it is untrusted: it may be a zip bomb, an XML entity bomb, a
CSV with a gigantic field or no line ends, or far bigger than any real population. Every limit is
checked before or while reading (here, and in `population_csv` and `population_xlsx` for what only
they can see), so a hostile file is refused in seconds, in bounded memory, with one sentence.
"""

from __future__ import annotations

import contextlib
import re
import stat
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import chain, islice
from pathlib import Path
from typing import Protocol

from fieldwork.app.domain.sampling import PopulationPreview, PopulationSource
from fieldwork.app.services.population_csv import open_csv
from fieldwork.app.services.population_table import (
    Cell,
    Pair,
    PairCounter,
    RefusedFile,
    Rows,
    Table,
    cell_text,
    is_date,
)
from fieldwork.app.services.population_xlsx import hash_handle, open_workbook

MAX_SOURCE_BYTES = 1 << 30
MAX_ROWS = 5_000_000
PREVIEW_ROWS = 20

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})

_ID_HEADER = re.compile(r"\b(id|no|number|ref|reference|key|ticket|#)\b", re.IGNORECASE)


class TableFile(Protocol):
    """A file of one table (CSV) or of sheets (XLSX), opened once; `table` reads one of them."""

    sheet_names: tuple[str, ...]

    def table(self, source: PopulationSource) -> contextlib.AbstractContextManager[Table]: ...


class _CsvFile:
    sheet_names: tuple[str, ...] = ()

    def table(self, source: PopulationSource) -> contextlib.AbstractContextManager[Table]:
        return open_csv(source)


@contextlib.contextmanager
def open_file(path: Path) -> Iterator[TableFile]:
    """Open a population file (or a matrix) once, after the checks that need no parsing."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        raise RefusedFile(name, "only CSV and XLSX files can be imported as a population")
    try:
        found = path.stat()
    except OSError as exc:
        raise RefusedFile(name, f"it cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(found.st_mode):
        raise RefusedFile(name, "it is not a file but a pipe, a device or a folder")
    size = found.st_size
    if size > MAX_SOURCE_BYTES:
        raise RefusedFile(name, f"it is {size:,} bytes, more than {MAX_SOURCE_BYTES:,}")
    if suffix in CSV_SUFFIXES:
        yield _CsvFile()
    else:
        with open_workbook(path) as book:
            yield book


@contextlib.contextmanager
def read_table(found: TableFile, source: PopulationSource) -> Iterator[Table]:
    """One table of an open file, for one pass over its rows."""
    with found.table(source) as table:
        if not table.columns:
            raise RefusedFile(table.name, "it holds no rows")
        table.rows = _within_row_limit(table.name, table.rows)
        if table.counter is not None:
            table.counter = _counter_within_row_limit(table.name, table.counter)
        yield table


@contextlib.contextmanager
def open_table(source: PopulationSource) -> Iterator[Table]:
    """Open a population file for one pass over its rows, after the checks that need no parsing."""
    with open_file(source.path) as found, read_table(found, source) as table:
        yield table


def _within_row_limit(name: str, rows: Rows) -> Rows:
    """The first `MAX_ROWS` rows, then a refusal if there is another: `islice` and `chain` pass rows on without
    a Python step per row."""
    return chain(islice(rows, MAX_ROWS), _refuse_more(name, rows))


def _refuse_more(name: str, rows: Rows) -> Rows:
    for _ in rows:
        raise _too_many_rows(name)
    yield from ()


def _too_many_rows(name: str) -> RefusedFile:
    return RefusedFile(name, f"it holds more than {MAX_ROWS:,} rows")


def _counter_within_row_limit(name: str, counter: PairCounter) -> PairCounter:
    """A reader's pair counts, refused once they have counted more than `MAX_ROWS` rows."""

    def counted(first: int, second: int) -> Iterator[Counter[Pair]]:
        read = 0
        for counts in counter(first, second):
            read += counts.total()
            if read > MAX_ROWS:
                raise _too_many_rows(name)
            yield counts

    return counted


def preview(source: PopulationSource, limit: int = PREVIEW_ROWS) -> PopulationPreview:
    """The header, columns and first rows as they would be imported; reads only the start of the file."""
    with open_file(source.path) as found:
        return preview_of(found, source, limit)


def preview_of(found: TableFile, source: PopulationSource, limit: int = PREVIEW_ROWS) -> PopulationPreview:
    """`preview` of one table of a file already open (a workbook's sheets share one load)."""
    with read_table(found, source) as table:
        first = [cells for _, cells in islice(table.rows, limit)]
        return PopulationPreview(
            source_name=table.name,
            sheet_names=table.sheet_names,
            sheet=table.sheet,
            header_row=table.header_row,
            columns=table.columns,
            rows=tuple(tuple(cell_text(c) for c in cells) for cells in first),
            id_column=_guess_id_column(table.columns),
            date_column=_guess_date_column(table.columns, first),
        )


def _guess_date_column(columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str | None:
    """The first column whose every filled value in the first rows is a date."""
    for index, column in enumerate(columns):
        values = [cells[index] for cells in rows if index < len(cells) and cell_text(cells[index]).strip()]
        if values and all(is_date(v) for v in values):
            return column
    return None


def _guess_id_column(columns: Sequence[str]) -> str:
    return next((c for c in columns if _ID_HEADER.search(c)), columns[0])


def file_sha256(path: Path) -> str:
    """A file's SHA-256, to tell whether it is the population already imported."""
    with path.open("rb") as handle:
        return hash_handle(handle)
