"""Reading the workpapers back as a reviewer's Excel would see them, for the workbook tests."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.escape import unescape
from openpyxl.workbook.workbook import Workbook

from fieldwork.app.exports.dataset import ReportData, gather
from fieldwork.app.exports.workbook import write_workbook
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.tasks import Task

SHEETS = [
    "Index",
    "Controls",
    "Tests",
    "Samples",
    "Exceptions",
    "Conclusions",
    "Findings and corrective actions",
    "Opinion worksheet",
    "Engagement workpapers",
    "IPE assessments",
    "Subservice organizations",
    "CUECs and CSOCs",
    "SoA",
    "Coverage",
    "AI systems",
    "AI impact assessments",
    "AI coverage",
    "Fairness re-performance",
    "Evidence",
    "Sign-offs",
    "Review notes",
    "Audit trail",
    "Long text",
]


def export(db: EngagementFile, folder: Path, data: ReportData | None = None) -> tuple[ReportData, Workbook]:
    """Gather (unless given), write and read back the workpapers."""
    data = data or gather(db)
    target = folder / "workpapers.xlsx"
    write_workbook(data, target, Task())
    return data, load_workbook(target)


def headers(sheet: Any) -> list[str]:
    return [cell.value for cell in sheet[1]]


def records(sheet: Any) -> list[dict[str, Any]]:
    """Data rows as {header: cell}: the rows the filter covers that hold anything (a note under an empty table is
    not one, nor a row left empty to be written in)."""
    names = headers(sheet)
    _, _, _, last = range_boundaries(sheet.auto_filter.ref)
    rows = sheet.iter_rows(min_row=2, max_row=last, max_col=len(names))
    return [dict(zip(names, row, strict=True)) for row in rows if any(cell.value is not None for cell in row)]


def text(cell: Any) -> str:
    """A cell's text as Excel reads it: the file format's `_xHHHH_` escapes decoded (openpyxl leaves them)."""
    return unescape(cell.value) if isinstance(cell.value, str) else cell.value


def linked_row(workbook: Workbook, cell: Any) -> tuple[str, int]:
    """The sheet and row an in-workbook hyperlink points to."""
    assert cell.hyperlink is not None, f"{cell.coordinate} has no link"
    sheet, _, ref = cell.hyperlink.location.rpartition("!")
    name = sheet.strip("'")
    assert name in workbook.sheetnames
    return name, int("".join(ch for ch in ref if ch.isdigit()))


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def hyperlink_refs(path: Path, sheet_name: str) -> list[str]:
    """The cell ranges of a sheet's hyperlinks as stored (openpyxl gives each cell of a range its own copy)."""
    with zipfile.ZipFile(path) as package:
        sheets = ElementTree.fromstring(package.read("xl/workbook.xml")).iter(f"{_MAIN}sheet")
        rel_id = next(sheet.get(_RELATIONSHIP_ID) for sheet in sheets if sheet.get("name") == sheet_name)
        rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
        target = next(rel.get("Target") for rel in rels if rel.get("Id") == rel_id)
        sheet = ElementTree.fromstring(package.read(f"xl/{target.removeprefix('/xl/')}"))
    return [link.get("ref") for link in sheet.iter(f"{_MAIN}hyperlink")]
