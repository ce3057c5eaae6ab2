"""Tables: rows that wrap, headers that repeat, rows that stay whole across pages, captions on continued parts.

Most of a large report is table cells, so this is also where the layout time goes; cells keep
reportlab on its fast paths (one style per paragraph, no markup to parse for plain text, lines
worked out once per width). Nothing a person can type may make a table fail to lay out: a row
taller than a page splits inside itself once it starts a page.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeAlias

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from fieldwork.app.exports.pdf.fonts import SANS, markup, single_font
from fieldwork.app.exports.pdf.styles import (
    ACCENT,
    CAPTION,
    CELL,
    FRAME_WIDTH,
    GROUP_FILL,
    HEADER_FILL,
    PAGE_HEIGHT,
    RULE,
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


@functools.cache
def _plain_fragment(style: ParagraphStyle) -> Any:
    return Paragraph("x", style).frags[0]


def text_cell(text: str, style: ParagraphStyle = CELL) -> Paragraph:
    """A paragraph of plain text, as a person typed it.

    Text on one line in the main font needs no markup, so the paragraph is made from a ready fragment of its
    style instead of going through reportlab's markup parser, which costs ten times as much and would be
    a fifth of a large report's build. Other text goes through `markup` (line breaks, CJK runs).
    """
    if "\n" not in text and single_font(text):
        return CellParagraph(None, style, frags=[_plain_fragment(style).clone(text=text, link=[], us_lines=[])])
    return CellParagraph(markup(text), style)


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


def _at_top(flowable: Flowable) -> bool:
    frame = flowable._doctemplateAttr("frame")
    return frame is None or bool(getattr(frame, "_atTop", True))


class ReportTable(Table):
    """A table whose rows move to the next page whole; a row splits only where a page starts with it (so a row
    taller than a page still fits). A part continued on another page is captioned "CC2.2 (continued)"."""

    caption = ""
    continued = False

    def _caption(self, width: float) -> tuple[Paragraph, float]:
        paragraph = Paragraph(markup(f"{self.caption} (continued)"), CAPTION)
        height = paragraph.wrap(width, PAGE_HEIGHT)[1] + CAPTION.spaceAfter
        return paragraph, height

    def _caption_height(self, width: float) -> float:
        return self._caption(width)[1] if self.continued and self.caption else 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        above = self._caption_height(availWidth)
        width, height = super().wrap(availWidth, availHeight - above)
        return width, height + above

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.splitInRow = 1 if _at_top(self) else 0
        room = availHeight - self._caption_height(availWidth)
        parts: list[Flowable] = super().split(availWidth, room)
        kept: list[object] = getattr(self, "_nosplitCmds", [])
        if not parts and self.splitInRow and kept:
            kept.clear()  # a group label kept with a row taller than a page: let the row split
            parts = super().split(availWidth, room)
        if len(parts) > 1:
            for number, part in enumerate(parts):
                part.caption = self.caption
                part.continued = self.continued or number > 0
        return parts

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        if self.continued and self.caption:
            paragraph, _height = self._caption(self._width)
            paragraph.drawOn(canvas, x, y + self._height + CAPTION.spaceAfter)
        super().drawOn(canvas, x, y, _sW)


def grid(
    rows: Sequence[Sequence[Cell]],
    column_widths: Sequence[float],
    group_rows: Sequence[int] = (),
    caption: str = "",
) -> Table:
    """A ruled table whose first row is a header repeated on every page it runs onto.

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
    table = ReportTable(
        list(rows), colWidths=list(column_widths), repeatRows=1, style=table_style(*commands), hAlign="LEFT"
    )
    table.caption = caption
    return table


def pairs(rows: Sequence[Sequence[Cell]]) -> Table:
    """A two-column label and value table, e.g. the engagement's details on the cover."""
    style = table_style(("LINEBELOW", (0, 0), (-1, -1), 0.35, RULE))
    return ReportTable(list(rows), colWidths=widths(0.3, 0.7), style=style, hAlign="LEFT")
