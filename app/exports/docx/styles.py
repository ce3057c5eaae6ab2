"""The Word document's styles: real heading styles, named paragraph and table styles, and a firm's own look.

Every piece of text is given a named style (Heading 1 to 5, Body Text, List Bullet, Title and the
"Fieldwork ..." styles), never direct formatting, so a firm restyles the whole report by editing
styles. A firm may keep a reference document with its own styles at
`<data folder>/templates/report/reference.docx`: its page setup, headers and styles are used, and
Fieldwork adds only the styles it lacks.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.exceptions import OpcError
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Inches, Pt, RGBColor
from docx.styles.style import BaseStyle, CharacterStyle, ParagraphStyle
from lxml import etree

from fieldwork.app.errors import FieldworkError
from fieldwork.app.exports.report.model import Style
from fieldwork.app.paths import data_dir

REFERENCE = ("templates", "report", "reference.docx")
INK = RGBColor(0x1B, 0x1F, 0x24)
ACCENT = RGBColor(0x1F, 0x3A, 0x5F)
MUTED = RGBColor(0x5B, 0x64, 0x70)
GAP_INK = RGBColor(0x8A, 0x1C, 0x00)
DRAFT_INK = RGBColor(0xB3, 0x26, 0x1E)
HEADER_FILL = "DCE3EC"
GROUP_FILL = "EEF1F5"
GAP_FILL = "FFE08A"
RULE = "B8C0CC"

HEADING_STYLES = ("Heading 1", "Heading 2", "Heading 3", "Heading 4", "Heading 5")
TABLE_STYLE = "Fieldwork Table"
PAIRS_STYLE = "Fieldwork Details"
GAP_STYLE = "Fieldwork Gap"
MUTED_STYLE = "Fieldwork Muted"
CONTENTS_STYLES = ("TOC 1", "TOC 2")
#: What follows <w:shd> in a paragraph's properties: the schema fixes the order, and Word refuses another.
AFTER_SHADING = (
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


@dataclass(frozen=True)
class Look:
    """A paragraph style Fieldwork adds when the document lacks it."""

    name: str
    size: float
    bold: bool = False
    color: RGBColor = INK
    before: float = 0
    after: float = 4
    keep_with_next: bool = False
    base: str = "Normal"
    shading: str = ""
    indent: float = 0
    center: bool = False


#: Which named style each kind of paragraph takes.
PARAGRAPH_STYLES: dict[Style, str] = {
    Style.BODY: "Body Text",
    Style.ITEM: "List Bullet",
    Style.SUBHEAD: "Fieldwork Subheading",
    Style.FLAG: "Fieldwork Flag",
    Style.NOTICE: "Fieldwork Notice",
    Style.SIGNATURE: "Fieldwork Signature",
    Style.COVER_DRAFT: "Fieldwork Draft Mark",
    Style.COVER_TITLE: "Title",
    Style.CELL: "Fieldwork Cell",
    Style.CELL_HEAD: "Fieldwork Cell Heading",
    Style.CELL_STRONG: "Fieldwork Cell Strong",
    Style.CELL_NOTE: "Fieldwork Cell Note",
    Style.CELL_EXCEPTION: "Fieldwork Cell Exception",
    Style.CELL_GAP: "Fieldwork Cell Gap",
    Style.CELL_HASH: "Fieldwork Cell Fingerprint",
    Style.GROUP: "Fieldwork Cell Group",
}

LOOKS = (
    Look("Body Text", 9.5, after=6),
    Look("Fieldwork Subheading", 10, bold=True, before=6, after=3, keep_with_next=True),
    Look("Fieldwork Flag", 9, bold=True, color=GAP_INK, shading=GAP_FILL, before=3, after=8),
    Look("Fieldwork Notice", 9.5, bold=True, shading=GROUP_FILL, before=14, after=14),
    Look("Fieldwork Signature", 9.5, before=6, after=6),
    Look("Fieldwork Draft Mark", 13, bold=True, color=DRAFT_INK, after=14, center=True),
    Look("Fieldwork Cell", 8, after=0),
    Look("Fieldwork Cell Heading", 8, bold=True, color=ACCENT, after=0, keep_with_next=True),
    Look("Fieldwork Cell Strong", 8, bold=True, after=0),
    Look("Fieldwork Cell Note", 7.5, color=MUTED, after=0),
    Look("Fieldwork Cell Exception", 8, bold=True, color=GAP_INK, after=0),
    Look("Fieldwork Cell Gap", 8, bold=True, color=GAP_INK, shading=GAP_FILL, after=0),
    Look("Fieldwork Cell Fingerprint", 7, after=0),
    Look("Fieldwork Cell Group", 8.5, bold=True, color=ACCENT, after=0, keep_with_next=True),
)


#: Word's own styles the report uses, and the look they get in a document that is not the firm's.
BUILT_IN_LOOKS = (
    Look("Title", 19, bold=True, color=ACCENT, after=14),
    Look("Heading 1", 15, bold=True, color=ACCENT, before=12, after=8),
    Look("Heading 2", 12.5, bold=True, color=ACCENT, before=10, after=6),
    Look("Heading 3", 11, bold=True, before=8, after=4),
    Look("Heading 4", 10, bold=True, before=8, after=4),
    Look("Heading 5", 9.5, bold=True, before=6, after=3),
    Look("List Bullet", 9.5, after=4),
    Look("TOC Heading", 15, bold=True, color=ACCENT, after=10),
    Look("TOC 1", 10, bold=True, before=4, after=0),
    Look("TOC 2", 9, after=0, indent=14),
)
#: On every machine Word or LibreOffice runs on (LibreOffice maps it to a metric twin).
FONT = "Arial"


def reference_path() -> Path:
    return data_dir().joinpath(*REFERENCE)


def new_document() -> Document:
    """The firm's reference document emptied of its text, or python-docx's own; with every style the report uses."""
    path = reference_path()
    if path.is_file():
        try:
            document = docx.Document(str(path))
        except (OpcError, KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError) as error:
            raise FieldworkError(
                f"The reference document {path} is not a Word document Fieldwork can read ({error}); "
                "fix it or remove it to use the built-in styles."
            ) from error
        body = document.element.body
        for child in list(body):
            if not child.tag.endswith("}sectPr"):
                body.remove(child)
        add_missing_styles(document)
    else:
        document = docx.Document()
        _page_setup(document)
        add_missing_styles(document, restyle=True)
    return document


def _page_setup(document: Document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(0.75))


def _has(document: Document, name: str) -> bool:
    try:
        document.styles[name]
    except KeyError:
        return False
    return True


def add_missing_styles(document: Document, restyle: bool = False) -> None:
    """Add every style the report uses that the document lacks; `restyle` also gives Word's own styles (title,
    headings, lists, contents) the report's look, for a document that is not the firm's."""
    styles = document.styles
    for look in LOOKS:
        if not _has(document, look.name):
            _paragraph_style(styles.add_style(look.name, WD_STYLE_TYPE.PARAGRAPH), look, document)
    for look in BUILT_IN_LOOKS:
        if not _has(document, look.name):
            _paragraph_style(styles.add_style(look.name, WD_STYLE_TYPE.PARAGRAPH), look, document)
        elif restyle:
            _paragraph_style(styles[look.name], look, document, rebase=False)
    for name in HEADING_STYLES:
        cast(ParagraphStyle, styles[name]).paragraph_format.keep_with_next = True
    if restyle:
        for name in ("Normal", *(look.name for look in BUILT_IN_LOOKS)):
            _font(cast(ParagraphStyle, styles[name]), FONT)
    if not _has(document, GAP_STYLE):
        gap = cast(CharacterStyle, styles.add_style(GAP_STYLE, WD_STYLE_TYPE.CHARACTER))
        gap.font.bold, gap.font.color.rgb = True, GAP_INK
        gap.element.get_or_add_rPr().append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:fill="{GAP_FILL}"/>'))
    if not _has(document, MUTED_STYLE):
        cast(CharacterStyle, styles.add_style(MUTED_STYLE, WD_STYLE_TYPE.CHARACTER)).font.color.rgb = MUTED
    for name, shaded in ((TABLE_STYLE, True), (PAIRS_STYLE, False)):
        if not _has(document, name):
            _table_style(styles.add_style(name, WD_STYLE_TYPE.TABLE), shaded)


def _font(style: ParagraphStyle, name: str) -> None:
    """One font for Latin text, replacing the theme's (which takes precedence over a named font in Word)."""
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), name)


