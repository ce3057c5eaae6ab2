"""The report's blocks as reportlab flowables: paragraphs, headings with bookmarks, tables, the contents.

A heading, a subheading or a lead-in never ends a page on its own: each run of them is kept
with the first lines of what follows (`RoomFor`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, NextPageTemplate, Spacer
from reportlab.platypus import PageBreak as BreakPage
from reportlab.platypus import Paragraph as RlParagraph

from fieldwork.app.exports.pdf.fonts import markup
from fieldwork.app.exports.pdf.layout import Heading as HeadingFlowable
from fieldwork.app.exports.pdf.layout import RoomFor, contents_table
from fieldwork.app.exports.pdf.styles import (
    BULLET,
    CELL_HEAD,
    GAP_FILL,
    GAP_INK,
    HEADINGS,
    MUTED,
    STYLES,
)
from fieldwork.app.exports.pdf.tables import Cell, CellParagraph, grid, pairs, text_cell, widths
from fieldwork.app.exports.report.model import (
    Block,
    Contents,
    Heading,
    Pairs,
    Para,
    Report,
    Run,
    Style,
    Table,
    Text,
)

#: Air between the groups of lines inside a table cell (one test and the next).
CELL_GROUP_SPACE = 5
#: How much of the paragraph after a heading must fit under it on the same page.
LINES_AFTER_HEADING = 3


def run_markup(run: Run) -> str:
    text = markup(run.text)
    if run.gap:
        return f'<font backColor="{GAP_FILL.hexval()}" color="{GAP_INK.hexval()}"><b>{text}</b></font>'
    if run.muted:
        text = f'<font color="{MUTED.hexval()}">{text}</font>'
    return f"<b>{text}</b>" if run.bold else text


def text_markup(text: Text) -> str:
    return markup(text) if isinstance(text, str) else "".join(run_markup(run) for run in text)


def paragraph(para: Para) -> RlParagraph:
    style = STYLES[para.style]
    if para.style is Style.ITEM:
        return RlParagraph(text_markup(para.text), BULLET, bulletText="•")
    if isinstance(para.text, str):
        return text_cell(para.text, style)
    return CellParagraph(text_markup(para.text), style)


def cell(paras: Sequence[Para]) -> list[Flowable]:
    stacked: list[Flowable] = []
    for para in paras:
        if para.space_before and stacked:
            stacked.append(Spacer(0, CELL_GROUP_SPACE))
        stacked.append(paragraph(para))
    return stacked


@functools.cache
def _header_cell(text: str) -> RlParagraph:
    return RlParagraph(markup(text), CELL_HEAD)


class Renderer:
    """Turns blocks into flowables, numbering the headings' bookmarks and collecting the contents."""

    def __init__(self) -> None:
        self.contents: list[HeadingFlowable] = []
        self.count = 0

    def heading(self, block: Heading) -> HeadingFlowable:
        self.count += 1
        made = HeadingFlowable(block.title, block.level, f"h{self.count}")
        if block.in_contents:
            self.contents.append(made)
        return made

    def table(self, block: Table) -> Flowable:
        rows: list[list[Cell]] = [[_header_cell(text) for text in block.header]]
        group_rows = []
        for row in block.rows:
            if row.group:
                group_rows.append(len(rows))
                rows.append([cell(row.cells[0]), *[""] * (len(block.header) - 1)])
            else:
                rows.append([cell(content) for content in row.cells])
        return grid(rows, widths(*block.widths), group_rows, block.caption)

    def flowable(self, block: Block) -> Flowable:
        if isinstance(block, Para):
            return paragraph(block)
        if isinstance(block, Heading):
            return self.heading(block)
        if isinstance(block, Table):
            return self.table(block)
        if isinstance(block, Pairs):
            return pairs([[_header_cell(label), cell([Para(value, Style.CELL)])] for label, value in block.rows])
        return BreakPage()

    def story(self, blocks: Sequence[Block]) -> list[Flowable]:
        """The flowables, each run of headings and lead-ins guarded so it stays with what follows."""
        made: list[Flowable] = []
        lead: list[Flowable] = []
        for block in blocks:
            if isinstance(block, Contents):
                made.append(ContentsMark())
                continue
            flowable = self.flowable(block)
            if isinstance(block, Heading) or (isinstance(block, Para) and (block.keep_with_next or _subhead(block))):
                lead.append(flowable)
                continue
            if lead:
                made += [_guard(lead, flowable), *lead]
                lead = []
            made.append(flowable)
        return made + lead

    def render(self, report: Report) -> list[Flowable]:
        cover = [self.flowable(block) for block in report.cover]
        body = self.story(report.body)
        contents = [RlParagraph("Contents", HEADINGS[0]), contents_table(self.contents)]
        at = next((n for n, f in enumerate(body) if isinstance(f, ContentsMark)), None)
        if at is not None:
            body[at : at + 1] = contents
        return [*cover, NextPageTemplate("body"), BreakPage(), *body]


class ContentsMark(Spacer):
    """Where the table of contents goes, until every heading is known."""

    def __init__(self) -> None:
        super().__init__(0, 0)


def _subhead(para: Para) -> bool:
    return para.style is Style.SUBHEAD


def _guard(lead: list[Flowable], after: Flowable) -> RoomFor:
    """Room on this page for the lead and the first lines (or the header and first row) of what follows."""
    table_rows = getattr(after, "_cellvalues", None)
    if table_rows is not None:
        return RoomFor(lead, table_rows[:2], after._colWidths)
    extra = 0.0
    if isinstance(after, RlParagraph):
        style: ParagraphStyle = after.style
        extra = LINES_AFTER_HEADING * style.leading + style.spaceBefore
    return RoomFor(lead, [], [], extra)
