"""Stream `Table`s into an openpyxl write-only workbook, the one place that knows openpyxl.

Write-only mode keeps memory flat: each row goes to a temporary file as it is appended. Its rules shape this
module: column widths, the frozen header and page setup must be set before the first row; the filter range and
hyperlinks are written at the end of the sheet; a styled cell must be a `WriteOnlyCell`.

Speed comes from styling as few cells as possible, since a styled cell costs several times a plain one. Only a
header, a highlighted row, a link, a quote-prefixed text or a text wider than its column (which must wrap) is
styled here; dates are left to openpyxl, which formats them itself. Each look is resolved once into a style
array, as openpyxl does for named styles (assigning font, fill and alignment cell by cell hashes those objects
every time and doubled the writing time, measured). And a styled cell is reused from row to row, one per column
and look: `append` writes a row out before it returns, so the next row may set new values on the same cells.

Wrapping is set on each cell that needs it: neither a column's style nor the workbook's default format reaches
a cell that is written (LibreOffice ignores them, and so, by reports, does Excel). LibreOffice does not fit a
row to its wrapped text (it keeps the default 15 pt and the lines overlap the next row), so a row with wrapped
text gets a height from its longest text and its column's width (`row_height`), without Excel's "custom height"
flag, so Excel still refits the row when a reviewer edits it.

Printed, every sheet is landscape and fitted to the page width, repeats its header row on every page, and carries
the client, the sheet's name, "Page N of M" and, until the engagement is finalized, DRAFT (`RunningHead`).
"""

from __future__ import annotations

import contextlib
import urllib.parse
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.fonts import DEFAULT_FONT
from openpyxl.styles.numbers import FORMAT_DATE_DATETIME, FORMAT_DATE_YYYYMMDD2
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.properties import PageSetupProperties

from fieldwork import app
from fieldwork.app.exports.xlsx.long_text import LongTexts
from fieldwork.app.exports.xlsx.table import FileLink, Mark, Row, Table, utc_datetime
from fieldwork.app.exports.xlsx.text import cell_text, fits, is_plain, needs_quote_prefix
from fieldwork.app.storage.atomic import atomic_target
from fieldwork.app.tasks import Task

#: Rows between progress reports (each one is also a place to stop on cancel).
PROGRESS_EVERY = 500
#: The row's first value names a long text's row on the Long text sheet; a reference, so this is plenty.
ITEM_LABEL = 60
#: Points a line of 11 pt text takes, as the default row (15 pt) holds one; and the most a row may be (Excel's).
LINE_HEIGHT = 15
MOST_HEIGHT = 409
#: A column `width` wide holds about 1.1 x `width` characters of prose (a width counts the digit "0", wider than
#: most letters), less the word that moves to the next line. Seen in LibreOffice with Carlito, Calibri's metric
#: twin: 70 wide holds lines of 78 to 84 characters, 20 wide lines of 17 to 21; the estimate stays below both.
CHARS_PER_WIDTH = 1.1
WRAP_LOSS = 4

_FILLS = {
    Mark.EXCEPTION: PatternFill("solid", fgColor="FCE4D6"),
    Mark.GAP: PatternFill("solid", fgColor="FFC7CE"),
}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_BASE = {"name": DEFAULT_FONT.name, "size": DEFAULT_FONT.size, "family": DEFAULT_FONT.family, "scheme": "minor"}
_HEADER_FONT = Font(bold=True, **_BASE)
_LINK_FONT = Font(color="0563C1", underline="single", **_BASE)
_WRAP = Alignment(wrap_text=True)
#: The formats openpyxl gives a date or time it formats itself, so highlighted ones look the same.
_FORMATS: dict[type, str] = {date: FORMAT_DATE_YYYYMMDD2, datetime: FORMAT_DATE_DATETIME}
_WIDTHS = {date: 10, datetime: 19}

