"""The PBC list as a workbook the client fills in: what is asked, of whom, by when, and room for the answer.

The client opens it in a spreadsheet, so every text cell is text (`app.exports.xlsx.text`): a request that
starts with `=` or `@` shows as typed and never runs, even after the client edits it. Written atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from fieldwork.app.domain.records import EngagementDetails, PbcRequest
from fieldwork.app.engagement import Engagement
from fieldwork.app.exports.xlsx.text import cell_text, needs_quote_prefix
from fieldwork.app.services.engagement import read_details
from fieldwork.app.services.pbc import PbcStatus, read_pbc_requests
from fieldwork.app.storage.atomic import atomic_target

#: Header and width; the last two columns are left empty for the client.
COLUMNS = (
    ("Ref", 10),
    ("Request", 60),
    ("Requested of", 24),
    ("Due", 12),
    ("Status", 11),
    ("Received", 12),
    ("Files received", 9),
    ("Client response", 40),
    ("Date provided", 13),
)
HEADER_ROW = 4


def _put(sheet: Worksheet, row: int, column: int, value: str | int | date | None) -> None:
    cell = sheet.cell(row=row, column=column)
    cell.value = cell_text(value) if isinstance(value, str) else value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl takes a leading "=" for a formula; here it is the client's text
        cell.quotePrefix = needs_quote_prefix(value)
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _status(request: PbcRequest) -> str:
    return "Overdue" if request.overdue else PbcStatus(request.status).label


def write_pbc_workbook(details: EngagementDetails, requests: Sequence[PbcRequest], target: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "PBC requests"
    _put(sheet, 1, 1, f"{details.client}: {details.system_name}, requests for information")
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    _put(sheet, 2, 1, f"{details.report_type.label}, {details.period_label}. Please fill in the last two columns.")
    for column, (header, width) in enumerate(COLUMNS, start=1):
        _put(sheet, HEADER_ROW, column, header)
        sheet.cell(row=HEADER_ROW, column=column).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row, request in enumerate(requests, start=HEADER_ROW + 1):
        values = (
            request.ref,
            request.request,
            request.requested_of,
            request.due_date,
            _status(request),
            request.received_date,
            request.evidence_count,
        )
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value)
    last = get_column_letter(len(COLUMNS))
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(len(requests), 1)}"
    with atomic_target(target) as temporary:
        book.save(temporary)


def export_pbc_list(db: Engagement, target: Path, today: date | None = None) -> int:
    """Write the PBC list (overdue as of `today`) to `target`; returns how many requests it holds."""
    with db.reading() as conn:
        details = read_details(conn)
        requests = read_pbc_requests(conn, today=today)
    write_pbc_workbook(details, requests, Path(target))
    return len(requests)
