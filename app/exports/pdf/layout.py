"""Pages of the report: running header, DRAFT mark, "Page N of M", bookmarks and the table of contents.

The total page count and the table of contents' page numbers are only known once every page
is laid out. Rather than lay the whole report out twice (reportlab's `multiBuild`), each such
number is drawn as a PDF form XObject that the page refers to at once and that is defined when
the canvas saves, so the report is laid out in one pass. What every page repeats (header,
footer, DRAFT mark) is drawn once as a form too. The large DRAFT mark is drawn as strokes, not
text, so it never mixes into text copied from a page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Flowable, Frame, PageTemplate, Paragraph, Table

from fieldwork.app import APP_NAME, __version__
from fieldwork.app.exports.pdf.fonts import SANS, SANS_BOLD, markup
from fieldwork.app.exports.pdf.styles import (
    DRAFT_INK,
    FRAME_WIDTH,
    HEADINGS,
    MARGIN,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    SMALL,
    TOC_STYLES,
    WATERMARK,
)
from fieldwork.app.exports.pdf.tables import Cell, ReportTable, rows_height, table_style
from fieldwork.app.exports.report.model import CONTENTS_LEVELS, Report

LATER_FONT_SIZE = 7.5
#: Widest text a deferred number may need ("Page 12345 of 12345").
LATER_WIDTH = 120
DRAFT_LABEL_WIDTH = 60
FOOTER_Y = MARGIN - 18
#: Running header and footer lines are cut to this many characters, so no text can push the page body away.
RUNNING_TEXT = 160
#: The DRAFT mark's letters as strokes on a grid one unit wide and 1.4 high: (x, y) points of each polyline.
DRAFT_STROKES: tuple[tuple[tuple[tuple[float, float], ...], ...], ...] = (
    (((0, 0), (0, 1.4), (0.45, 1.4), (0.8, 1.2), (0.95, 0.7), (0.8, 0.2), (0.45, 0), (0, 0)),),  # D
    (((0, 0), (0, 1.4), (0.6, 1.4), (0.9, 1.22), (0.9, 0.9), (0.6, 0.72), (0, 0.72)), ((0.45, 0.72), (0.95, 0))),
    (((0, 0), (0.5, 1.4), (1, 0)), ((0.2, 0.5), (0.8, 0.5))),  # A
    (((0.9, 1.4), (0, 1.4), (0, 0)), ((0, 0.75), (0.7, 0.75))),  # F
    (((0, 1.4), (1, 1.4)), ((0.5, 1.4), (0.5, 0))),  # T
)


class ReportCanvas(Canvas):
    """A canvas that can print text known only after the last page: page totals and page references."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pages_of: dict[str, int] = {}
        self._later: list[tuple[str, Callable[[ReportCanvas], str]]] = []

    def mark(self, key: str) -> None:
        self.pages_of[key] = self.getPageNumber()

    def later(self, x: float, y: float, text: Callable[[ReportCanvas], str]) -> None:
        """Print `text(canvas)`, evaluated when the document is saved, right-aligned at (x, y)."""
        name = f"later{len(self._later)}"
        self._later.append((name, text))
        self.saveState()
        self.translate(x, y)
        self.doForm(name)
        self.restoreState()

    @property
    def page_count(self) -> int:
        """Pages in the document; meaningful once the last page is finished (in `save`)."""
        return self.getPageNumber() - 1

    def save(self) -> None:
        for name, text in self._later:
            self.beginForm(name, lowerx=-LATER_WIDTH, lowery=-LATER_FONT_SIZE, upperx=0, uppery=2 * LATER_FONT_SIZE)
            self.setFont(SANS, LATER_FONT_SIZE)
            self.setFillColor(MUTED)
            self.drawRightString(0, 0, text(self))
            self.endForm()
        super().save()


class Heading(Paragraph):
    """A heading that is also a bookmark, an outline entry and, for the upper levels, a contents line."""

    def __init__(self, title: str, level: int, key: str) -> None:
        super().__init__(markup(title), HEADINGS[level])
        self.title, self.level, self.key = title, level, key

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """A heading moves to the next page whole, unless it starts a page (then it is longer than one)."""
        frame = self._doctemplateAttr("frame")
        if frame is not None and getattr(frame, "_atTop", False):
            parts: list[Flowable] = super().split(availWidth, availHeight)
            return parts
        return []

    def draw(self) -> None:
        super().draw()
        canvas = cast(ReportCanvas, self.canv)
        canvas.bookmarkHorizontal(self.key, 0, self.height)
        canvas.addOutlineEntry(self.title, self.key, self.level, closed=self.level >= CONTENTS_LEVELS)
        canvas.mark(self.key)


