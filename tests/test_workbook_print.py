"""The workpapers print: rows as high as their wrapped text, the header row on every page, landscape fitted to the
width, and the client, the sheet, the page number and DRAFT on every page."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import load_workbook

from fieldwork.app.exports.dataset import gather
from fieldwork.app.exports.workbook import write_workbook
from fieldwork.app.exports.xlsx.table import Column, Row, Table
from fieldwork.app.exports.xlsx.writer import LINE_HEIGHT, RunningHead, text_lines, write_tables
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.tasks import Task
from tests.xlsx_reading import records


def _written(tmp_path: Path, texts: list[str], head: RunningHead | None = None) -> Path:
    table = Table(
        "Notes", (Column("Item", 8), Column("Note", 30)), [Row((f"N{n}", text)) for n, text in enumerate(texts)]
    )
    target = tmp_path / "notes.xlsx"
    write_tables([table], target, Task(), title="t", identifier="i", generated="2026-01-01T00:00:00+00:00", head=head)
    return target


def test_row_heights_grow_with_their_text(tmp_path: Path) -> None:
    sentence = "The control owner approved the change before it was deployed. "
    texts = ["short", sentence, sentence * 3, sentence * 8, "one\ntwo\nthree\nfour\nfive"]
    written = _written(tmp_path, texts)
    sheet = load_workbook(written)["Notes"]
    heights = [sheet.row_dimensions[number].height for number in range(2, len(texts) + 2)]
    assert heights[0] is None, "a one-line row keeps the default height"
    assert heights[1] is not None and heights[1] < heights[2] < heights[3], heights
    assert heights[4] is not None and heights[4] >= 5 * LINE_HEIGHT, "each line of a text with line breaks counts"
    with zipfile.ZipFile(written) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert 'ht="' in xml and "customHeight" not in xml, "Excel still refits a row when its text is edited"
    # never fewer lines than the text needs at the column's width (words are not split here, so more is fine)
    for number, text in zip(range(2, len(texts) + 2), texts, strict=True):
        needed = sum(-(-len(line) // 30) or 1 for line in text.split("\n"))
        assert (sheet.row_dimensions[number].height or LINE_HEIGHT) >= needed * LINE_HEIGHT, text


def test_a_header_that_wraps_gets_its_height(tmp_path: Path) -> None:
    assert text_lines("Items with a deviation", 9) >= 3
    table = Table("T", (Column("Items with a deviation", 9),), [Row((1,))])
    target = tmp_path / "t.xlsx"
    write_tables([table], target, Task(), title="t", identifier="i", generated="2026-01-01T00:00:00+00:00")
    assert load_workbook(target)["T"].row_dimensions[1].height >= 3 * LINE_HEIGHT


def test_every_printed_page_names_the_client_the_sheet_the_page_and_draft(demo: EngagementFile, tmp_path: Path) -> None:
    data = gather(demo)
    write_workbook(data, tmp_path / "w.xlsx", Task())
    book = load_workbook(tmp_path / "w.xlsx")
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1, sheet.title
        assert sheet.page_setup.fitToHeight == 0, f"{sheet.title}: as many pages down as it needs"
        assert sheet.print_title_rows == "$1:$1", sheet.title
        assert sheet.oddHeader.left.text == data.details.client
        assert sheet.oddHeader.center.text == "&A"
        assert "DRAFT" in sheet.oddHeader.right.text
        assert sheet.oddFooter.center.text == "Page &P of &N"


def test_a_finalized_engagement_prints_without_draft_and_ampersands_stay_text(
    demo: EngagementFile, tmp_path: Path
) -> None:
    from dataclasses import replace

    data = gather(demo)
    finalized = replace(data, finalized_at="2027-01-05T10:00:00+00:00", details=replace(data.details, client="A & B"))
    write_workbook(finalized, tmp_path / "w.xlsx", Task())
    sheet = load_workbook(tmp_path / "w.xlsx")["Tests"]
    assert not sheet.oddHeader.right.text
    assert sheet.oddHeader.left.text == "A && B", (
        "an ampersand starts a code in a page header: doubled, it prints as one"
    )
    assert records(sheet), "the sheet is written as before"