#: A cell's look: highlight, link, quote prefix, wrap, number format, header. A plain tuple, as one is made for
#: every styled cell.
_Look = tuple[Mark | None, bool, bool, bool, str | None, bool]
_HEADER: _Look = (None, False, False, True, None, True)
_NOTE: _Look = (None, False, False, False, None, False)


@dataclass(frozen=True)
class RunningHead:
    """What every printed page says beside the sheet's name and "Page N of M": whose workpapers, and whether a draft."""

    client: str
    draft: bool


def text_lines(text: str, width: int) -> int:
    """Lines a wrapped text takes in a column `width` characters wide; a little more than it needs, never fewer
    (a row too short overlaps the next one in LibreOffice and cuts the text in Excel)."""
    per_line = max(round(width * CHARS_PER_WIDTH) - WRAP_LOSS, 1)
    if "\n" not in text:  # most texts: one paragraph
        return -(-len(text) // per_line) or 1
    return sum(-(-len(line) // per_line) or 1 for line in text.split("\n"))


def row_height(lines: int) -> str:
    """A row's height in points, as the file stores it."""
    return str(min(lines * LINE_HEIGHT, MOST_HEIGHT))


def _header_text(text: str) -> str:
    """A literal text in a page header (an ampersand starts a code there: "&P" is the page number)."""
    return text.replace("&", "&&")


class _Styles:
    """Resolved style arrays by look, built on first use."""

    def __init__(self) -> None:
        self._arrays: dict[_Look, Any] = {}

    def cell(self, sheet: Any, look: _Look) -> Any:
        array = self._arrays.get(look)
        if array is None:
            array = self._arrays[look] = self._resolve(sheet, look)
        made = WriteOnlyCell(sheet)
        made._style = copy(array)
        return made

    @staticmethod
    def _resolve(sheet: Any, look: _Look) -> Any:
        mark, link, quote, wrap, number_format, header = look
        template = WriteOnlyCell(sheet)
        if wrap:
            template.alignment = _WRAP
        if header:
            template.font = _HEADER_FONT
            template.fill = _HEADER_FILL
        if mark is not None:
            template.fill = _FILLS[mark]
        if link:
            template.font = _LINK_FONT
        if quote:
            template.quotePrefix = True
        if number_format:
            template.number_format = number_format
        return template._style


def _set_text(made: Any, stored: str) -> None:
    """Make the cell a text whatever it starts with (openpyxl takes "=..." for a formula).

    The value is set directly: openpyxl's setter would check it for control characters and cut it at the cell
    limit, which `text.cell_text` and `text.fits` have already made sure of (about 1 µs a cell, measured)."""
    made._value = stored
    made.data_type = "s"


def _longest_line(values: Iterable[str], cap: int) -> int:
    longest = 0
    for text in values:
        length = len(text)
        if length > longest and "\n" in text:
            length = max(map(len, text.split("\n")))
        if length > longest:
            longest = length
            if longest >= cap:
                break
    return longest


def _survey(table: Table) -> tuple[list[int], frozenset[int], frozenset[int]]:
    """Each column's width (its longest line, headers wrapping at spaces, within its cap); the columns that need
    a look cell by cell; and of the others, those with empty texts to leave out. Any other value goes in as it is,
    which is most of them."""
    widths: list[int] = []
    checked: set[int] = set()
    blanks: set[int] = set()
    columns = list(zip(*(row.values for row in table.rows), strict=True)) or [()] * len(table.columns)
    for index, (column, values) in enumerate(zip(table.columns, columns, strict=True)):
        longest_word = max(map(len, column.header.split()))
        texts = [value for value in values if isinstance(value, str) and value]
        content = _longest_line(texts, column.max_width)
        for kind in {type(value) for value in values if value is not None and not isinstance(value, str)}:
            content = max(content, _WIDTHS.get(kind) or max(len(str(v)) for v in values if type(v) is kind))
            if kind is not int and kind not in _FORMATS:
                checked.add(index)
        width = min(column.max_width, max(content, longest_word, 4) + 2)
        widths.append(width)
        if content > width or not all("\n" not in text and is_plain(text) for text in texts):
            checked.add(index)
        elif "" in values:
            blanks.add(index)
    return widths, frozenset(checked), frozenset(blanks)


class _Links:
    """A sheet's hyperlinks, one per run of cells in a column that go to the same place.

    The cells under one link share its `ref` range ("A2:A4"), as when a range is linked in Excel; every cell in it
    opens the link. Samples list a test's items together and tests their control's, so this makes a third as
    many links, each a costly object in openpyxl that is kept until the sheet is closed (measured: links were a
    tenth of the time). openpyxl sets a link's `ref` to its cell's coordinate when the row is appended, and writes
    the links only when the sheet closes, so a run's range is set on later rows.
    """

    def __init__(self) -> None:
        self._runs: dict[int, tuple[Hyperlink, str | FileLink, int, int]] = {}

    def link(self, index: int, number: int, target: str | FileLink) -> Hyperlink | None:
        """The new link for the cell at column `index` of row `number`, or None when the run above takes it in."""
        run = self._runs.get(index)
        if run is not None and run[1] == target and run[3] == number - 1:
            link, _, first, _ = run
            letter = get_column_letter(index + 1)
            link.ref = f"{letter}{first}:{letter}{number}"
            self._runs[index] = (link, target, first, number)
            return None
        if isinstance(target, FileLink):  # a relative URL: its spaces and other characters escaped
            link = Hyperlink(ref="", target=urllib.parse.quote(target.path, safe="/"))
        else:
            link = Hyperlink(ref="", location=target)
        self._runs[index] = (link, target, number, number)
        return link


class WorkbookWriter:
    """One workbook, written sheet by sheet; `save` adds the Long text sheet and writes the file."""

    def __init__(self, task: Task, total_rows: int, head: RunningHead | None = None) -> None:
        self.book = Workbook(write_only=True)
        self._head = head
        #: The most lines a wrapped cell of the row being written takes.
        self._lines = 1
        self._styles = _Styles()
        self._reusable: dict[tuple[int, _Look], Any] = {}
        self._links = _Links()
        self._long = LongTexts()
        self._task = task
        self._done = 0
        self._total = total_rows

    def write(self, table: Table) -> None:
        self._task.progress(self._done, self._total, table.name)
        sheet = self.book.create_sheet(table.name)
        self._reusable.clear()
        self._links = _Links()
        widths, checked, blanks = _survey(table)
        self._set_up(sheet, widths)
        self._lines = max(text_lines(column.header, width) for column, width in zip(table.columns, widths, strict=True))
        self._append(sheet, 1, [self._text_cell(sheet, column.header, _HEADER) for column in table.columns])
        everything = range(len(table.columns))
        for number, row in enumerate(table.rows, start=2):
            cells = list(row.values)
            for index in blanks:
                if cells[index] == "":
                    cells[index] = None  # an empty cell, not an empty text
            self._lines = 1
            for index in everything if row.mark else checked | row.links.keys() if row.links else checked:
                cells[index] = self._cell(sheet, table, row, number, index, widths[index])
            self._append(sheet, number, cells)
            if number % PROGRESS_EVERY == 0:
                self._task.progress(self._done + number - 1, self._total, table.name)
        if not table.rows and table.empty_note:
            sheet.append([self._text_cell(sheet, table.empty_note, _NOTE)])
        last = len(table.rows) + 1 + table.writable_rows
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{last}"
        self._done += len(table.rows)

    def _append(self, sheet: Any, number: int, cells: list[Any]) -> None:
        """Write row `number`, as high as its longest wrapped text (`self._lines`) needs.

        openpyxl writes a row's height as "custom", which Excel would then keep however the text is edited; a
        mapping with the height alone is what its row writer reads, and it is dropped once the row is out."""
        if self._lines == 1:
            sheet.append(cells)
            return
        sheet.row_dimensions[number] = {"ht": row_height(self._lines)}
        sheet.append(cells)
        del sheet.row_dimensions[number]

    def save(self, target: Path) -> None:
        overflow = self._long.table()
        self._total += len(overflow.rows)
        self.write(overflow)
        self._task.progress(self._done, self._total, "Saving")
        self.book.save(target)

    def discard(self) -> None:
        """Remove the per-sheet temporary files openpyxl would otherwise keep until the process ends:
        they hold the engagement's content, unencrypted."""
        for sheet in self.book.worksheets:
            writer = sheet._writer
            if writer is None:
                continue
            with contextlib.suppress(Exception):
                if not sheet.closed:
                    sheet.close()
            Path(writer.out).unlink(missing_ok=True)

    def _set_up(self, sheet: Any, widths: list[int]) -> None:
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        if self._head is not None:
            sheet.oddHeader.left.text = _header_text(self._head.client)
            sheet.oddHeader.center.text = "&A"  # the sheet's name
            sheet.oddHeader.right.text = "&BDRAFT&B" if self._head.draft else ""
            sheet.oddFooter.center.text = "Page &P of &N"

    def _text_cell(self, sheet: Any, stored: str, look: _Look) -> Any:
        """A cell that is text whatever it starts with (openpyxl would take "=..." for a formula)."""
        made = self._styles.cell(sheet, look)
        _set_text(made, stored)
        return made

    def _cell(self, sheet: Any, table: Table, row: Row, number: int, index: int, width: int) -> Any:
        """A value as it goes in: as it is, or a styled cell (a link, highlighted, text that needs care or wraps)."""
        value = row.values[index]
        target = row.links.get(index)
        if isinstance(value, str) and value:
            quote = False
            if not is_plain(value):
                if not fits(value):
                    header, item = table.columns[index].header, str(row.values[0])[:ITEM_LABEL]
                    value, target = self._long.add(value, table.name, number, index + 1, header, item)
                quote = needs_quote_prefix(value)
                value = cell_text(value)
            wrap = len(value) > width or "\n" in value
            if wrap:
                self._lines = max(self._lines, text_lines(value, width))
            if not (quote or wrap or row.mark or target):
                return value
            made = self._reused(sheet, index, (row.mark, target is not None, quote, wrap, None, False))
            _set_text(made, value)
        else:
            value = None if value == "" else value
            if not (row.mark or target):
                return value
            made = self._reused(
                sheet, index, (row.mark, target is not None, False, False, _FORMATS.get(type(value)), False)
            )
            made.value = value
        if target is not None:
            made.hyperlink = self._links.link(index, number, target)
        return made

    def _reused(self, sheet: Any, index: int, look: _Look) -> Any:
        made = self._reusable.get((index, look))
        if made is None:
            made = self._reusable[index, look] = self._styles.cell(sheet, look)
        return made


def write_tables(
    tables: list[Table],
    target: Path,
    task: Task,
    *,
    title: str,
    identifier: str,
    generated: str,
    head: RunningHead | None = None,
) -> None:
    """A whole workbook from its sheets, written atomically; the per-sheet temporary files never outlive it.

    `identifier` names the engagement file the workbook came from; `generated` is when (ISO time); `head` is
    what printed pages carry besides the sheet's name and page number."""
    writer = WorkbookWriter(task, sum(len(table.rows) for table in tables), head)
    properties = writer.book.properties
    properties.creator = f"{app.APP_NAME} {app.__version__}"
    properties.title = title
    properties.identifier = identifier
    created = utc_datetime(generated)
    if not isinstance(created, str):
        properties.created = created
    try:
        with atomic_target(target) as temporary:
            for table in tables:
                writer.write(table)
            writer.save(temporary)
    finally:
        writer.discard()
