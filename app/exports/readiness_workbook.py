"""The readiness workbook for the client: which ISO/IEC 42001 requirements its SOC 2 controls already serve.

It renders a `ReadinessPage`, the records the readiness screen shows, through the workpapers' writer (text
cells stay text, long texts are kept whole, the file appears whole or not at all). The client reads it, so it
carries no workpaper internals: controls by reference and title, requirements, crosswalk links and templates.
"""

from __future__ import annotations

from pathlib import Path

from fieldwork.app.domain.readiness import PHRASES, Coverage, ReadinessLine
from fieldwork.app.exports.xlsx.table import Column, Mark, Row, Table, Value, joined, utc_datetime
from fieldwork.app.exports.xlsx.writer import write_tables
from fieldwork.app.services.readiness import ReadinessPage
from fieldwork.app.tasks import Task

SUMMARY, REQUIREMENTS, TEMPLATES = "Summary", "ISO 42001 readiness", "AI control templates"

OWN_MAPPING = "the project's own mapping, not endorsed by ISO or the AICPA"
MARKS = {Coverage.GAP: Mark.GAP, Coverage.PARTLY: Mark.EXCEPTION}

#: What each coverage means for the client, in the Summary sheet.
MEANINGS = {
    Coverage.LINKED: "A control is linked to the requirement itself.",
    Coverage.THROUGH_SOC2: "A SOC 2 control serves a criterion that wholly contains the requirement (an equal or "
    "subset link): confirm the control covers the AI systems in scope.",
    Coverage.PARTLY: "A SOC 2 control serves a criterion that overlaps the requirement only in part (an intersect "
    "or superset link): extend the control for AI, or add one.",
    Coverage.GAP: "No control reaches the requirement: a new control is needed (see the suggested templates).",
}


def _summary(page: ReadinessPage) -> Table:
    readiness = page.readiness
    rows: list[tuple[str, Value]] = [
        ("Service organization", page.details.client),
        ("System", page.details.system_name),
        ("Prepared", utc_datetime(page.generated_at)),
        ("Crosswalk", f"Fieldwork crosswalk {readiness.crosswalk} ({OWN_MAPPING})"),
        ("ISO/IEC 42001 requirements in scope", len(readiness.lines)),
        *((f"Requirements {PHRASES[coverage]}", readiness.count(coverage)) for coverage in Coverage),
        ("Annex A controls excluded in the Statement of Applicability", joined(readiness.excluded) or "None"),
        *((f"{coverage.label}: meaning", MEANINGS[coverage]) for coverage in Coverage),
    ]
    return Table(SUMMARY, (Column("Item", 44), Column("Value", 90)), [Row(values) for values in rows])


def _requirement_row(line: ReadinessLine) -> Row:
    values = (line.code, line.title, line.coverage.label, "\n".join(line.linked), line.via, "\n".join(line.templates))
    return Row(values, MARKS.get(line.coverage))


def _requirements(page: ReadinessPage) -> Table:
    columns = (
        Column("Requirement", 12),
        Column("Title", 40),
        Column("Coverage", 22),
        Column("Linked controls", 40),
        Column("Through SOC 2 criteria (controls)", 50),
        Column("Suggested AI control templates", 40),
    )
    return Table(REQUIREMENTS, columns, [_requirement_row(line) for line in page.readiness.lines])


def _templates(page: ReadinessPage) -> Table:
    open_codes = {line.code for line in page.readiness.lines if line.coverage.needs_work}
    rows = [
        Row(
            (
                template.title,
                template.control.description,
                joined(template.requirements),
                joined(code for code in template.requirements if code in open_codes),
                template.control.owner,
                template.control.frequency.label,
                "\n".join(f"{test.title} ({test.kind.label.lower()})" for test in template.tests),
            )
        )
        for template in page.library.templates
    ]
    columns = (
        Column("Template", 36),
        Column("Control", 60),
        Column("Serves", 24),
        Column("Requirements it would close", 24),
        Column("Suggested owner", 20),
        Column("Frequency", 12),
        Column("Suggested tests", 40),
    )
    return Table(TEMPLATES, columns, rows, empty_note="The template library is empty.")


def write_readiness_workbook(page: ReadinessPage, target: Path, task: Task) -> None:
    """Write the readiness workbook to `target`; a cancel (`task`) or an error leaves whatever was there."""
    title = f"ISO/IEC 42001 readiness: {page.details.client}, {page.details.system_name}"
    tables = [_summary(page), _requirements(page), _templates(page)]
    write_tables(tables, Path(target), task, title=title, identifier=page.engagement_id, generated=page.generated_at)
