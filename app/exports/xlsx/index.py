"""The first sheet: which engagement this is, what each sheet holds (with a link to it), and the counts."""

from __future__ import annotations

from fieldwork.app.domain.judgements import CriterionConclusion
from fieldwork.app.domain.subservice import in_brief
from fieldwork.app.domain.vocabulary import ReportType, Status
from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.xlsx import places
from fieldwork.app.exports.xlsx.long_text import LONG_TEXT_SHEET
from fieldwork.app.exports.xlsx.table import Column, Mark, Row, Table, Value, joined, location, utc_datetime, yes_no

SHEETS = (
    (places.CONTROLS, "The control matrix: each client control, its requirements in both frameworks, and results."),
    (places.TESTS, "Each test of design and of operating effectiveness: procedure, population, sample, conclusion."),
    (places.SAMPLES, "One row per sample item, with its result, tickmarks, deviation and evidence."),
    (places.EXCEPTIONS, "Each deviation, its sample items (n of N), evaluation, root cause and management's response."),
    (places.CONCLUSIONS, "The conclusion on every requirement in scope, with its basis, beside the testing progress."),
    (places.FINDINGS, "The ISO/IEC 42001 findings register with corrective actions (clause 10.2)."),
    (places.OPINION, "The opinion recorded per area, the opinion the file proposes, and every matter it weighs."),
    (
        places.WORKPAPERS,
        "The engagement's workpapers by index: planning, the description, completion; what each misses.",
    ),
    (places.IPE, "The assessments of the populations and key reports the entity produced (completeness and accuracy)."),
    (
        places.SUBSERVICE,
        "The subservice organizations: services, method and their own SOC report as reviewed (none listed: none).",
    ),
    (places.COMPLEMENTARY, "The CUECs and CSOCs, each with the trust services criteria it supports."),
    (places.SOA, "The Statement of Applicability: all 38 Annex A controls of ISO/IEC 42001."),
    (
        places.COVERAGE,
        "Every requirement in scope (and each Annex A control the SoA excludes) with its controls and conclusion; "
        "gaps highlighted.",
    ),
    (places.AI_SYSTEMS, "The AI system inventory: each system, its life cycle, links and the gaps flagged."),
    (places.AI_ASSESSMENTS, "Each AI system impact assessment (A.5): what it considered, its results and approval."),
    (places.AI_COVERAGE, "Each AI system in scope against the clause 8 requirements and Annex A controls."),
    (places.FAIRNESS, "Fairness re-performances stored with their tests: selection rates and impact ratios."),
    (places.EVIDENCE, "The evidence index, with each file's SHA-256."),
    (places.SIGNOFFS, "Every item's preparer and reviewer sign-offs, and whether it changed after review."),
    (places.REVIEW_NOTES, "Review notes; write new ones in the rows below (item key or reference, note, initials)."),
    (places.AUDIT_TRAIL, "Every change recorded in the engagement file: who, when, old and new values."),
    (LONG_TEXT_SHEET, "The full text of any entry longer than an Excel cell holds, in parts."),
)


def _engagement_rows(data: ReportData) -> list[tuple[str, Value]]:
    details, facts = data.details, data.facts
    if details.report_type is ReportType.TYPE1:
        period: list[tuple[str, Value]] = [("As of", details.as_of_date)]
    else:
        period = [("Period start", details.period_start), ("Period end", details.period_end)]
    return [
        ("Service organization", details.client),
        ("System", details.system_name),
        ("Report type", details.report_type.label),
        *period,
        ("Trust Services categories", joined(details.tsc_categories)),
        ("ISO/IEC 42001 scope", details.iso_scope),
        ("Engagement stage", f"{data.stage.stage.label}: {data.stage.reason}"),
        ("Opinion", data.worksheet.overall_recorded.label),
        ("Subservice organizations", in_brief(data.inputs.subservice)),
        ("Report release date", details.report_release_date),
        ("Documentation completion date", details.documentation_completion_date),
        ("Engagement file", data.file_name),
        ("Engagement id", facts.engagement_id),
        ("Encrypted file", yes_no(facts.encrypted)),
        ("Created with", facts.created_with),
        ("Catalog versions", joined(f"{name} {version}" for name, version in facts.catalog_versions.items())),
        ("Workbook generated (UTC)", utc_datetime(data.generated_at)),
    ]


