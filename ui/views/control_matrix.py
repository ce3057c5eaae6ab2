"""The control matrix: every control on one line, sortable by any column and filtered as you type.

The senior's first stop: who owns what, how often it runs, which are key, how far testing has got. Enter or
a double-click opens the control.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.pages.control_matrix import ControlMatrixPage, MatrixLine, load_control_matrix_page, matches
from fieldwork.ui.context import Page, Target, UiContext
from fieldwork.ui.context_menus import ContextMenu, open_and_copy
from fieldwork.ui.filter_typing import apply_after_typing
from fieldwork.ui.models.table import ROW_ROLE, Column, RowFilter, RowTableModel
from fieldwork.ui.read_only import reads
from fieldwork.ui.status_style import icon
from fieldwork.ui.tables import make_table
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.widgets import ChoiceBox, heading, note

STATUSES = list(Status)


def matrix_columns() -> list[Column[MatrixLine]]:
    """Where each control stands first (reference, title, status, tests), then who runs it and how."""
    return [
        Column("Control", lambda m: m.control.ref, icon=lambda m: icon(m.status)),
        Column(
            "Title",
            lambda m: m.control.title,
            tooltip=lambda m: m.control.description or m.control.title,
            width=230,
        ),
        Column("Status", lambda m: m.status.label, sort=lambda m: STATUSES.index(m.status)),
        Column(
            "Tests",
            lambda m: f"{m.tests_concluded}/{m.tests}" if m.tests else "none",
            tooltip=lambda m: f"{m.tests_concluded} of {m.tests} test(s) concluded",
            sort=lambda m: m.tests_concluded * 1000 + m.tests,
        ),
        Column("Deviations", lambda m: m.deviations or "", sort=lambda m: m.deviations),
        Column("Key", lambda m: "Key" if m.control.is_key else "", sort=lambda m: 0 if m.control.is_key else 1),
        Column("Owner", lambda m: m.control.owner, tooltip=lambda m: m.control.owner, width=150),
        Column("Frequency", lambda m: m.control.frequency.label),
        Column("Nature", lambda m: m.control.nature.label, width=120),
        Column(
            "Requirements",
            lambda m: ", ".join(m.control.requirements),
            tooltip=lambda m: ", ".join(m.control.requirements),
        ),
    ]


class MatrixFilter(RowFilter):
    """Keeps the lines `matches` accepts (the model keeps them sorted)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.text = ""
        self.status: Status | None = None
        self.key_only = False

    def set_filter(self, text: str, status: Status | None, key_only: bool) -> None:
        """Filter again, only when the filter changed (each line is asked again: 1,640 at `--scale 20`)."""
        if (text, status, key_only) == (self.text, self.status, self.key_only):
            return
        self.beginFilterChange()
        self.text, self.status, self.key_only = text, status, key_only
        self.endFilterChange()

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        line = self.sourceModel().index(row, 0, parent).data(ROW_ROLE)
        return isinstance(line, MatrixLine) and matches(line, self.text, self.status, self.key_only)


class ControlMatrixView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Control matrix"))
        self.summary = note()
        layout.addWidget(self.summary)

        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by reference, title, owner, frequency or requirement")
        self.filter.setClearButtonEnabled(True)
        self.status = ChoiceBox(STATUSES, none_label="Any status")
        self.key_only = QCheckBox("&Key controls only")
        for widget in (self.filter, self.status, self.key_only):
            reads(widget)  # a finalized file is still searched
        filter_label = QLabel("Filte&r")
        filter_label.setBuddy(self.filter)
        row = QHBoxLayout()
        row.addWidget(filter_label)
        row.addWidget(self.filter, 1)
        row.addWidget(self.status)
        row.addWidget(self.key_only)
        layout.addLayout(row)

        self.model = RowTableModel[MatrixLine](matrix_columns(), key=lambda m: m.id)
        self.sorted = MatrixFilter(self)
        self.sorted.setSourceModel(self.model)
        self.table = make_table(self.model, sorted_by=self.sorted, row_lines=1)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.activated.connect(self._open)
        ContextMenu(
            self.table,
            lambda index: open_and_copy(index, lambda: self._open(index), lambda: self.line_at(index).control.ref),
        )
        layout.addWidget(self.table, 1)
        apply_after_typing(self.filter, self._refilter)
        self.status.chosen.connect(lambda _value: self._refilter())
        self.key_only.toggled.connect(lambda _on: self._refilter())

    def load(self) -> None:
        self.ctx.read("Loading the control matrix", load_control_matrix_page, self._show)

    def _show(self, page: ControlMatrixPage) -> None:
        self.model.set_rows(page.lines)
        self._refilter()

    def _refilter(self) -> None:
        chosen = self.status.value()
        self.sorted.set_filter(self.filter.text(), Status(chosen) if chosen else None, self.key_only.isChecked())
        lines = self.model.rows
        keys = sum(line.control.is_key for line in lines)
        shown = self.sorted.rowCount()
        self.summary.setText(
            f"{len(lines)} controls, {keys} key"
            + (f"; {shown} shown" if shown != len(lines) else "")
            + ". Click a column's title to sort; Enter or a double-click opens a control."
        )

    def line_at(self, index: QModelIndex) -> MatrixLine:
        return self.model.row(self.sorted.mapToSource(index))

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.ctx.open(Target(Page.CONTROL, self.line_at(index).id))
