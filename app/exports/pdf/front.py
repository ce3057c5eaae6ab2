"""The cover, the table of contents and Sections I to III: the report's words before its tables."""

from __future__ import annotations

from reportlab.platypus import Flowable, NextPageTemplate, PageBreak, Paragraph, Spacer

from app.domain.judgements import OpinionWorksheet
from app.domain.vocabulary import DESCRIPTION_HEADINGS, ReportType
from app.exports.pdf.figures import ReportFigures
from app.exports.pdf.fonts import markup
from app.exports.pdf.layout import Outline, contents_table
from app.exports.pdf.styles import (
    BODY,
    BULLET,
    COVER_DRAFT,
    COVER_TITLE,
    HEADINGS,
    NOTICE,
    SUBHEAD,
    flag,
    gap,
    text_or_gap,
)
from app.exports.pdf.tables import pairs
from app.exports.pdf.wording import render, short_period

NOT_A_CERTIFICATE = (
    "This is an attestation report on how {client} meets the SOC 2 trust services criteria and the requirements "
    "of ISO/IEC 42001:2023. It is not an ISO/IEC 42001 certificate and does not certify the AI management system."
)


def wording(name: str, figures: ReportFigures) -> list[Flowable]:
    """A filled-in template as paragraphs, subheadings and list items."""
    style = {"heading": SUBHEAD, "paragraph": BODY}
    return [
        Paragraph(block.markup, BULLET, bulletText="•")
        if block.kind == "item"
        else Paragraph(block.markup, style[block.kind])
        for block in render(name, figures.data)
    ]


def cover(figures: ReportFigures) -> list[Flowable]:
    """The first page: what this is, for whom, and plainly that it is a draft and not a certificate."""
    data = figures.data
    details = data.details
    team = ", ".join(f"{markup(m.name)} ({m.role.label.lower()})" for m in data.team)
    release = details.report_release_date
    title = " ".join(block.markup for block in render("cover.txt", data))
    return [
        Spacer(0, 24),
        Paragraph("DRAFT · for discussion, not for issue", COVER_DRAFT),
        Paragraph(title, COVER_TITLE),
        Paragraph(markup(NOT_A_CERTIFICATE.format(client=details.client)), NOTICE),
        pairs(
            [
                ("Service organization", markup(details.client)),
                ("System", markup(details.system_name)),
                ("Report", f"{details.report_type.label} and ISO/IEC 42001:2023"),
                ("Period" if details.report_type is ReportType.TYPE2 else "Date", markup(short_period(details))),
                ("Trust services categories", markup(", ".join(details.tsc_categories))),
                ("Opinion (draft)", opinion_label(data.worksheet)),
                ("Subservice organizations", details.subservice_treatment.label),
                ("Report release date", release.isoformat() if release else gap("MISSING: report release date")),
                ("Engagement team", team or gap("MISSING: engagement team")),
                ("Engagement file", markup(data.file_name)),
                ("Engagement ID", markup(data.facts.engagement_id)),
                ("Generated", f"{markup(data.generated_at)} by {markup(data.facts.created_with)}"),
                ("Catalogs", markup(", ".join(f"{k} {v}" for k, v in sorted(data.facts.catalog_versions.items())))),
            ]
        ),
        NextPageTemplate("body"),
        PageBreak(),
    ]


def contents(outline: Outline) -> list[Flowable]:
    """Built after every section, so it lists the headings the sections actually made."""
    return [Paragraph("Contents", HEADINGS[0]), contents_table(outline)]


def section_one(figures: ReportFigures, outline: Outline) -> list[Flowable]:
    worksheet = figures.data.worksheet
    why = unsupported_reasons(worksheet)
    unsupported = [] if worksheet.supported else [flag(f"The opinion is not yet supported: {why}")]
    return [
        PageBreak(),
        outline.heading("Section I: Independent service auditor's report (draft)", 0),
        *unsupported,
        *wording("section1_auditor_report.txt", figures),
    ]


def unsupported_reasons(worksheet: OpinionWorksheet, most: int = 4) -> str:
    reasons = list(worksheet.reasons)
    shown = "; ".join(reasons[:most])
    return shown + (f"; and {len(reasons) - most} more (see the opinion worksheet)" if len(reasons) > most else "")


def opinion_label(worksheet: OpinionWorksheet) -> str:
    """The recorded opinion, and beside it what the file does not yet support."""
    label = worksheet.overall_recorded.label
    if worksheet.supported:
        return label
    return f"{label} {gap('basis not yet supported: ' + markup(unsupported_reasons(worksheet)))}"


def section_two(figures: ReportFigures, outline: Outline) -> list[Flowable]:
    client = figures.data.details.client
    return [
        PageBreak(),
        outline.heading(f"Section II: Management's assertion of {client}", 0),
        *wording("section2_management_assertion.txt", figures),
    ]


def section_three(figures: ReportFigures, outline: Outline) -> list[Flowable]:
    """The client's own description under the DC 200 headings; an empty heading shows as a gap."""
    details = figures.data.details
    story: list[Flowable] = [
        PageBreak(),
        outline.heading("Section III: Description of the system", 0),
        Paragraph(
            f"The management of {markup(details.client)} provided this description; it is presented as written.", BODY
        ),
    ]
    for code, title in DESCRIPTION_HEADINGS.items():
        if code == "DC9" and details.report_type is ReportType.TYPE1:
            continue  # significant changes during a period: a Type 1 report has no period
        story.append(outline.heading(f"{code} {title}", 1))
        text = figures.data.system_description.get(code, "")
        if text.strip():
            story += [Paragraph(markup(part.strip()), BODY) for part in text.split("\n\n") if part.strip()]
        else:
            story.append(flag("MISSING: not yet provided by the service organization"))
    story += [
        outline.heading("AI management system scope (ISO/IEC 42001)", 1),
        Paragraph(text_or_gap(details.iso_scope, "AI management system scope statement"), BODY),
    ]
    return story