def index_table(data: ReportData) -> Table:
    excluded = sum(s.status is Status.EXCLUDED for s in data.statuses.values())
    concluded = sum(c.conclusion is not CriterionConclusion.NOT_CONCLUDED for c in data.conclusions)
    not_met = sum(c.conclusion is CriterionConclusion.NOT_MET for c in data.conclusions)
    open_findings = sum(f.open for f in data.findings)
    open_notes = sum(note.open for note in data.review_notes)
    states = [state for found in data.signoffs.values() for state in found.values()]
    complete, stale = sum(s.complete for s in states), sum(s.stale for s in states)
    reported = len(data.reported_deviations)
    unevidenced = len(data.tests_without_evidence)
    open_items = sum(w.fields.completion_item and not w.complete for w in data.workpapers)
    ipe_assessed = data.ipe.assessed
    rows = [Row(("Engagement", item, value)) for item, value in _engagement_rows(data)]
    if data.limited_to:
        rows.append(Row(("Engagement", "Rows limited to", data.limited_to), Mark.EXCEPTION))
    rows += [Row(("Team", member.name, f"{member.initials}, {member.role.label}")) for member in data.team]
    rows += [Row(("Sheets", name, about), links={1: location(name, 1)}) for name, about in SHEETS]
    gaps = Mark.GAP if data.gaps else None
    exceptions = Mark.EXCEPTION if data.counts["deviations"] else None
    counts: list[tuple[str, Value, str | None, Mark | None]] = [
        ("Requirements in scope", len(data.in_scope), places.COVERAGE, None),
        ("Requirements concluded", concluded, places.CONCLUSIONS, None),
        ("Requirements not met", not_met, places.CONCLUSIONS, Mark.EXCEPTION if not_met else None),
        ("Open ISO/IEC 42001 findings", open_findings, places.FINDINGS, None),
        ("Opinion supported by the file", yes_no(data.worksheet.supported), places.OPINION, None),
        ("Completion items not complete", open_items, places.WORKPAPERS, Mark.EXCEPTION if open_items else None),
        ("Populations relied on with IPE assessed", ipe_assessed, places.IPE, None),
        ("Populations relied on", len(data.ipe.populations), places.TESTS, None),
        ("Requirements without a control (gaps)", len(data.gaps), places.COVERAGE, gaps),
        ("Annex A controls excluded in the SoA", excluded, places.SOA, None),
        ("Controls", data.counts["controls"], places.CONTROLS, None),
        ("Tests", data.counts["tests"], places.TESTS, None),
        ("Tests concluded without evidence", unevidenced, places.TESTS, Mark.EXCEPTION if unevidenced else None),
        ("Sample items", data.counts["sample_items"], places.SAMPLES, None),
        ("Exceptions (deviations)", data.counts["deviations"], places.EXCEPTIONS, exceptions),
        ("Exceptions in the report", reported, places.EXCEPTIONS, None),
        ("AI systems in scope", len(data.ai.in_scope), places.AI_SYSTEMS, None),
        ("AI system gaps flagged", data.ai.gaps, places.AI_SYSTEMS, Mark.GAP if data.ai.gaps else None),
        ("Evidence files", len(data.evidence), places.EVIDENCE, None),
        ("PBC requests", len(data.pbc_requests), None, None),
        ("Open review notes", open_notes, places.REVIEW_NOTES, Mark.EXCEPTION if open_notes else None),
        ("Items prepared and reviewed", f"{complete} of {len(states)}", places.SIGNOFFS, None),
        ("Items changed after review", stale, places.SIGNOFFS, Mark.EXCEPTION if stale else None),
    ]
    for item, value, target, mark in counts:
        rows.append(Row(("Counts", item, value), mark, {1: location(target, 1)} if target else {}))
    rows += [Row(("Tickmarks", mark.symbol, mark.meaning)) for mark in data.tickmarks]
    columns = (Column("Section", 12), Column("Item", 36), Column("Value", 80))
    return Table(places.INDEX, columns, rows)
