"""Table cells and tables: rows that wrap, headers that repeat, rows that stay whole across pages.

Most of a large report is table cells, so this is also where the layout time goes; the cell
helpers keep reportlab on its fast paths (one style per paragraph, no markup to parse, lines
worked out once per width).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeAlias

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from app.exports.pdf.fonts import SANS, markup, single_font
from app.exports.pdf.styles import (
    ACCENT,
    CELL,
    CELL_HEAD,
    FRAME_WIDTH,
    GROUP_FILL,
    HEADER_FILL,
    PAGE_HEIGHT,
    RULE,
    gap,
)

#: What a table cell may hold: a string, a flowable, or flowables stacked one under another.
Cell: TypeAlias = str | Flowable | list[Flowable]
PAD_X, PAD_TOP, PAD_BOTTOM = 4, 3, 4


class CellParagraph(Paragraph):
    """A paragraph in a table cell that keeps its line breaks for the width it was last wrapped at.

    Each time a long table runs onto another page, reportlab measures every remaining row again;
    a cell's lines depend only on its width, so they are worked out once (a table running over
    ten pages would otherwise break its last rows' lines ten times).
    """

    _wrapped_at: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if availWidth != self._wrapped_at or "blPara" not in self.__dict__:  # a failed split drops the lines
            super().wrap(availWidth, availHeight)
            self._wrapped_at = availWidth
        return self.width, self.height


def cell(text: str, style: ParagraphStyle = CELL) -> Paragraph:
    """A table cell that wraps (`text` is markup)."""
    return CellParagraph(text, style)


@functools.cache
def _plain_fragment(style: ParagraphStyle) -> Any:
    return Paragraph("x", style).frags[0]


def text_cell(text: str, style: ParagraphStyle = CELL) -> Paragraph:
    """A table cell of plain text, as a person typed it.

    Text on one line in the main font needs no markup, so the cell is made from a ready fragment of its style
    instead of going through reportlab's markup parser, which costs ten times as much and would be
    a fifth of a large report's build. Other text goes through `markup` (line breaks, CJK runs).
    """
    if "\n" not in text and single_font(text):
        return CellParagraph(None, style, frags=[_plain_fragment(style).clone(text=text, link=[], us_lines=[])])
    return CellParagraph(markup(text), style)


def filled_cell(text: str, missing: str, style: ParagraphStyle = CELL, before: str = "", after: str = "") -> Paragraph:
    """A cell for text a person should have entered, between fixed words; a highlighted gap if they have not."""
    if text.strip():
        return text_cell(f"{before}{text}{after}", style)
    return cell(f"{markup(before)}{gap(f'MISSING: {missing}')}{markup(after)}", style)


def widths(*fractions: float) -> list[float]:
    """Column widths as shares of the text width, so tables always fit between the margins."""
    return [FRAME_WIDTH * share for share in fractions]


def table_style(*commands: tuple[object, ...]) -> TableStyle:
    """Every table's base; later commands override it. The font is set for empty cells too, else
    reportlab would reference its unembedded default font."""
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), SANS),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
            ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
            ("TOPPADDING", (0, 0), (-1, -1), PAD_TOP),
            ("BOTTOMPADDING", (0, 0), (-1, -1), PAD_BOTTOM),
            *commands,
        ]
    )


def header_cells(header: Sequence[str]) -> list[Flowable]:
    return [cell(text, CELL_HEAD) for text in header]


def rows_height(rows: Sequence[Sequence[Cell]], column_widths: Sequence[float]) -> float:
    """The height `grid` will give these rows, measured without laying out the rest of the table."""
    total = 0.0
    for row in rows:
        heights = [_cell_height(content, width - 2 * PAD_X) for content, width in zip(row, column_widths, strict=True)]
        total += max(heights) + PAD_TOP + PAD_BOTTOM
    return total


def _cell_height(content: Cell, width: float) -> float:
    if isinstance(content, str):
        return CELL.leading
    stack = content if isinstance(content, list) else [content]
    return sum(f.wrap(width, PAGE_HEIGHT)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in stack)


class ReportTable(Table):
    """A table whose rows move to the next page whole; a row splits only when it is taller than a page.

    reportlab's in-row splitting would otherwise put the first lines of a row (under a repeated
    header) at the foot of a page whenever a little room is left.
    """

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        frame = self._doctemplateAttr("frame")
        self.splitInRow = 1 if frame is None or getattr(frame, "_atTop", True) else 0
        parts: list[Flowable] = super().split(availWidth, availHeight)
        return parts


def grid(
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    column_widths: Sequence[float],
    group_rows: Sequence[int] = (),
) -> Table:
    """A ruled table whose header repeats on every page it runs onto.

    `group_rows` are full-width label rows (e.g. an Annex A objective) inside the body.
    """
    commands: list[tuple[object, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.35, RULE),
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
    ]
    for index in group_rows:
        commands += [
            ("SPAN", (0, index), (-1, index)),
            ("BACKGROUND", (0, index), (-1, index), GROUP_FILL),
            ("NOSPLIT", (0, index), (-1, index + 1)),  # a group's label stays with its first row
        ]
    return ReportTable(
        [header_cells(header), *rows],
        colWidths=list(column_widths),
        repeatRows=1,
        style=table_style(*commands),
        hAlign="LEFT",
    )


def pairs(rows: Sequence[tuple[str, str]]) -> Table:
    """A two-column label and value table (markup values), e.g. the engagement's details on the cover."""
    data = [[cell(label, CELL_HEAD), cell(value)] for label, value in rows]
    style = table_style(("LINEBELOW", (0, 0), (-1, -1), 0.35, RULE))
    return Table(data, colWidths=widths(0.3, 0.7), style=style, hAlign="LEFT")
