"""The ISO/IEC 42001 findings report for management: the findings register as a certification body reports it.

A cover, a summary of the findings by grade and status, each finding once in the usual form (grouped by grade,
majors first), and what management is asked to do. It is built from the same `ReportData` and rendered by the
same PDF and Word writers as the combined report, and follows its `Audience` rules: the client copy names no
workpapers (no evidence file names or fingerprints, no deviation or file references, no seeds).
"""

from __future__ import annotations

from functools import partial

from fieldwork.app.domain.judgements import Finding, FindingKind
from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.report.build import Part, draft_footer, written
from fieldwork.app.exports.report.figures import ReportFigures
from fieldwork.app.exports.report.findings import finding_form, finding_title
from fieldwork.app.exports.report.front import DRAFT_LINE
from fieldwork.app.exports.report.model import (
    DRAFT_OPTIONS,
    Audience,
    Block,
    Heading,
    Pairs,
    Para,
    Report,
    ReportOptions,
    Row,
    Run,
    Style,
    Table,
    Text,
    gap,
    single,
    text_or_gap,
)
from fieldwork.app.exports.report.wording import Choices, long_date, sentence_case, timing_phrase
from fieldwork.app.tasks import Task

TITLE = "ISO/IEC 42001 findings report"

#: The grades in the order the report takes them (majors first), each with its heading and its meaning as
#: ISO/IEC 17021-1 and certification practice give it.
GRADES: dict[FindingKind, tuple[str, str]] = {
    FindingKind.MAJOR: (
        "Major nonconformities",
        "the absence of, or a failure to implement and maintain, a requirement, such that there is significant "
        "doubt that the AI management system achieves its intended results.",
    ),
    FindingKind.MINOR: (
        "Minor nonconformities",
        "a failure to fulfil a requirement that does not raise significant doubt that the AI management system "
        "achieves its intended results.",
    ),
    FindingKind.OBSERVATION: (
        "Observations",
        "a situation that is not a nonconformity but could become one if it is not addressed.",
    ),
    FindingKind.OFI: (
        "Opportunities for improvement",
        "a way the AI management system could work better; no response is required.",
    ),
}

COPIES = {
    Audience.INTERNAL: "Internal copy: with workpaper references (exceptions, evidence files). Not for the client.",
    Audience.CLIENT: "Client copy: for management, without workpaper detail.",
}


def _timing(data: ReportData) -> str:
    """When the ISO/IEC 42001 requirements were examined, as a sentence says it."""
    return timing_phrase(Choices.of(data).iso_timing) or "(date missing)"


def cover(figures: ReportFigures) -> list[Block]:
    data = figures.data
    details = data.details
    rows: list[tuple[str, Text]] = [
        ("Organization", details.client),
        ("System", details.system_name),
        ("Standard", "ISO/IEC 42001:2023, Artificial intelligence: Management system"),
        ("Scope of the AI management system", text_or_gap(details.iso_scope, "AI management system scope statement")),
        ("Examined", sentence_case(_timing(data))),
        ("Auditor", text_or_gap(details.auditor_firm, "auditor firm")),
        ("Report date", long_date(details.report_release_date) or (gap("MISSING: report date"),)),
        ("Copy", COPIES[figures.options.audience]),
    ]
    if figures.internal:
        rows.append(("Engagement file", data.file_name))
    rows.append(("Generated", f"{data.generated_at} by {data.facts.created_with}"))
    return [
        Para(DRAFT_LINE, Style.COVER_DRAFT),
        Para(f"{TITLE}: {details.client}", Style.COVER_TITLE),
        Para(
            "The findings raised on the AI management system during the SOC 2 examination with ISO/IEC 42001 as "
            "additional criteria, graded as in a certification audit. This report is not an ISO/IEC 42001 "
            "certificate and not the examination report: the auditor's opinion is given only in that report.",
            Style.NOTICE,
        ),
        Pairs(tuple(rows)),
    ]


def introduction(figures: ReportFigures) -> list[Block]:
    details = figures.data.details
    firm = details.auditor_firm or "The auditor"
    return [
        Heading("1 Purpose and scope", 0),
        Para(
            f"{firm} examined the AI management system of {details.client} for {details.system_name} against "
            f"the requirements of ISO/IEC 42001:2023 (clauses 4 to 10 and the Annex A controls included in the "
            f"Statement of Applicability), {_timing(figures.data)}. This report sets out the findings raised, so "
            "that management can correct them and take corrective action as clause 10.2 of the standard requires."
        ),
        Para("Each finding is graded:", keep_with_next=True),
        *(Para((Run(f"{kind.label}: ", bold=True), Run(meaning)), Style.ITEM) for kind, (_, meaning) in GRADES.items()),
    ]


