"""The AI systems in the scope of the AI management system, for Section III (the description of the system).

The inventory is the service organization's, like the rest of the description: each system with what it is for, who
it affects, the organization's role, where it is in its life cycle and what it is built from. Systems the AI
management system leaves out are named with the reason. The auditor's flags (a late impact assessment) belong to the
findings register and the workpapers, not to management's description.
"""

from __future__ import annotations

from fieldwork.app.domain.ai_systems import AiSystem, LifeCycleStage
from fieldwork.app.exports.report.figures import ReportFigures
from fieldwork.app.exports.report.model import Block, Cell, Heading, Para, Row, Style, Table, gap, single

HEADING = "AI systems in the scope of the AI management system"
WIDTHS = (0.15, 0.31, 0.10, 0.12, 0.32)


def _life_cycle(system: AiSystem) -> Cell:
    """The stage reached, and the dates it went into production and out of it."""
    shown = [s for s in (LifeCycleStage.DEPLOYED, LifeCycleStage.RETIRED) if system.stage_date(s) is not None]
    if system.stage not in shown:
        reached = system.stage_date(system.stage)
        return single(f"{system.stage.label} {reached.isoformat()}" if reached else system.stage.label)
    return tuple(
        Para(f"{stage.label} {date.isoformat()}", Style.CELL) for stage in shown if (date := system.stage_date(stage))
    )


def _built_from(system: AiSystem) -> Cell:
    parts = [Para(f"Model: {part.text}", Style.CELL) for part in system.models]
    parts += [Para(f"Data: {part.text}", Style.CELL) for part in system.datasets]
    return tuple(parts) or (Para((gap("MISSING: models and data sets"),), Style.CELL),)


def _row(system: AiSystem) -> Row:
    risk = f"Risk: {system.risk_level.label.lower()}" if system.risk_level else ""
    name = (Para(system.name, Style.CELL_STRONG), *((Para(risk, Style.CELL_NOTE),) if risk else ()))
    purpose = (Para(system.purpose or (gap("MISSING: purpose"),), Style.CELL),)
    affected = (Para(f"Affects: {system.affected}", Style.CELL_NOTE),) if system.affected else ()
    role = (Para(system.roles_text or (gap("MISSING: role"),), Style.CELL),)
    return Row((name, purpose + affected, role, _life_cycle(system), _built_from(system)))


def ai_systems_in_scope(figures: ReportFigures) -> list[Block]:
    ai = figures.data.ai
    story: list[Block] = [Heading(HEADING, 2)]  # under the AIMS scope statement, out of the contents
    if not ai.in_scope:
        missing = "[MISSING: no AI system in the scope of the AI management system is recorded]"
        return [*story, Para(missing, Style.FLAG)]
    header = ("AI system", "Purpose and people affected", "Role", "Life cycle", "Models and data sets")
    story += [
        Para(f"The AI management system covers the following {len(ai.in_scope)} AI system(s)."),
        Table(header, tuple(_row(system) for system in ai.in_scope), WIDTHS, HEADING),
    ]
    outside = [system for system in ai.systems if not system.in_scope]
    if outside:
        story.append(Para("AI systems outside the scope of the AI management system:", keep_with_next=True))
        story += [Para(f"{system.name}: {system.scope_reason}", Style.ITEM) for system in outside]
    return story
