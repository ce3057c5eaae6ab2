"""Reading a client's spreadsheet: preview first, choose the sheet and header row, then the columns that matter.

The population import, the AI inventory import and the fairness re-performance all read a CSV or XLSX this way,
through the same readers and their limits for hostile files (`population_files.preview`). A subclass adds the
column choices it needs (`add_choices`) and fills them when a preview arrives (`show_columns`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.sampling import PopulationPreview, PopulationSource
from app.errors import FieldworkError
from app.services.population_files import preview
from ui.dialogs.foot import dialog_foot
from ui.operations import Runner


def fill(box: QComboBox, values: Sequence[str], current: str | None) -> None:
    """Offer `values` in a combo box, choosing `current` when it is one of them, without signalling."""
    with QSignalBlocker(box):
        box.clear()
        box.addItems(list(values))
        if current is not None and current in values:
            box.setCurrentText(current)


class TablePreviewDialog(QDialog):
    """Reads only the start of the file (fast even for a million rows); the import itself runs later."""

    def __init__(self, path: Path, runner: Runner, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setWindowTitle(f"{title}: {path.name}")
        self.source = PopulationSource(path)
        self.shown: PopulationPreview | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.sheet = QComboBox()
        self.header_row = QSpinBox()
        self.header_row.setRange(0, 1000)
        self.header_row.setSpecialValueText("no header row")
        form.addRow("&Sheet", self.sheet)
        form.addRow("&Header row", self.header_row)
        layout.addLayout(form)
        layout.addLayout(self.add_choices())
        self.table = QTableWidget()
        layout.addWidget(QLabel("First rows as they will be read:"))
        layout.addWidget(self.table, 1)
        self.error, self.buttons = dialog_foot(self, layout.addWidget, self.accept)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Import")
        self.resize(820, 520)
        self.refresh()
        self.sheet.activated.connect(lambda _i: self._reread(sheet=self.sheet.currentText(), header_row=None))
        self.header_row.editingFinished.connect(lambda: self._reread(header_row=self.header_row.value()))

    def add_choices(self) -> QLayout:
        """The subclass's column choices, laid out under the sheet and header row."""
        raise NotImplementedError

    def show_columns(self, found: PopulationPreview) -> None:
        """Offer the columns of a new preview in the subclass's choices."""
        raise NotImplementedError

    def _reread(self, **change: object) -> None:
        self.source = replace(self.source, **change)  # type: ignore[arg-type]
        self.refresh()

    def refresh(self) -> None:
        """Read the preview off the GUI thread: opening a large workbook can take a while."""
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        source = self.source
        self.runner.run(f"Reading {source.path.name}", lambda task: preview(source), self._show, on_error=self._refused)

    def _refused(self, exc: BaseException) -> None:
        self.error.setText(exc.message if isinstance(exc, FieldworkError) else "The file could not be read.")

    def _show(self, found: PopulationPreview) -> None:
        self.shown = found
        self.error.setText("")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(found.columns))
        fill(self.sheet, found.sheet_names, found.sheet)
        self.sheet.setEnabled(bool(found.sheet_names))
        with QSignalBlocker(self.header_row):
            self.header_row.setValue(found.header_row)
        self.show_columns(found)
        self.table.setColumnCount(len(found.columns))
        self.table.setHorizontalHeaderLabels(list(found.columns))
        self.table.setRowCount(len(found.rows))
        for r, row in enumerate(found.rows):
            for c, value in enumerate(row[: len(found.columns)]):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
