"""Texts longer than an Excel cell holds, kept whole on a sheet of their own.

The cell keeps a preview and a link; the "Long text" sheet, written last, holds the full text in consecutive
parts (one row each, in order), with a link back to the cell. A reviewer filtering the matrix still sees every
row at a sensible height, and joining the parts gives back exactly what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from fieldwork.app.exports.xlsx.table import Column, Row, Table, location
from fieldwork.app.exports.xlsx.text import PREVIEW_SIZE, parts

LONG_TEXT_SHEET = "Long text"


@dataclass(frozen=True)
class _Overflow:
    sheet: str
    row: int
    column: int
    header: str
    item: str
    parts: tuple[str, ...]


class LongTexts:
    def __init__(self) -> None:
        self.found: list[_Overflow] = []
        self._next_row = 2

    def add(self, text: str, sheet: str, row: int, column: int, header: str, item: str) -> tuple[str, str]:
        """Keep the text; return the preview for its own cell and the link to where it is whole."""
        pieces = tuple(parts(text))
        first, last = self._next_row, self._next_row + len(pieces) - 1
        self._next_row = last + 1
        self.found.append(_Overflow(sheet, row, column, header, item, pieces))
        preview = (
            f"{text[:PREVIEW_SIZE]}… [{len(text):,} characters in all: the full text is on the sheet "
            f"'{LONG_TEXT_SHEET}', rows {first} to {last}]"
        )
        return preview, location(LONG_TEXT_SHEET, first)

    def table(self) -> Table:
        rows = []
        for entry in self.found:
            letter = get_column_letter(entry.column)
            back = {1: location(entry.sheet, entry.row, letter)}
            for number, piece in enumerate(entry.parts, start=1):
                values = (
                    entry.sheet,
                    f"{letter}{entry.row}",
                    entry.header,
                    entry.item,
                    number,
                    len(entry.parts),
                    piece,
                )
                rows.append(Row(values, links=back))
        columns = (
            Column("Sheet", 14),
            Column("Cell", 8),
            Column("Column", 24),
            Column("Item", 16),
            Column("Part", 6),
            Column("Of parts", 8),
            Column("Text", 100),
        )
        note = "No text exceeded Excel's limit of 32,767 characters in a cell, so nothing is continued here."
        return Table(LONG_TEXT_SHEET, columns, rows, note)
