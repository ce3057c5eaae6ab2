"""The cover and Sections I to III: the report's words before its tables."""

from __future__ import annotations

from fieldwork.app.domain.subservice import in_brief
from fieldwork.app.domain.vocabulary import DESCRIPTION_HEADINGS, ReportType
from fieldwork.app.exports.report.ai_systems import ai_systems_in_scope
from fieldwork.app.exports.report.figures import ReportFigures
from fieldwork.app.exports.report.model import (
    Audience,
    Block,
    Contents,
    Heading,
    PageBreak,
    Pairs,
    Para,
    Run,
    Style,
    Text,
    gap,
    plain,
    text_or_gap,
)
from fieldwork.app.exports.report.wording import (
    OPINION_NAMES,
    Choices,
    long_date,
    render,
    sentence_case,
    short_period,
    timing_phrase,
)

COPIES = {
    Audience.INTERNAL: (
        "Internal copy: with the workpaper detail (evidence file names and fingerprints, sample seeds, workpaper "
        "references, work in progress). Not for the service organization."
    ),
    Audience.CLIENT: "Client copy: the examination report only, without workpaper detail.",
}

#: The cover's first line, on every draft Fieldwork writes.
DRAFT_LINE = "DRAFT · for discussion, not for issue"


def cover(figures: ReportFigures) -> list[Block]:
    """The first page: what this is, for whom, and plainly that it is a draft and not a certificate."""
    data = figures.data
    details = data.details
    choices = Choices.of(data)
    release: Text = long_date(details.report_release_date) or (gap("MISSING: report release date"),)
    rows: list[tuple[str, Text]] = [
        ("Service organization", details.client),
        ("System", details.system_name),
        ("Report", f"{details.report_type.label}, with ISO/IEC 42001:2023 as additional criteria"),
        ("Period" if figures.type2 else "Date", short_period(details)),
    ]
    if choices.iso_own:
        rows.append(("ISO/IEC 42001 criteria", sentence_case(timing_phrase(choices.iso_timing) or "(date missing)")))
    rows += [
        ("Trust services categories", ", ".join(details.tsc_categories)),
        ("Opinion (draft)", (Run(choices.overall.label), *_unsupported(figures))),
        ("Subservice organizations", in_brief(data.inputs.subservice)),
        ("Copy", COPIES[figures.options.audience]),
        ("Report release date", release),
    ]
    if figures.internal:
        team = ", ".join(f"{m.name} ({m.role.label.lower()})" for m in data.team)
        rows += [
            ("Engagement team", text_or_gap(team, "engagement team")),
            ("Engagement file", data.file_name),
            ("Engagement ID", data.facts.engagement_id),
            ("Catalogs", ", ".join(f"{k} {v}" for k, v in sorted(data.facts.catalog_versions.items()))),
        ]
    rows.append(("Generated", f"{data.generated_at} by {data.facts.created_with}"))
    title = " ".join(plain(p.text) for p in render("cover.txt", data))
    notice = render("cover_notice.txt", data)
    return [
        Para(DRAFT_LINE, Style.COVER_DRAFT),
        Para(title, Style.COVER_TITLE),
        *(Para(p.text, Style.NOTICE) for p in notice),
        Pairs(tuple(rows)),
    ]


def contents(_figures: ReportFigures) -> list[Block]:
    return [Contents()]


def _unsupported(figures: ReportFigures, most: int = 4) -> tuple[Run, ...]:
    """What the file does not yet support of the opinion, printed beside it (the reasons in the internal copy
    only: they name work in progress)."""
    worksheet = figures.data.worksheet
    if worksheet.supported:
        return ()
    if not figures.internal:
        return (Run(" "), gap("basis not yet supported"))
    reasons = list(worksheet.reasons)
    more = f"; and {len(reasons) - most} more (see the opinion worksheet)" if len(reasons) > most else ""
    return (Run(" "), gap(f"basis not yet supported: {'; '.join(reasons[:most])}{more}"))


def section_one(figures: ReportFigures) -> list[Block]:
    """The auditor's report; an opinion the file does not support is flagged right after its paragraph."""
    heading = OPINION_NAMES[Choices.of(figures.data).overall]
    story: list[Block] = [PageBreak(), Heading("Section I: Independent service auditor's report (draft)", 0)]
    flag = _unsupported(figures)
    under_heading = False
    for block in render("section1_auditor_report.txt", figures.data):
        story.append(block)
        if under_heading and flag:
            story.append(Para(flag[1:], Style.FLAG))
            flag = ()
        under_heading = isinstance(block, Para) and block.style is Style.SUBHEAD and plain(block.text) == heading
    return story


def section_two(figures: ReportFigures) -> list[Block]:
    return [
        PageBreak(),
        Heading(f"Section II: Management's assertion of {figures.data.details.client}", 0),
        *render("section2_management_assertion.txt", figures.data),
    ]


def section_three(figures: ReportFigures) -> list[Block]:
    """The client's own description under the DC 200 headings; an empty heading shows as a gap."""
    details = figures.data.details
    story: list[Block] = [
        PageBreak(),
        Heading("Section III: Description of the system", 0),
        Para(f"The management of {details.client} provided this description; it is presented as written."),
    ]
    for code, title in DESCRIPTION_HEADINGS.items():
        if code == "DC9" and details.report_type is ReportType.TYPE1:
            continue  # significant changes during a period: a Type 1 report has no period
        story.append(Heading(f"{code} {title}", 1))
        text = figures.data.system_description.get(code, "")
        if text.strip():
            story += [Para(part.strip()) for part in text.split("\n\n") if part.strip()]
        else:
            story.append(Para("[MISSING: not yet provided by the service organization]", Style.FLAG))
    story += [
        Heading("AI management system scope (ISO/IEC 42001)", 1),
        Para(text_or_gap(details.iso_scope, "AI management system scope statement")),
        *ai_systems_in_scope(figures),
    ]
    return story
