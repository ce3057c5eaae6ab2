"""The judgement sheets: conclusions per requirement, the ISO findings register, and the opinion worksheet.

They show what `info --json` and the PDF show, from the same `ReportData`: a manager reviewing on a plane can
follow each conclusion to its basis, the deviations and findings it weighed, and the opinion to its matters.
"""

from __future__ import annotations

from fieldwork.app.domain.judgements import CriterionConclusion, Finding
from fieldwork.app.domain.vocabulary import Framework
from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.xlsx.places import CONCLUSIONS, EXCEPTIONS, FINDINGS, OPINION
from fieldwork.app.exports.xlsx.review import SIGNOFF_COLUMNS, signoff_mark, signoff_values
from fieldwork.app.exports.xlsx.table import Column, Mark, Row, Table, joined, yes_no
from fieldwork.app.services.signables import ItemType

#: Conclusions a reviewer must look at: not met, or not (or no longer) supported.
_FLAGGED = frozenset({CriterionConclusion.NOT_MET, CriterionConclusion.NOT_CONCLUDED})


def conclusions_table(data: ReportData) -> Table:
    columns = (
        Column("Framework", 14),
        Column("Requirement", 11),
        Column("Title", 44),
        Column("Progress", 12),
        Column("Conclusion", 18),
        Column("Basis", 70),
        Column("Controls", 24),
        Column("Deviations considered", 22),
        Column("ISO findings", 14),
        Column("Compensating controls", 18),
        Column("No longer supported because", 50),
        *SIGNOFF_COLUMNS,
    )
    rows = []
    for c in data.conclusions:
        mark = Mark.EXCEPTION if c.conclusion in _FLAGGED or c.unsupported else None
        values = (
            c.framework.label,
            c.code,
            c.title,
            c.progress.label,
            c.conclusion.label,
            c.basis or None,
            joined(c.controls),
            joined(c.deviations),
            joined(c.findings),
            joined(c.compensating_controls),
            c.unsupported or None,
            *signoff_values(data, ItemType.CONCLUSION, c.code),
        )
        rows.append(Row(values, mark or signoff_mark(data, ItemType.CONCLUSION, c.code)))
    return Table(CONCLUSIONS, columns, rows)


def _finding_row(data: ReportData, found: Finding, deviation_rows: dict[str, int]) -> Row:
    values = (
        found.ref,
        found.kind.label,
        joined(found.requirements),
        found.statement,
        found.objective_evidence or None,
        joined(found.evidence),
        joined(found.deviations),
        found.correction or None,
        found.root_cause or None,
        found.corrective_action or None,
        found.owner or None,
        found.due_date,
        found.status.label,
        found.verified_by or None,
        found.verified_on,
        found.verification or None,
        found.closed_on,
        "Prior period: to follow up" if found.prior_period else None,
        *signoff_values(data, ItemType.FINDING, str(found.id)),
    )
    first = next((deviation_rows[ref] for ref in found.deviations if ref in deviation_rows), None)
    links = {6: f"'{EXCEPTIONS}'!A{first}"} if first else {}
    open_nonconformity = Mark.EXCEPTION if found.kind.nonconformity and found.open else None
    return Row(values, open_nonconformity or signoff_mark(data, ItemType.FINDING, str(found.id)), links)


def findings_table(data: ReportData) -> Table:
    columns = (
        Column("Finding", 9),
        Column("Kind", 22),
        Column("Requirements", 16),
        Column("Statement", 70),
        Column("Objective evidence", 50),
        Column("Evidence files", 16),
        Column("From deviations", 16),
        Column("Correction", 40),
        Column("Root cause", 40),
        Column("Corrective action", 50),
        Column("Owner", 20),
        Column("Due", 11),
        Column("Status", 22),
        Column("Verified by", 18),
        Column("Verified on", 11),
        Column("Verification of effectiveness", 50),
        Column("Closed on", 11),
        Column("Raised", 16),
        *SIGNOFF_COLUMNS,
    )
    deviation_rows = {found.ref: number for number, found in enumerate(data.deviations, start=2)}
    rows = [_finding_row(data, found, deviation_rows) for found in data.findings]
    return Table(FINDINGS, columns, rows, empty_note="No ISO/IEC 42001 findings are recorded.")


def opinion_table(data: ReportData) -> Table:
    """The opinion recorded per area beside the proposal, then every matter it must weigh, then the misstatements."""
    worksheet = data.worksheet
    columns = (
        Column("Section", 14),
        Column("Item", 30),
        Column("Proposed (SOC 2)", 16),
        Column("Proposed (ISO/IEC 42001)", 16),
        Column("Recorded", 14),
        Column("Detail", 90),
    )
    rows: list[Row] = []
    for judged in worksheet.recorded:
        proposed = {p.framework: p.proposed.label for p in worksheet.proposals if p.area is judged.area}
        differs = judged.kind is not worksheet.proposed(judged.area)
        reason = judged.departure_reason if differs else ""
        detail = "; ".join(filter(None, (judged.basis, reason and f"Departs from the proposal: {reason}")))
        values = (
            "Opinion",
            judged.area.label,
            proposed[Framework.SOC2],
            proposed[Framework.ISO42001],
            judged.kind.label + (" (pervasive)" if judged.pervasive else ""),
            detail or None,
        )
        rows.append(Row(values, Mark.EXCEPTION if differs and not judged.departure_reason else None))
    supported = "Yes" if worksheet.supported else "No"
    rows.append(Row(("Supported", "Does the file support the opinion?", None, None, supported, None)))
    rows += [Row(("Not supported", "", None, None, None, reason), Mark.EXCEPTION) for reason in worksheet.reasons]
    for matter in worksheet.matters:
        areas = joined(area.label for area in matter.areas)
        framework = matter.framework.label if matter.framework else None
        rows.append(Row(("Matter", matter.kind.replace("_", " "), framework, areas, None, matter.text)))
    for found in data.misstatements:
        item = f"{found.ref} ({found.section})"
        state = f"material: {yes_no(found.material)}, corrected: {yes_no(found.corrected)}"
        rows.append(Row(("Misstatement", item, None, None, state, found.description)))
    return Table(OPINION, columns, rows)
