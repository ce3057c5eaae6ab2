"""The report's blocks as a Word document: headings in Word's heading styles, tables in a table style with
a repeating header row, a table of contents field, a running header with the DRAFT mark, and page numbers."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from copy import deepcopy
from typing import cast

from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.table import CT_Row, CT_Tc
from docx.oxml.text.paragraph import CT_P
from docx.oxml.text.run import CT_R
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import _Footer, _Header
from docx.shared import Emu, Pt
from docx.styles.style import _TableStyle
from docx.table import Table as WordTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from fieldwork.app.exports.docx import fields
from fieldwork.app.exports.docx.styles import (
    CONTENTS_STYLES,
    DRAFT_INK,
    GAP_STYLE,
    GROUP_FILL,
    HEADING_STYLES,
    MUTED_STYLE,
    PAIRS_STYLE,
    PARAGRAPH_STYLES,
    TABLE_STYLE,
)
from fieldwork.app.exports.report.model import (
    Block,
    Contents,
    Heading,
    PageBreak,
    Pairs,
    Para,
    Report,
    Style,
    Table,
    Text,
)
from fieldwork.app.tasks import Task

#: Characters XML cannot hold (C0 controls other than tab and line feed): typed text must never stop an export.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CELL_GROUP_SPACE = Pt(5)
BLOCKS_PER_CHECKPOINT = 200
#: The longest title or subject a Word document's properties hold.
PROPERTY = 255


def clean(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)


def _run(paragraph: CT_P, text: str) -> CT_R:
    """A run of text; line breaks and tabs go through python-docx, which turns them into their elements."""
    run = paragraph.add_r()
    text = clean(text)
    if "\n" in text or "\t" in text:
        run.text = text
    else:
        run.add_t(text)
    return run


class DocxRenderer:
    """Writes blocks at the level of python-docx's XML elements: each paragraph is a copy of a ready-made one of
    its style (setting a style through python-docx's objects scans every style, and inserting before the
    section properties scans the whole body, each time: most of a large document's build otherwise)."""

    def __init__(self, document: Document, task: Task) -> None:
        self.document = document
        self.task = task
        styles = document.styles
        self.ids = {kind: styles[name].style_id for kind, name in PARAGRAPH_STYLES.items()}
        self.heading_ids = [styles[name].style_id for name in HEADING_STYLES]
        self.gap, self.muted = styles[GAP_STYLE].style_id, styles[MUTED_STYLE].style_id
        self.table_style = cast(_TableStyle, styles[TABLE_STYLE])
        self.pairs_style = cast(_TableStyle, styles[PAIRS_STYLE])
        section = document.sections[0]
        self.text_width = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
        self.end = document.element.body.get_or_add_sectPr()  # body content goes before the section properties
        self.contents_at: CT_P | None = None
        self.contents: list[Heading] = []

    # --- text -------------------------------------------------------------------------------------

    @functools.cache  # noqa: B019 (one renderer per export: the cache lives as long as the document)
    def _prototype(self, style_id: str, keep_with_next: bool, space_before: bool) -> CT_P:
        made = cast(CT_P, OxmlElement("w:p"))
        properties = made.get_or_add_pPr()
        properties.style = style_id
        if keep_with_next:
            properties.keepNext_val = True
        if space_before:
            properties.spacing_before = CELL_GROUP_SPACE
        return made

    def new_paragraph(self, style_id: str, keep_with_next: bool = False, space_before: bool = False) -> CT_P:
        return deepcopy(self._prototype(style_id, keep_with_next, space_before))

    def write(self, paragraph: CT_P, text: Text) -> CT_P:
        if isinstance(text, str):
            _run(paragraph, text)
            return paragraph
        for part in text:
            run = _run(paragraph, part.text)
            if part.gap or part.muted:
                run.style = self.gap if part.gap else self.muted
            elif part.bold:
                run.get_or_add_rPr()._add_b()
        return paragraph

    def para(self, para: Para, space_before: bool = False) -> CT_P:
        return self.write(self.new_paragraph(self.ids[para.style], para.keep_with_next, space_before), para.text)

    def add(self, element: BaseOxmlElement) -> None:
        self.end.addprevious(element)

    def cell(self, cell: CT_Tc, paras: Sequence[Para]) -> None:
        """Fill a cell, replacing the empty paragraph every cell starts with."""
        empty = cell.p_lst[0]
        for number, para in enumerate(paras):
            made = self.para(para, space_before=para.space_before and number > 0)
            if number == 0:
                cell.replace(empty, made)
            else:
                cell.append(made)

    # --- blocks -----------------------------------------------------------------------------------

    def heading(self, block: Heading) -> None:
        self.add(self.write(self.new_paragraph(self.heading_ids[block.level]), block.title))
        if block.in_contents:
            self.contents.append(block)

    def table(self, block: Table) -> None:
        table = self._grid(len(block.header), block.widths, self.table_style)
        for cell, text in zip(table.rows[0]._tr.tc_lst, block.header, strict=True):
            self.cell(cell, [Para(text, Style.CELL_HEAD)])
        fields.repeat_header_row(table)
        proto = table.add_row()._tr  # every body row starts as a copy of this empty one
        fields.keep_row_whole(proto)
        tbl = table._tbl
        tbl.remove(proto)
        for row in block.rows:
            tr = deepcopy(proto)
            tbl.append(tr)
            if row.group:
                self._group_row(table, tr, row.cells[0])
                continue
            for cell, content in zip(tr.tc_lst, row.cells, strict=True):
                self.cell(cell, content)

    def _group_row(self, table: WordTable, tr: CT_Row, label: Sequence[Para]) -> None:
        """A label spanning the table, shaded, kept with the row after it."""
        cells = [_Cell(tc, table) for tc in tr.tc_lst]
        merged = cells[0].merge(cells[-1])
        fields.shade(merged._tc.get_or_add_tcPr(), GROUP_FILL)
        self.cell(merged._tc, label)

    def pairs(self, block: Pairs) -> None:
        table = self._grid(2, (0.3, 0.7), self.pairs_style, rows=len(block.rows))
        for tr, (label, value) in zip(table._tbl.tr_lst, block.rows, strict=True):
            label_cell, value_cell = tr.tc_lst
            self.cell(label_cell, [Para(label, Style.CELL_HEAD)])
            self.cell(value_cell, [Para(value, Style.CELL)])

    def _grid(self, columns: int, shares: Sequence[float], style: _TableStyle, rows: int = 1) -> WordTable:
        table = self.document.add_table(rows=rows, cols=columns)
        table.style = style
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        for column, share in zip(table.columns, shares, strict=True):
            column.width = Emu(int(self.text_width * share))
        return table

    def page_break(self) -> None:
        paragraph = cast(CT_P, OxmlElement("w:p"))
        paragraph.add_r().add_br().type = "page"
        self.add(paragraph)

    def block(self, block: Block) -> None:
        if isinstance(block, Para):
            self.add(self.para(block))
        elif isinstance(block, Heading):
            self.heading(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Pairs):
            self.pairs(block)
        elif isinstance(block, PageBreak):
            self.page_break()
        elif isinstance(block, Contents):
            self.contents_at = self.write(self.new_paragraph(self.document.styles["TOC Heading"].style_id), "Contents")
            self.add(self.contents_at)

    # --- the document -----------------------------------------------------------------------------

    def render(self, report: Report) -> None:
        for block in report.cover:
            self.block(block)
        self.page_break()
        blocks = report.body
        for number, block in enumerate(blocks):
            if number % BLOCKS_PER_CHECKPOINT == 0:
                self.task.progress(number, len(blocks), "Writing the Word document")
            self.block(block)
        self._table_of_contents()
        self._page_furniture(report)
        fields.update_fields_on_open(self.document)
        properties = self.document.core_properties
        properties.title, properties.subject = clean(report.title)[:PROPERTY], clean(report.subject)[:PROPERTY]

    def _table_of_contents(self) -> None:
        """The contents as a field: entries listed now, page numbers added when Word updates the field."""
        if self.contents_at is None or not self.contents:
            return
        styles = [self.document.styles[name] for name in CONTENTS_STYLES]
        entries = [self.write(self.new_paragraph(styles[h.level].style_id), h.title) for h in self.contents]
        previous = self.contents_at
        for entry in entries:
            previous.addnext(entry)
            previous = entry
        fields.table_of_contents(entries)

    def _page_furniture(self, report: Report) -> None:
        """The running header with the DRAFT mark, and "Page N of M", on every page but the cover."""
        section = self.document.sections[0]
        section.different_first_page_header_footer = True
        who, what = report.running_header
        header = self.styled(_free_paragraph(section.header), "Header")
        draft = header.add_run("DRAFT")
        draft.bold, draft.font.color.rgb = True, DRAFT_INK
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        lines = self.styled(section.header.add_paragraph(), "Header")
        lines.add_run(clean(who)).bold = True
        lines.add_run("\n" + clean(what))
        self.styled(_free_paragraph(section.footer), "Footer").add_run(clean(report.footer))
        numbers = self.styled(section.footer.add_paragraph(), "Footer")
        numbers.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        numbers.add_run("Page ")
        fields.simple_field(numbers, "PAGE", "1")
        numbers.add_run(" of ")
        fields.simple_field(numbers, "NUMPAGES", "1")
        self.styled(section.first_page_footer.paragraphs[0], "Footer").add_run(clean(report.footer))

    def styled(self, paragraph: Paragraph, name: str) -> Paragraph:
        paragraph.style = self.document.styles[name]
        return paragraph


def _free_paragraph(part: _Header | _Footer) -> Paragraph:
    """The empty paragraph a header or footer starts with, or a new one under a firm's own content."""
    first = part.paragraphs[0]
    return first if not first.text else part.add_paragraph()
