"""The report's look in one place: page geometry, colours, paragraph styles and the mark for a gap.

Everything a reader must not miss in a draft (a missing value, a criterion without a control,
a test not concluded) is a gap or a flag, printed in one colour a reviewer can scan the pages for.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch

from fieldwork.app.exports.pdf.fonts import SANS, SANS_BOLD
from fieldwork.app.exports.report.model import Style

PAGE_WIDTH, PAGE_HEIGHT = LETTER
MARGIN = 0.75 * inch
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN

INK = colors.HexColor("#1B1F24")
ACCENT = colors.HexColor("#1F3A5F")
MUTED = colors.HexColor("#5B6470")
RULE = colors.HexColor("#B8C0CC")
HEADER_FILL = colors.HexColor("#DCE3EC")
GROUP_FILL = colors.HexColor("#EEF1F5")
GAP_FILL = colors.HexColor("#FFE08A")
GAP_INK = colors.HexColor("#8A1C00")
DRAFT_INK = colors.HexColor("#B3261E")
WATERMARK = colors.HexColor("#FBE7E5")  # DRAFT_INK at about 10% on white


def _style(name: str, size: float, *, bold: bool = False, **extra: object) -> ParagraphStyle:
    font = SANS_BOLD if bold else SANS
    values: dict[str, object] = {"fontName": font, "bulletFontName": font, "fontSize": size, "leading": size * 1.28}
    values.setdefault("textColor", INK)
    values.update(extra)
    return ParagraphStyle(name, **values)


BODY = _style("body", 9.5, spaceAfter=6)
BULLET = _style("bullet", 9.5, spaceAfter=4, leftIndent=14, bulletIndent=3)
SMALL = _style("small", 7.5, textColor=MUTED)
CELL = _style("cell", 8)
CELL_HEAD = _style("cell-head", 8, bold=True, textColor=ACCENT)
# Table cells hold several one-style paragraphs rather than one with inline tags: reportlab wraps a
# paragraph of a single style several times faster, and a large report is mostly table cells.
CELL_STRONG = _style("cell-strong", 8, bold=True)
CELL_NOTE = _style("cell-note", 7.5, textColor=MUTED)
CELL_EXCEPTION = _style("cell-exception", 8, bold=True, textColor=GAP_INK)
CELL_GAP = _style("cell-gap", 8, bold=True, textColor=GAP_INK, backColor=GAP_FILL)
GROUP_ROW = _style("group-row", 8.5, bold=True, textColor=ACCENT)
SUBHEAD = _style("subhead", 10, bold=True, spaceBefore=6, spaceAfter=3, keepWithNext=1)
FLAG = _style(
    "flag",
    9,
    bold=True,
    textColor=GAP_INK,
    backColor=GAP_FILL,
    borderPadding=(3, 4, 3, 4),
    spaceBefore=3,
    spaceAfter=8,
)
COVER_TITLE = _style("cover-title", 19, bold=True, textColor=ACCENT, spaceAfter=14, leading=24)
COVER_DRAFT = _style("cover-draft", 13, bold=True, textColor=DRAFT_INK, alignment=TA_CENTER, spaceAfter=14)
NOTICE = _style(
    "notice",
    9.5,
    bold=True,
    backColor=GROUP_FILL,
    borderColor=ACCENT,
    borderWidth=0.75,
    borderPadding=8,
    spaceBefore=14,
    spaceAfter=14,
)

#: Heading styles by outline level: section, category or clause, group or subclause, criterion.
HEADINGS = (
    _style("h0", 15, bold=True, textColor=ACCENT, spaceBefore=14, spaceAfter=10, leading=19),  # no space at a page top
    _style("h1", 12.5, bold=True, textColor=ACCENT, spaceBefore=10, spaceAfter=6),
    _style("h2", 11, bold=True, spaceBefore=8, spaceAfter=4),
    _style("h3", 10, bold=True, spaceBefore=8, spaceAfter=4),
    _style("h4", 9.5, bold=True, spaceBefore=6, spaceAfter=3),
)
TOC_STYLES = (_style("toc0", 10, bold=True, spaceBefore=4), _style("toc1", 9, leftIndent=14))
CAPTION = _style("caption", 7.5, textColor=MUTED, spaceAfter=2)
SIGNATURE = _style("signature", 9.5, spaceBefore=6, spaceAfter=6)
CELL_HASH = _style("cell-hash", 7, leading=9)

#: How each kind of paragraph looks in the PDF.
STYLES: dict[Style, ParagraphStyle] = {
    Style.BODY: BODY,
    Style.ITEM: BULLET,
    Style.SUBHEAD: SUBHEAD,
    Style.FLAG: FLAG,
    Style.NOTICE: NOTICE,
    Style.SIGNATURE: SIGNATURE,
    Style.COVER_DRAFT: COVER_DRAFT,
    Style.COVER_TITLE: COVER_TITLE,
    Style.CELL: CELL,
    Style.CELL_HEAD: CELL_HEAD,
    Style.CELL_STRONG: CELL_STRONG,
    Style.CELL_NOTE: CELL_NOTE,
    Style.CELL_EXCEPTION: CELL_EXCEPTION,
    Style.CELL_GAP: CELL_GAP,
    Style.CELL_HASH: CELL_HASH,
    Style.GROUP: GROUP_ROW,
}
