"""Word fields and table properties python-docx has no call for: the table of contents, page numbers, header rows
that repeat on every page, and asking Word to refresh the fields when the document opens."""

from __future__ import annotations

from collections.abc import Sequence

from docx.document import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.table import CT_Row
from docx.oxml.text.paragraph import CT_P
from docx.table import Table
from docx.text.paragraph import Paragraph

#: What follows <w:updateFields> in the settings part (the schema fixes the order).
AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)
#: The contents list the two upper heading levels, as links, like the PDF's.
TOC_INSTRUCTION = 'TOC \\o "1-2" \\h \\z \\u'


def simple_field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A field such as PAGE or NUMPAGES, showing `shown` until it is updated."""
    paragraph._p.append(
        parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="{instruction}"><w:r><w:t>{shown}</w:t></w:r></w:fldSimple>')
    )


def _field_char(kind: str) -> str:
    return f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="{kind}"/></w:r>'


def table_of_contents(paragraphs: Sequence[CT_P]) -> None:
    """Make `paragraphs` (one per entry, already written) the result of a TOC field spanning them, so Word and
    LibreOffice show the entries at once and Word brings in the page numbers when it updates the field."""
    first, last = paragraphs[0], paragraphs[-1]
    anchor = first.get_or_add_pPr()
    for xml in (
        _field_char("begin"),
        f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> {TOC_INSTRUCTION} </w:instrText></w:r>',
        _field_char("separate"),
    ):
        element = parse_xml(xml)
        anchor.addnext(element)
        anchor = element
    last.append(parse_xml(_field_char("end")))


def update_fields_on_open(document: Document) -> None:
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is None:
        flag = parse_xml(f'<w:updateFields {nsdecls("w")} w:val="true"/>')
        successors = [child for child in settings if child.tag in {_qualified(tag) for tag in AFTER_UPDATE_FIELDS}]
        if successors:
            successors[0].addprevious(flag)
        else:
            settings.append(flag)


def _qualified(tag: str) -> str:
    prefix, name = tag.split(":")
    namespaces = {
        "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
        "sl": "http://schemas.openxmlformats.org/schemaLibrary/2006/main",
    }
    return f"{{{namespaces[prefix]}}}{name}"


def repeat_header_row(table: Table) -> None:
    """The first row is a header Word and LibreOffice repeat at the top of every page the table runs onto."""
    row = table.rows[0]._tr
    row.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))


def keep_row_whole(row: CT_Row) -> None:
    """A row moves to the next page whole, as in the PDF (Word still splits a row taller than a page)."""
    row.get_or_add_trPr().append(parse_xml(f"<w:cantSplit {nsdecls('w')}/>"))


def shade(cell_properties: object, fill: str) -> None:
    """A cell's background (for a group label row)."""
    cell_properties.append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:fill="{fill}"/>'))  # type: ignore[attr-defined]
