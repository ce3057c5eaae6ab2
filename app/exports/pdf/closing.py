"""Section V (management's responses) and the appendices: exceptions, evidence index, crosswalk used."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Paragraph

from app.exports.pdf.figures import ReportFigures
from app.exports.pdf.fonts import markup
from app.exports.pdf.layout import Outline
from app.exports.pdf.styles import BODY, CELL, FRAME_WIDTH, text_or_gap
from app.exports.pdf.tables import PAD_X, cell, grid, widths

HASH = ParagraphStyle("hash", CELL, fontSize=7, leading=9)


def _hash_share() -> float:
    """The share of the text width that holds half a SHA-256 (32 hex digits) per line: two lines, never cut."""
    digit = max(stringWidth(d, HASH.fontName, HASH.fontSize) for d in "0123456789abcdef")
    return (32 * digit + 2 * PAD_X + 1) / FRAME_WIDTH


def _exception(figures: ReportFigures, index: int) -> str:
    found = figures.deviations[index]
    return f"<b>{index + 1}. {markup(found.test_ref)}</b> ({markup(found.control_ref)})<br/>{markup(found.description)}"


def section_five(figures: ReportFigures, outline: Outline) -> list[Flowable]:
    story: list[Flowable] = [
        PageBreak(),
        outline.heading("Section V: Other information provided by the service organization", 0),
        Paragraph(
            f"The management of {markup(figures.data.details.client)} provided the responses below to the "
            "exceptions noted in Sections IV and IV-A. This information has not been subjected to the procedures "
            "applied in the examination, and we express no opinion on it.",
            BODY,
        ),
    ]
    if not figures.deviations:
        return [*story, Paragraph("No exceptions were noted, so there are no responses to present.", BODY)]
    rows = [
        [cell(_exception(figures, n)), cell(text_or_gap(found.management_response, "management response"))]
        for n, found in enumerate(figures.deviations)
    ]
    return [*story, grid(["Exception", "Management's response"], rows, widths(0.5, 0.5))]


def exceptions_summary(figures: ReportFigures, outline: Outline) -> list[Flowable]:
    story: list[Flowable] = [PageBreak(), outline.heading("Appendix A: Exceptions summary", 0)]
    if not figures.deviations:
        return [*story, Paragraph("No exceptions were noted.", BODY)]
    rows = []
    for n, found in enumerate(figures.deviations):
        soc2, iso = figures.affected(found)
        rows.append(
            [
                cell(_exception(figures, n)),
                cell(markup(", ".join(soc2)) or "-"),
                cell(markup(", ".join(iso)) or "-"),
            ]
        )
    header = ["Exception", "SOC 2 criteria affected", "ISO/IEC 42001 requirements affected"]
    return [*story, grid(header, rows, widths(0.6, 0.18, 0.22))]


def evidence_index(figures: ReportFigures, outline: Outline) -> list[Flowable]:
    """Every attached file with its fingerprint, so a reader can match a copy to what was examined."""
    story: list[Flowable] = [PageBreak(), outline.heading("Appendix B: Evidence index", 0)]
    files = figures.data.evidence
    if not files:
        return [*story, Paragraph("No evidence files are attached to this engagement.", BODY)]
    rows = []
    for e in files:
        provided = text_or_gap(e.provided_by, "provided by") + (
            f"<br/>Request {markup(e.pbc_ref)}" if e.pbc_ref else ""
        )
        rows.append(
            [
                cell(f"<b>{markup(e.ref)}</b> {markup(e.original_name)}"),
                cell(f"{e.size:,}"),
                cell(f"{e.sha256[:32]}<br/>{e.sha256[32:]}", HASH),
                cell(e.received_date.isoformat() if e.received_date else "-"),
                cell(provided),
                cell(markup(", ".join(ref.replace(" ", "\u00a0") for ref in e.used_by)) or "-"),  # "C-001.T2 #3" whole
            ]
        )
    header = ["File", "Size (bytes)", "SHA-256", "Received", "Provided by", "Supports"]
    share = _hash_share()
    return [*story, grid(header, rows, widths(0.22, 0.09, share, 0.1, 0.14, 0.45 - share))]


def crosswalk(figures: ReportFigures, outline: Outline) -> list[Flowable]:
    """The crosswalk links between requirements in this engagement's scope, as the engagement holds them."""
    known = figures.requirements
    used = [m for m in figures.data.mappings if m.iso_code in known and m.soc2_code in known]
    rows = [
        [
            cell(f"<b>{markup(m.iso_code)}</b> {markup(known[m.iso_code].title)}"),
            cell(f"<b>{markup(m.soc2_code)}</b> {markup(known[m.soc2_code].title)}"),
            cell(m.relationship.label + ("<br/>(this engagement)" if m.origin == "engagement" else "")),
            cell(markup(m.rationale)),
        ]
        for m in used
    ]
    return [
        PageBreak(),
        outline.heading("Appendix C: Crosswalk used", 0),
        Paragraph(
            "The links between ISO/IEC 42001 requirements and SOC 2 criteria in scope that proposed which "
            "controls serve which requirements. Links to criteria of categories not in scope are not listed.",
            BODY,
        ),
        grid(
            ["ISO/IEC 42001 requirement", "SOC 2 criterion", "Relationship", "Rationale"],
            rows,
            widths(0.24, 0.24, 0.12, 0.4),
        ),
    ]
