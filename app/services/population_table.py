"""What every population file reader shares: the cells, the header, the refusal, and the open table.

A reader (`population_csv`, `population_xlsx`) turns a file into a stream of (row number, cells);
this module finds the header in its first rows and names the columns. Each reader states the
limits it enforces; the one they share is here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from operator import itemgetter

from fieldwork.app.errors import ValidationError

MAX_COLUMNS = 256
HEADER_SCAN_ROWS = 20
READ_CHUNK = 1 << 20
#: Rows counted together by `Table.pair_counts` where the reader has no faster way.
PAIR_BATCH = 65_536

Cell = str | int | float | bool | date | datetime | time | None
RowCells = tuple[int, list[Cell]]
Rows = Iterator[RowCells]
Pair = tuple[Cell, Cell]
#: A reader's own `Table.pair_counts`: given the two column indexes, the counts a batch at a time.
PairCounter = Callable[[int, int], Iterator[Counter[Pair]]]

_NUMBER = re.compile(r"[-+]?(\d[\d,]*\.?\d*|\.\d+)([eE][-+]?\d+)?")


class RefusedFile(ValidationError):
    """A population file that cannot or may not be read; the message says which limit or flaw."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name} was refused: {reason}.")


@dataclass
class Table:
    """An open population file: its columns and a one-pass stream of its data rows.

    `rows` yields (row number in the file, cells); `progress` says how far the stream has got;
    `sha256` is the whole file's hash once the rows are exhausted. `pair_counts` is the other pass a table
    offers, in place of `rows`.
    """

    name: str
    sheet_names: tuple[str, ...]
    sheet: str | None
    header_row: int
    columns: tuple[str, ...]
    rows: Rows
    progress: Callable[[], tuple[int, int]]
    sha256: Callable[[], str]
    counter: PairCounter | None = None

    def pair_counts(self, first: int, second: int) -> Iterator[Counter[Pair]]:
        """How many data rows hold each pair of values in two columns (by index), a batch of rows at a time.

        The pass over the rows for a figure that needs two columns only (the fairness re-performance), in place of
        `rows`: a reader that can count them faster than it makes rows (CSV) has its own `counter`, giving the
        same counts and refusals; any other's rows are counted.
        """
        if self.counter is not None:
            return self.counter(first, second)
        pairs = map(itemgetter(first, second), map(itemgetter(1), self.rows))
        return iter(lambda: Counter(islice(pairs, PAIR_BATCH)), Counter())

    def column_index(self, column: str) -> int:
        """Where a named column is in each row; the refusal names the columns there are."""
        if column not in self.columns:
            raise ValidationError(f"{self.name} has no column {column!r} (it has {', '.join(self.columns)}).")
        return self.columns.index(column)


# --- cells ---------------------------------------------------------------------------------------


def cell_text(value: Cell) -> str:
    """A cell as the auditor reads it; stored in the population row's values."""
    if type(value) is str:  # every CSV cell: the fast path
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_date(value: Cell, date_format: str | None = None) -> date | None:
    """A cell as a date (blank is None); raises ValueError with the reason when it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{cell_text(value)!r} is a number, not a date")
    text = value.strip()
    if date_format:
        try:
            return datetime.strptime(text, date_format).date()
        except ValueError:
            raise ValueError(f"{text!r} does not match the date format {date_format}") from None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(f"{text!r} is not a date like 2026-03-31; give its format (e.g. %d/%m/%Y)") from None


def is_date(value: Cell) -> bool:
    try:
        return parse_date(value) is not None
    except ValueError:
        return False


def _is_label(value: Cell) -> bool:
    """Text that could name a column: not a number or a date."""
    return (
        isinstance(value, str) and bool(value.strip()) and not _NUMBER.fullmatch(value.strip()) and not is_date(value)
    )


def _filled(cells: Sequence[Cell]) -> int:
    return sum(1 for c in cells if cell_text(c).strip())


def has_value(cells: Sequence[Cell]) -> bool:
    """True for a row with anything in it. Blank rows are dropped in the rows scanned for the header here, and
    after it by each reader's last step, along with its own checks: one Python step a row, not two."""
    return any(cell is not None and (type(cell) is not str or cell.strip()) for cell in cells)


# --- header detection ----------------------------------------------------------------------------


def _detect_header(scanned: list[tuple[int, list[Cell]]]) -> int:
    """Index in `scanned` of the header, or -1: the first row as wide as most rows (or wider: a header names
    columns that many rows leave blank), if it holds distinct labels.

    Title lines above a header are narrower than the rows, so they are skipped; a first full-width
    row holding a number or a date is data, so the file has no header.
    """
    widths = [_filled(cells) for _, cells in scanned]
    usual = max(set(widths), key=lambda width: (widths.count(width), width), default=0)
    for index, (_, cells) in enumerate(scanned):
        if widths[index] >= usual:
            labels = [c for c in cells if cell_text(c).strip()]
            distinct = len({cell_text(c).strip().lower() for c in labels}) == len(labels)
            return index if distinct and all(_is_label(c) for c in labels) else -1
    return -1


def _column_names(header: Sequence[Cell] | None, width: int) -> tuple[str, ...]:
    names: list[str] = []
    for number in range(1, width + 1):
        text = cell_text(header[number - 1]).strip() if header and number <= len(header) else ""
        name = text or f"Column {number}"
        candidate, copy = name, 2
        while candidate in names:
            candidate, copy = f"{name} ({copy})", copy + 1
        names.append(candidate)
    return tuple(names)


def _row_has_value(row: RowCells) -> bool:
    return has_value(row[1])


def split_header(name: str, header_row: int | None, raw: Rows) -> tuple[int, tuple[str, ...], list[RowCells], Rows]:
    """(header row number, column names, the data rows read while looking for it, the rest of `raw`).

    Blank rows are left out of those read; in the rest, the reader drops them (`has_value`) with its own checks."""
    scanned = list(islice(filter(_row_has_value, raw), HEADER_SCAN_ROWS))
    if header_row is None:
        index = _detect_header(scanned)
    elif header_row == 0:
        index = -1
    else:
        numbers = [number for number, _ in scanned]
        if header_row not in numbers:
            raise RefusedFile(name, f"row {header_row} is blank or not within the first {HEADER_SCAN_ROWS} rows")
        index = numbers.index(header_row)
    if index < 0:
        width = max((len(cells) for _, cells in scanned), default=0)
        return 0, _column_names(None, width), scanned, raw
    number, header = scanned[index]
    return number, _column_names(header, len(header)), scanned[index + 1 :], raw
