"""The requirements a control serves, each with its status: shown on the control and test pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import QTableView

from app.domain.records import Control, Requirement, RequirementStatus
from app.domain.vocabulary import Status
from ui.context import Page, Target, UiContext
from ui.models.table import Column, RowTableModel
from ui.status_style import icon
from ui.tables import make_table


@dataclass(frozen=True)
class Served:
    requirement: Requirement
    status: Status


def served_by(control: Control, scope: Sequence[Requirement], statuses: dict[str, RequirementStatus]) -> list[Served]:
    """The control's requirements that are in scope, in catalog order, with their derived status."""
    by_code = {r.code: r for r in scope}
    return [
        Served(by_code[code], statuses[code].status if code in statuses else Status.NOT_STARTED)
        for code in control.requirements
        if code in by_code
    ]


def served_table(ctx: UiContext) -> tuple[RowTableModel[Served], QTableView]:
    """A table of served requirements; double-click opens one."""
    model = RowTableModel[Served](
        [
            Column("Requirement", lambda s: s.requirement.code, icon=lambda s: icon(s.status)),
            Column("Framework", lambda s: s.requirement.framework.label),
            Column("Title", lambda s: s.requirement.title),
            Column("Status", lambda s: s.status.label),
        ],
        key=lambda s: s.requirement.code,
    )
    table = make_table(model, stretch=2)
    table.doubleClicked.connect(lambda index: ctx.open(Target(Page.REQUIREMENT, model.row(index).requirement.code)))
    return model, table