def _paragraph_style(added: BaseStyle, look: Look, document: Document, rebase: bool = True) -> None:
    style = cast(ParagraphStyle, added)
    if rebase:
        style.base_style = document.styles[look.base] if look.base != look.name else None
    style.quick_style = True
    font = style.font
    font.size, font.bold, font.italic, font.color.rgb = Pt(look.size), look.bold, False, look.color
    paragraph = style.paragraph_format
    paragraph.space_before, paragraph.space_after = Pt(look.before), Pt(look.after)
    paragraph.keep_with_next = look.keep_with_next
    if look.indent:
        paragraph.left_indent = Pt(look.indent)
    if look.center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if look.shading:
        shading = parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:fill="{look.shading}"/>')
        style.element.get_or_add_pPr().insert_element_before(shading, *AFTER_SHADING)


def _table_style(style: BaseStyle, shaded_header: bool) -> None:
    """A ruled table whose first row (the header, repeated on every page) is shaded and bold."""
    header = (
        f'<w:tblStylePr {nsdecls("w")} w:type="firstRow"><w:rPr><w:b/></w:rPr>'
        f'<w:tcPr><w:shd w:val="clear" w:fill="{HEADER_FILL}"/></w:tcPr></w:tblStylePr>'
        if shaded_header
        else ""
    )
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{RULE}"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    properties = parse_xml(
        f"<w:tblPr {nsdecls('w')}><w:tblBorders>{borders}</w:tblBorders>"
        '<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="80" w:type="dxa"/>'
        '<w:bottom w:w="60" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr>'
    )
    element = style.element
    element.append(properties)
    if header:
        element.append(parse_xml(header))
