"""Sample items pasted from a spreadsheet: tab-separated rows, read strictly.

Columns in order: identifier, date, result, tickmarks, deviation text (only the first
is required). A date that could be read two ways (03/04/2026) is refused rather than
guessed, so nothing is silently wrong.
"""

from __future__ import annotations

import re
from datetime import date

from app.domain.records import SampleItemInput
from app.domain.vocabulary import SampleResult
from app.errors import ValidationError

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
        if first > 12 >= second:
            return date(year, second, first)
        if second > 12 >= first:
            return date(year, first, second)
        if first == second:
            return date(year, first, second)
        raise ValidationError(f"Row {row}: the date {text} could be read two ways; write it as YYYY-MM-DD.")
    raise ValidationError(f"Row {row}: '{text}' is not a date; write it as YYYY-MM-DD.")


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