def _counts(findings: tuple[Finding, ...], kind: FindingKind | None) -> tuple[int, int, int]:
    chosen = [f for f in findings if kind is None or f.kind is kind]
    still_open = sum(1 for f in chosen if f.open)
    return still_open, len(chosen) - still_open, len(chosen)


def summary(figures: ReportFigures) -> list[Block]:
    """The findings counted by grade, open and settled; a sentence, not an empty table, when there are none."""
    findings = figures.data.findings
    story: list[Block] = [Heading("2 Summary of findings", 0)]
    if not findings:
        return [*story, Para("No findings were raised on the AI management system.")]
    rows = [Row((single(kind.label), *(single(str(n)) for n in _counts(findings, kind)))) for kind in GRADES]
    total = _counts(findings, None)
    rows.append(Row((single("Total", Style.CELL_STRONG), *(single(str(n), Style.CELL_STRONG) for n in total))))
    header = ("Grade", "Open", "Verified or closed", "Total")
    return [
        *story,
        Para(f"{total[2]} finding{'s' if total[2] != 1 else ''} raised, {total[0]} still open."),
        Table(header, tuple(rows), (0.46, 0.16, 0.22, 0.16), "Summary of findings"),
    ]


def grade(figures: ReportFigures, kind: FindingKind, number: int) -> list[Block]:
    """The findings of one grade, in reference order; said plainly when there are none."""
    title, _meaning = GRADES[kind]
    story: list[Block] = [Heading(f"{number} {title}", 0)]
    found = [f for f in figures.data.findings if f.kind is kind]
    if not found:
        return [*story, Para(f"No {title.lower()} were raised.")]
    for finding in found:
        story += [Heading(finding_title(finding), 1), finding_form(figures, finding)]
    return story


def requested(figures: ReportFigures, number: int) -> list[Block]:
    """What management is asked to do: respond on each open nonconformity by its due date."""
    story: list[Block] = [Heading(f"{number} What management is asked to do", 0)]
    due = [f for f in figures.data.findings if f.kind.nonconformity and f.open]
    if not due:
        return [
            *story,
            Para(
                "No nonconformity is open, so no corrective action is requested. Observations and opportunities "
                "for improvement need no response."
            ),
        ]
    rows = tuple(
        Row(
            (
                single(f.ref),
                single(f.kind.label),
                single(f.owner or (gap("owner to be named"),)),
                single(long_date(f.due_date) or (gap("due date to be agreed"),)),
                single(f.status.label),
            )
        )
        for f in due
    )
    return [
        *story,
        Para(
            "For each open nonconformity below, management is asked to confirm the correction, the root cause and "
            "the corrective action, with its owner, and to implement it by the due date. We will verify that each "
            "corrective action is effective before the nonconformity is closed. A major nonconformity needs "
            "corrective action implemented and verified before the AI management system can be regarded as "
            "conforming; for a minor one, an accepted plan is enough. Observations and opportunities for "
            "improvement need no response; management may consider them."
        ),
        Table(("Finding", "Grade", "Owner", "Due date", "Status"), rows, (0.12, 0.26, 0.24, 0.18, 0.2), "Responses"),
    ]


def parts(figures: ReportFigures) -> list[tuple[str, Part]]:
    listed: list[tuple[str, Part]] = [
        ("the introduction", partial(introduction, figures)),
        ("the summary", partial(summary, figures)),
    ]
    if figures.data.findings:
        listed += [(title, partial(grade, figures, kind, n)) for n, (kind, (title, _)) in enumerate(GRADES.items(), 3)]
    listed.append(("the requests", partial(requested, figures, len(listed) + 1)))
    return listed


def build_findings_report(data: ReportData, task: Task, options: ReportOptions = DRAFT_OPTIONS) -> Report:
    """The findings report's content for one audience; `task.progress` may raise `Cancelled` between parts."""
    figures = ReportFigures(data, options)
    details = data.details
    body = written(parts(figures), task)
    return Report(
        title=f"Draft {TITLE}: {details.client}",
        subject=f"Findings on the AI management system, {_timing(data)}: not an ISO/IEC 42001 certificate",
        cover=tuple(cover(figures)),
        body=tuple(body),
        running_header=(f"{details.client} · {details.system_name}", f"{TITLE} · {_timing(data)}"),
        footer=draft_footer(figures),
        audience=options.audience,
    )
