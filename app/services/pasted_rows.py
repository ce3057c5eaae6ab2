"""Sample items pasted from a spreadsheet: tab-separated rows, read strictly.

Columns in order: identifier, date, result, tickmarks, deviation text (only the first
is required). A date that could be read two ways (03/04/2026) is refused rather than
guessed, so nothing is silently wrong.
"""

from __future__ import annotations

import re
from datetime import date

from fieldwork.app.domain.records import SampleItemInput
from fieldwork.app.domain.vocabulary import SampleResult
from fieldwork.app.errors import ValidationError

RESULT_WORDS = {
    "": None,
    "ok": SampleResult.NO_EXCEPTION,
    "pass": SampleResult.NO_EXCEPTION,
    "no exception": SampleResult.NO_EXCEPTION,
    "no_exception": SampleResult.NO_EXCEPTION,
    "deviation": SampleResult.DEVIATION,
    "exception": SampleResult.DEVIATION,
    "fail": SampleResult.DEVIATION,
}
SLASHED = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def parse_date(text: str, row: int) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        pass
    found = SLASHED.match(text)
    if found:
        first, second, year = (int(part) for part in found.groups())
        # Day first, then month first: keep the readings that are real days (31/02/2026 is neither).
        readings = {day for day in (_day(year, second, first), _day(year, first, second)) if day is not None}
        if len(readings) == 1:
            return readings.pop()
        if readings:
            raise ValidationError(f"Row {row}: the date {text} could be read two ways; write it as YYYY-MM-DD.")
    raise ValidationError(f"Row {row}: '{text}' is not a date; write it as YYYY-MM-DD.")


def _day(year: int, month: int, day: int) -> date | None:
    """The date, or None when there is no such day (31/02, or a month 13)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_result(text: str, row: int) -> SampleResult | None:
    key = text.strip().lower()
    if key in RESULT_WORDS:
        return RESULT_WORDS[key]
    raise ValidationError(f"Row {row}: '{text}' is not a result; use 'no exception' or 'deviation'.")


def parse_pasted_rows(text: str) -> list[SampleItemInput]:
    """Sample items from clipboard text; blank lines are skipped, anything unreadable names its row."""
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [cell.strip() for cell in line.split("\t")] + [""] * 5
        identifier, when, result, tickmarks, deviation_text = cells[:5]
        if not identifier:
            raise ValidationError(f"Row {number}: the first column (the item's identifier) is empty.")
        items.append(
            SampleItemInput(
                identifier=identifier,
                item_date=parse_date(when, number),
                result=parse_result(result, number),
                tickmarks=tickmarks,
                deviation_text=deviation_text,
            )
        )
    if not items:
        raise ValidationError("The clipboard holds no rows to paste.")
    return items
