"""Which sheet and header row of a client's CSV or XLSX file to read, and its first rows as they will be read.

Shared by the dialogs that import a client's table (a population, a control matrix): the preview is read off the
GUI thread through the population readers (their limits for hostile files, their header detection), and the
dialog adds its own fields (the columns it needs) to the picker's form.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldwork.app.domain.sampling import PopulationPreview, PopulationSource
from fieldwork.app.errors import FieldworkError
from fieldwork.app.services.population_files import preview
from fieldwork.ui.operations import Runner


class TablePicker(QWidget):
    """`shown` is the preview on screen (None while reading, after a refusal, or with no sheet chosen); each change
    is `previewed` (with None while the file is read again)."""

    previewed = Signal(object)
    refused = Signal(str)

    def __init__(
        self, path: Path, runner: Runner, sheet: str | None = None, none_label: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.source = PopulationSource(path, sheet)
        self.none_label = none_label
        self.shown: PopulationPreview | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.form = QFormLayout()
        self.sheet = QComboBox()
        self.header_row = QSpinBox()
        self.header_row.setRange(0, 1000)
        self.header_row.setSpecialValueText("no header row")
        self.form.addRow("&Sheet", self.sheet)
        self.form.addRow("&Header row", self.header_row)
        layout.addLayout(self.form)
        #: Where a dialog puts fields of its own that do not fit the form (a grid of column choices).
        self.extra = QVBoxLayout()
        layout.addLayout(self.extra)
        self.table = QTableWidget()
        layout.addWidget(QLabel("First rows as they will be read:"))
        layout.addWidget(self.table, 1)
        self.sheet.activated.connect(lambda _i: self._sheet_chosen(self.sheet.currentText()))
        self.header_row.editingFinished.connect(lambda: self._reread(header_row=self.header_row.value()))

    @property
    def skipped(self) -> bool:
        """The "none" choice: this table is not read at all."""
        return bool(self.none_label) and self.sheet.currentText() == self.none_label

    def _sheet_chosen(self, name: str) -> None:
        if self.none_label and name == self.none_label:
            self._show_nothing()
            return
        self._reread(sheet=name, header_row=None)

    def _reread(self, **change: object) -> None:
        self.source = replace(self.source, **change)  # type: ignore[arg-type]
        self.refresh()

    def refresh(self) -> None:
        """Read the preview off the GUI thread: opening a large workbook can take a while."""
        self.shown = None
        self.previewed.emit(None)
        source = self.source
        self.runner.run(
            f"Reading {source.path.name}", lambda task: preview(source), self.display, on_error=self._refused
        )

    def _refused(self, exc: BaseException) -> None:
        self.refused.emit(exc.message if isinstance(exc, FieldworkError) else "The file could not be read.")

    def _show_nothing(self) -> None:
        self.shown = None
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.previewed.emit(None)

    def display(self, found: PopulationPreview) -> None:
        """Put a preview on screen (read here, or by the dialog that holds the picker)."""
        self.shown = found
        self.source = replace(self.source, sheet=found.sheet)
        names = [*([self.none_label] if self.none_label else []), *found.sheet_names]
        with QSignalBlocker(self.sheet):
            self.sheet.clear()
            self.sheet.addItems(names)
            if found.sheet in names:
                self.sheet.setCurrentText(found.sheet)
        self.sheet.setEnabled(bool(found.sheet_names))
        with QSignalBlocker(self.header_row):
            self.header_row.setValue(found.header_row)
        self.table.setColumnCount(len(found.columns))
        self.table.setHorizontalHeaderLabels(list(found.columns))
        self.table.setRowCount(len(found.rows))
        for r, row in enumerate(found.rows):
            for c, value in enumerate(row[: len(found.columns)]):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self.previewed.emit(found)

    def show_none(self, sheet_names: tuple[str, ...]) -> None:
        """Offer the sheets with "none" chosen (an optional table the file does not seem to hold)."""
        with QSignalBlocker(self.sheet):
            self.sheet.clear()
            self.sheet.addItems([self.none_label, *sheet_names])
        self._show_nothing()


def fill_choices(box: QComboBox, values: tuple[str, ...], current: str | None) -> None:
    """Offer `values` in a combo box, with `current` chosen if it is one of them, without emitting a change."""
    with QSignalBlocker(box):
        box.clear()
        box.addItems(list(values))
        if current is not None and current in values:
            box.setCurrentText(current)