class PageNumber(Flowable):
    """The page a heading landed on, for the table of contents."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, LATER_FONT_SIZE * 1.4

    def draw(self) -> None:
        key = self.key
        cast(ReportCanvas, self.canv).later(self.width, 2, lambda canvas: str(canvas.pages_of.get(key, "?")))


def contents_table(headings: list[Heading]) -> Table:
    rows = [[Paragraph(h.text, TOC_STYLES[h.level]), PageNumber(h.key)] for h in headings]
    style = table_style(
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    )
    return ReportTable(rows, colWidths=[FRAME_WIDTH - 50, 50], style=style, repeatRows=0, hAlign="LEFT")


class RoomFor(CondPageBreak):
    """Start a new page unless a heading, its lead-in and the first rows of its table (or the first lines of
    the paragraph after it) fit on this one.

    Without it a requirement's heading could sit alone at the foot of a page, or its first row be
    split across two pages. Rows taller than `MOST` may still split: they would not fit anywhere.
    """

    MOST = 6 * 72

    def __init__(
        self, lead: list[Flowable], rows: list[list[Cell]], column_widths: list[float], extra: float = 0
    ) -> None:
        super().__init__(0)
        self.lead, self.rows, self.column_widths, self.extra = lead, rows, column_widths, extra

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        needed = sum(f.wrap(availWidth, availHeight)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in self.lead)
        needed += rows_height(self.rows, self.column_widths) + self.extra
        self.height = min(needed, self.MOST)
        result: tuple[float, float] = super().wrap(availWidth, availHeight)
        return result


def _fixed(markup_text: str, width: float, style: ParagraphStyle = SMALL) -> tuple[Paragraph, float]:
    """A paragraph wrapped once, to be drawn on every page."""
    paragraph = Paragraph(markup_text, style)
    _width, height = paragraph.wrap(width, PAGE_HEIGHT)
    return paragraph, height


def _cut(text: str) -> str:
    return text if len(text) <= RUNNING_TEXT else text[: RUNNING_TEXT - 1] + "…"


def _draft_mark(canvas: Canvas, size: float = 76, gap: float = 0.45) -> None:
    """DRAFT across the page, as strokes (solid, not transparent: a form gets no graphics-state resources)."""
    canvas.saveState()
    canvas.setStrokeColor(WATERMARK)
    canvas.setLineWidth(size * 0.16)
    canvas.setLineCap(1)
    canvas.setLineJoin(1)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(45)
    wide = len(DRAFT_STROKES) * (1 + gap) - gap
    canvas.translate(-wide * size / 2, -0.7 * size)
    for number, letter in enumerate(DRAFT_STROKES):
        left = number * (1 + gap)
        for line in letter:
            (x0, y0), *rest = [((left + x) * size, y * size) for x, y in line]
            path = canvas.beginPath()
            path.moveTo(x0, y0)
            for x, y in rest:
                path.lineTo(x, y)
            canvas.drawPath(path, stroke=1, fill=0)
    canvas.restoreState()


class ReportDocument(BaseDocTemplate):
    """Letter pages: a cover without the running header, then body pages with it."""

    def __init__(self, target: Path, report: Report) -> None:
        who, what = report.running_header
        self.header, header_height = _fixed(
            f"<b>{markup(_cut(who))}</b><br/>{markup(_cut(what))}", FRAME_WIDTH - DRAFT_LABEL_WIDTH
        )
        self.footer, _footer_height = _fixed(markup(_cut(report.footer)), FRAME_WIDTH - LATER_WIDTH)
        self.rule_y = PAGE_HEIGHT - MARGIN - header_height - 4
        super().__init__(
            str(target),
            pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=report.title,
            subject=report.subject,
            creator=f"{APP_NAME} {__version__}",
            initialFontName=SANS,
        )
        cover = Frame(MARGIN, MARGIN, FRAME_WIDTH, PAGE_HEIGHT - 2 * MARGIN, id="cover", leftPadding=0, rightPadding=0)
        body_height = self.rule_y - 10 - MARGIN
        body = Frame(MARGIN, MARGIN, FRAME_WIDTH, body_height, id="body", leftPadding=0, rightPadding=0)
        self.addPageTemplates(
            [
                PageTemplate("cover", [cover], onPage=self._decorate_cover),
                PageTemplate("body", [body], onPage=self._decorate_body),
            ]
        )

    def beforeDocument(self) -> None:
        """Draw what every page repeats once, as forms each page refers to: smaller and faster."""
        canvas = self.canv
        canvas.beginForm("fw-draft-mark")
        _draft_mark(canvas)
        canvas.endForm()
        canvas.beginForm("fw-header")
        self.header.drawOn(canvas, MARGIN, self.rule_y + 4)
        canvas.setFont(SANS_BOLD, 11)
        canvas.setFillColor(DRAFT_INK)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN - 11, "DRAFT")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, self.rule_y, PAGE_WIDTH - MARGIN, self.rule_y)
        canvas.endForm()
        canvas.beginForm("fw-footer")
        self.footer.drawOn(canvas, MARGIN, FOOTER_Y - self.footer.height + LATER_FONT_SIZE)
        canvas.endForm()

    def _decorate_cover(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        self._decorate(cast(ReportCanvas, canvas), "fw-draft-mark", "fw-footer")

    def _decorate_body(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        self._decorate(cast(ReportCanvas, canvas), "fw-draft-mark", "fw-header", "fw-footer")

    @staticmethod
    def _decorate(canvas: ReportCanvas, *forms: str) -> None:
        for name in forms:
            canvas.doForm(name)
        number = canvas.getPageNumber()
        canvas.later(PAGE_WIDTH - MARGIN, FOOTER_Y, lambda done: f"Page {number} of {done.page_count}")
