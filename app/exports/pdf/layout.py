"""Pages of the report: running header, DRAFT mark, "Page N of M", bookmarks and the table of contents.

The total page count and the table of contents' page numbers are only known once every page
is laid out. Rather than lay the whole report out twice (reportlab's `multiBuild`), each such
number is drawn as a PDF form XObject that the page refers to at once and that is defined when
the canvas saves, so the report is laid out in one pass. What every page repeats (header,
footer, DRAFT mark) is drawn once as a form too.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Flowable, Frame, PageTemplate, Paragraph, Table

from app import APP_NAME, __version__
from app.exports.dataset import ReportData
from app.exports.pdf.fonts import SANS, SANS_BOLD, markup
from app.exports.pdf.styles import (
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
from app.exports.pdf.tables import Cell, rows_height, table_style
from app.exports.pdf.wording import short_period

LATER_FONT_SIZE = 7.5
#: Widest text a deferred number may need ("Page 12345 of 12345").
LATER_WIDTH = 120
DRAFT_LABEL_WIDTH = 60
FOOTER_Y = MARGIN - 18
CONTENTS_LEVELS = 2  # the table of contents lists sections and their first level of parts


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
        return []  # a heading moves to the next page whole

    def draw(self) -> None:
        super().draw()
        canvas = cast(ReportCanvas, self.canv)
        canvas.bookmarkHorizontal(self.key, 0, self.height)
        canvas.addOutlineEntry(self.title, self.key, self.level, closed=self.level >= CONTENTS_LEVELS)
        canvas.mark(self.key)


class Outline:
    """Makes the headings and remembers which go into the table of contents."""

    def __init__(self) -> None:
        self.contents: list[Heading] = []
        self._count = 0

    def heading(self, title: str, level: int) -> Heading:
        self._count += 1
        made = Heading(title, level, f"h{self._count}")
        if level < CONTENTS_LEVELS:
            self.contents.append(made)
        return made


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


def contents_table(outline: Outline) -> Table:
    rows = [[Paragraph(h.text, TOC_STYLES[h.level]), PageNumber(h.key)] for h in outline.contents]
    style = table_style(
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    )
    return Table(rows, colWidths=[FRAME_WIDTH - 50, 50], style=style, repeatRows=0, hAlign="LEFT")


class RoomFor(CondPageBreak):
    """Start a new page unless a heading, its lead-in and the first rows of its table fit on this one.

    Without it a requirement's heading could sit alone at the foot of a page, or its first row be
    split across two pages. Rows taller than `MOST` may still split: they would not fit anywhere.
    """

    MOST = 6 * 72

    def __init__(self, lead: list[Flowable], rows: list[list[Cell]], column_widths: list[float]) -> None:
        super().__init__(0)
        self.lead, self.rows, self.column_widths = lead, rows, column_widths

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        needed = sum(f.wrap(availWidth, availHeight)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in self.lead)
        self.height = min(needed + rows_height(self.rows, self.column_widths), self.MOST)
        result: tuple[float, float] = super().wrap(availWidth, availHeight)
        return result


def _fixed(markup_text: str, width: float, style: ParagraphStyle = SMALL) -> tuple[Paragraph, float]:
    """A paragraph wrapped once, to be drawn on every page."""
    paragraph = Paragraph(markup_text, style)
    _width, height = paragraph.wrap(width, PAGE_HEIGHT)
    return paragraph, height


class ReportDocument(BaseDocTemplate):
    """Letter pages: a cover without the running header, then body pages with it."""

    def __init__(self, target: Path, data: ReportData) -> None:
        details = data.details
        self.header, header_height = _fixed(
            f"<b>{markup(details.client)}</b> · {markup(details.system_name)}<br/>"
            f"{details.report_type.label} and ISO/IEC 42001 · {markup(short_period(details))}",
            FRAME_WIDTH - DRAFT_LABEL_WIDTH,
        )
        self.footer, _footer_height = _fixed(
            f"Draft generated {markup(data.generated_at)} from {markup(data.file_name)} · "
            f"engagement {markup(data.facts.engagement_id)}",
            FRAME_WIDTH - LATER_WIDTH,
        )
        self.rule_y = PAGE_HEIGHT - MARGIN - header_height - 4
        super().__init__(
            str(target),
            pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=f"Draft SOC 2 and ISO/IEC 42001 report: {details.client}",
            subject=f"{details.report_type.label} and ISO/IEC 42001, {short_period(details)}",
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
        canvas.setFillColor(WATERMARK)  # solid, not transparent: a form gets no graphics-state resources
        canvas.setFont(SANS_BOLD, 120)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, -40, "DRAFT")
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
