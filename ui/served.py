"""The table of the requirements a control serves (`app.pages.served`): on the control and test pages."""

from __future__ import annotations

from PySide6.QtWidgets import QTableView

from fieldwork.app.pages.served import Served
from fieldwork.ui.context import Page, Target, UiContext
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.status_style import icon
from fieldwork.ui.tables import make_table


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
