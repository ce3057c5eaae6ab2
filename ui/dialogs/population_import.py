"""Import a population from CSV or XLSX: preview first, choose the sheet, header and columns."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
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

NO_DATE = "(no date column)"


class PopulationImportDialog(QDialog):
    """Reads only the start of the file (fast even for a million rows); the import itself runs later."""

    def __init__(self, path: Path, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setWindowTitle(f"Import population: {path.name}")
        self.source = PopulationSource(path)
        self.shown: PopulationPreview | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.sheet = QComboBox()
        self.header_row = QSpinBox()
        self.header_row.setRange(0, 1000)
        self.header_row.setSpecialValueText("no header row")
        self.id_column = QComboBox()
        self.date_column = QComboBox()
        form.addRow("&Sheet", self.sheet)
        form.addRow("&Header row", self.header_row)
        form.addRow("Column that &identifies an item", self.id_column)
        form.addRow("Column that &dates an item", self.date_column)
        layout.addLayout(form)
        self.table = QTableWidget()
        layout.addWidget(QLabel("First rows as they will be imported:"))
        layout.addWidget(self.table, 1)
        self.error, self.buttons = dialog_foot(self, layout.addWidget, self.accept)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Import")
        self.resize(820, 520)
        self.refresh()
        self.sheet.activated.connect(lambda _i: self._reread(sheet=self.sheet.currentText(), header_row=None))
        self.header_row.editingFinished.connect(lambda: self._reread(header_row=self.header_row.value()))

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
        for box, values, current in (
            (self.sheet, found.sheet_names, found.sheet),
            (self.id_column, found.columns, found.id_column),
            (self.date_column, (NO_DATE, *found.columns), found.date_column or NO_DATE),
        ):
            box.blockSignals(True)
            box.clear()
            box.addItems(list(values))
            if current is not None and current in values:
                box.setCurrentText(current)
            box.blockSignals(False)
        self.sheet.setEnabled(bool(found.sheet_names))
        self.header_row.blockSignals(True)
        self.header_row.setValue(found.header_row)
        self.header_row.blockSignals(False)
        self.table.setColumnCount(len(found.columns))
        self.table.setHorizontalHeaderLabels(list(found.columns))
        self.table.setRowCount(len(found.rows))
        for r, row in enumerate(found.rows):
            for c, value in enumerate(row[: len(found.columns)]):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    def choice(self) -> tuple[PopulationSource, str, str | None]:
        """The source, the identifying column and the dating column the auditor chose."""
        date_column = self.date_column.currentText()
        return self.source, self.id_column.currentText(), None if date_column == NO_DATE else date_column
