"""The engagement around the tests: the workpapers by index, and the assessments of the information produced by
the entity that the tests and controls rely on.

A peer reviewer opens these first: who signed the assertion and when, whether subsequent events reach the report
date, and whether each population a clean test rests on was shown complete and accurate.
"""

from __future__ import annotations

from fieldwork.app.domain.ipe import IpeAssessment
from fieldwork.app.domain.workpapers import Workpaper, shown_lines
from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.xlsx.places import IPE, WORKPAPERS
from fieldwork.app.exports.xlsx.table import Column, Mark, Row, Table, joined, utc_datetime, yes_no


def _checklist(found: Workpaper) -> str | None:
    lines = []
    for item in found.items:
        answer = item.answer.label if item.answer else "(not answered)"
        note = f" Note: {item.note}" if item.note else ""
        lines.append(f"{item.seq}. {item.prompt} - {answer}.{note}")
    return "\n".join(lines) or None


def workpapers_table(data: ReportData) -> Table:
    columns = (
        Column("Reference", 10),
        Column("Title", 36),
        Column("Kind", 12),
        Column("Completion item", 10),
        Column("Complete", 9),
        Column("Marked complete (UTC)", 19),
        Column("Still missing", 50),
        Column("Date", 10),
        Column("Date is", 24),
        Column("Signed by", 20),
        Column("Signer's title", 20),
        Column("Items answered", 9),
        Column("Checklist", 80),
        Column("Text", 80),
        Column("From the file", 60),
        Column("Requirements", 20),
        Column("Controls", 20),
        Column("Evidence", 16),
    )
    rows = []
    for found in data.workpapers:
        fields, shape = found.fields, found.shape
        shown = shown_lines(shape.shows, data.worksheet, data.misstatements)
        values = (
            fields.ref,
            fields.title,
            fields.kind.label,
            yes_no(fields.completion_item),
            yes_no(found.complete),
            utc_datetime(found.completed_at) if found.completed_at else None,
            "\n".join(found.missing) or None,
            fields.dated,
            shape.date_label or None,
            fields.signed_by or None,
            fields.signer_title or None,
            f"{found.answered} of {len(found.items)}" if found.items else None,
            _checklist(found),
            fields.body or None,
            "\n".join(shown) or None,
            joined(found.requirements),
            joined(found.controls),
            joined(found.evidence),
        )
        flagged = fields.completion_item and not found.complete
        rows.append(Row(values, Mark.EXCEPTION if flagged else None))
    return Table(WORKPAPERS, columns, rows, "This engagement has no workpapers yet.")


def _assessment_row(found: IpeAssessment, relied_on_by: str) -> Row:
    values = found.values
    row = (
        found.ref,
        found.subject.label,
        relied_on_by,
        values.name or None,
        values.source_system or None,
        values.report or None,
        values.parameters or None,
        values.produced_by or None,
        values.produced_on,
        yes_no(values.observed),
        values.procedures or None,
        values.result.label if values.result else "Not assessed",
        joined(found.evidence),
    )
    return Row(row, None if found.assessed else Mark.GAP)


def ipe_table(data: ReportData) -> Table:
    """Every assessment: the populations (a test's) first, in the tests' order, then the key reports."""
    columns = (
        Column("Reference", 10),
        Column("Of", 22),
        Column("Test or control", 14),
        Column("Report", 30),
        Column("Source system", 20),
        Column("Query or report", 40),
        Column("Parameters", 30),
        Column("Produced by", 20),
        Column("Produced on", 10),
        Column("Observed by the auditor", 10),
        Column("Completeness and accuracy procedures", 70),
        Column("Result", 20),
        Column("Evidence", 16),
    )
    register = data.ipe
    rows = [_assessment_row(p.assessment, p.test_ref) for p in register.populations if p.assessment is not None]
    rows += [_assessment_row(report, report.subject_ref) for report in register.reports]
    note = "No assessment of information produced by the entity is recorded."
    if not register.rule.required:
        note += f" The IPE rule is off: {register.rule.reason}"
    return Table(IPE, columns, rows, note)
