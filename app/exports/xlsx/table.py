"""A sheet as plain data: columns, rows of values, marks and links. The sheet modules build these from a
`ReportData`; the writer alone knows openpyxl. Keeping the two apart lets the row builders stay readable and
lets the writer apply the same rules (text safety, widths, highlights) to every sheet."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from functools import lru_cache
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")

Value = str | int | float | date | datetime | None


class Mark(Enum):
    """Why a row is highlighted."""

    EXCEPTION = "exception"
    GAP = "gap"


@dataclass(frozen=True)
class Column:
    header: str
    #: Widest the column grows to, in characters; longer text wraps.
    max_width: int = 40


@dataclass(frozen=True, slots=True)
class FileLink:
    """A link to a file beside the workbook (a review pack's evidence), by its path relative to the workbook with
    forward slashes, so it opens wherever the folder is copied."""

    path: str


@dataclass(frozen=True, slots=True)
class Row:
    values: tuple[Value, ...]
    mark: Mark | None = None
    #: Column position (0-based) to an in-workbook location such as "'Tests'!A5", or to a file beside the workbook.
    links: Mapping[int, str | FileLink] = field(default_factory=dict)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    rows: Sequence[Row]
    #: Shown in place of rows when there are none, so an empty sheet says why.
    empty_note: str = ""
    #: Rows below the data that a reader may write in: the filter covers them, so added rows sort with the rest.
    writable_rows: int = 0


def location(sheet: str, row: int, column: str = "A") -> str:
    """A hyperlink target inside the workbook; the quotes make any sheet name safe."""
    return f"'{sheet}'!{column}{row}"


def row_numbers(items: Iterable[T], key: Callable[[T], K]) -> dict[K, int]:
    """Where each item lands on a sheet that lists `items` in order under one header row."""
    return {key(item): number for number, item in enumerate(items, start=2)}


def yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def joined(values: Iterable[str]) -> str:
    return ", ".join(values)


@lru_cache(maxsize=256)
def utc_datetime(stamp: str) -> datetime | str:
    """An ISO time as a naive UTC datetime (Excel has no time zones); text that is not a time stays text.

    Cached: the entries of one change share their time, and the audit trail has thousands of them."""
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo is not None else parsed
