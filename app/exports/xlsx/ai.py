"""The AI sheets: the inventory, the impact assessments, the coverage matrix and the fairness re-performances.

They show what the AI systems page and `info --json` show, from the same `ReportData.ai`: a manager can read per
system what the work covers and what it lacks (the gaps, highlighted), and re-read a fairness review's figures.
"""

from __future__ import annotations

from fieldwork.app.domain.ai_systems import STAGES, AiSystem, SystemCoverage
from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.xlsx.places import AI_ASSESSMENTS, AI_COVERAGE, AI_SYSTEMS, FAIRNESS
from fieldwork.app.exports.xlsx.table import Column, Mark, Row, Table, Value, joined, utc_datetime, yes_no
from fieldwork.app.services.fairness import ratio_text


def _components(system: AiSystem, models: bool) -> str:
    return "\n".join(part.text for part in (system.models if models else system.datasets))


def _system_row(system: AiSystem, found: SystemCoverage | None) -> Row:
    state = found.assessment if found else None
    values: tuple[Value, ...] = (
        system.ref,
        system.name,
        system.purpose,
        system.roles_text,
        system.affected,
        system.risk_level.label if system.risk_level else None,
        system.stage.label,
        *(system.stage_date(stage) for stage in STAGES),
        _components(system, models=True),
        _components(system, models=False),
        system.owner,
        yes_no(system.in_scope),
        system.scope_reason or None,
        yes_no(found.in_production) if found else None,
        joined(system.controls),
        joined(system.tests),
        joined(system.findings),
        joined(system.evidence),
        state.count if state else None,
        state.first_approved_on if state else None,
        "\n".join(gap.text for gap in found.gaps) if found else None,
    )
    return Row(values, Mark.GAP if found and found.gaps else None)


def ai_systems_table(data: ReportData) -> Table:
    columns = (
        Column("Reference", 9),
        Column("AI system", 24),
        Column("Purpose", 50),
        Column("Organization's role", 18),
        Column("People affected", 40),
        Column("Risk level", 10),
        Column("Stage", 14),
        *(Column(f"{stage.label} date", 11) for stage in STAGES),
        Column("Models (provenance)", 50),
        Column("Data sets (provenance)", 50),
        Column("Owner", 20),
        Column("In scope", 8),
        Column("Why not in scope", 40),
        Column("In production in the examination", 12),
        Column("Controls", 30),
        Column("Tests naming it", 16),
        Column("Findings", 12),
        Column("Evidence", 14),
        Column("Impact assessments", 10),
        Column("First approved impact assessment", 12),
        Column("Gaps flagged", 70),
    )
    ai = data.ai
    rows = [_system_row(system, ai.coverage_of(system.id)) for system in ai.systems]
    return Table(AI_SYSTEMS, columns, rows, empty_note="No AI system is recorded in the inventory.")


def impact_assessments_table(data: ReportData) -> Table:
    columns = (
        Column("AI system", 24),
        Column("Reference", 14),
        Column("Performed on", 11),
        Column("Assessor", 24),
        Column("Individuals and groups considered", 50),
        Column("Societal impacts considered", 40),
        Column("Results", 60),
        Column("Approved by", 20),
        Column("Approved on", 11),
        Column("Next review", 11),
        Column("In production before its first approved assessment", 14),
    )
    ai = data.ai
    rows = []
    for found in ai.assessments:
        coverage = ai.coverage_of(found.ai_system_id)
        state = coverage.assessment if coverage else None
        late = state is not None and state.late and found.approved_on == state.first_approved_on
        values = (
            found.system,
            found.reference or None,
            found.assessed_on,
            found.assessor,
            found.individuals or None,
            found.societal or None,
            found.results or None,
            found.approved_by or None,
            found.approved_on,
            found.next_review,
            f"Yes, by {state.late_by_days} days" if late and state else None,
        )
        rows.append(Row(values, Mark.EXCEPTION if late or not found.approved else None))
    return Table(AI_ASSESSMENTS, columns, rows, empty_note="No AI system impact assessment is recorded.")


def ai_coverage_table(data: ReportData) -> Table:
    """Each clause 8 requirement and Annex A control against each AI system in scope."""
    ai = data.ai
    systems = ai.coverage
    columns = (
        Column("Requirement", 10),
        Column("Title", 40),
        Column("Excluded in the SoA", 9),
        *(Column(found.system.name, 30) for found in systems),
    )
    rows = []
    for requirement in ai.requirements:
        cells = [found.cell(requirement.code) for found in systems]
        values = (requirement.code, requirement.title, yes_no(requirement.excluded), *(cell.text for cell in cells))
        exceptions = any(cell.status is Status.EXCEPTIONS for cell in cells)
        rows.append(Row(values, Mark.EXCEPTION if exceptions else None))
    return Table(AI_COVERAGE, columns, rows, empty_note="No AI system in scope is recorded.")


def fairness_table(data: ReportData) -> Table:
    """One row per group of each stored re-performance; groups below four fifths highlighted."""
    columns = (
        Column("Test", 14),
        Column("Computed at (UTC)", 20),
        Column("Computed by", 20),
        Column("Decisions file", 30),
        Column("Sheet", 12),
        Column("SHA-256", 66),
        Column("Group column", 14),
        Column("Outcome column", 14),
        Column("Favourable outcomes", 20),
        Column("Group", 16),
        Column("Decisions", 10),
        Column("Favourable decisions", 10),
        Column("Selection rate", 10),
        Column("Impact ratio (to 3 decimals, cut)", 12),
        Column("Below four fifths", 9),
        Column("Small group", 9),
        Column("How favourable was decided", 50),
        Column("Caveats", 70),
    )
    rows = []
    for stored in data.fairness:
        result, figures = stored.result, stored.result.figures
        for group in figures.groups:
            values = (
                result.test_ref,
                utc_datetime(result.computed_at),
                result.computed_by,
                figures.source_name,
                figures.sheet,
                figures.sha256,
                figures.group_column,
                figures.outcome_column,
                joined(figures.favourable),
                group.group,
                group.decisions,
                group.favourable,
                float(group.selection_rate),
                float(ratio_text(group.impact_ratio)),
                yes_no(group.below_four_fifths),
                yes_no(group.small),
                figures.rule,
                "\n".join(figures.caveats) or None,
            )
            rows.append(Row(values, Mark.EXCEPTION if group.below_four_fifths else None))
    return Table(FAIRNESS, columns, rows, empty_note="No fairness re-performance is stored with a test.")
