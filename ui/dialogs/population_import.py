"""Import a population from CSV or XLSX: preview first, choose the sheet, header and columns."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox, QFormLayout, QLayout, QWidget

from fieldwork.app.domain.sampling import PopulationPreview, PopulationSource
from fieldwork.ui.dialogs.table_preview import TablePreviewDialog, fill
from fieldwork.ui.operations import Runner

NO_DATE = "(no date column)"


class PopulationImportDialog(TablePreviewDialog):
    def __init__(self, path: Path, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(path, runner, "Import population", parent)

    def add_choices(self) -> QLayout:
        self.id_column = QComboBox()
        self.date_column = QComboBox()
        form = QFormLayout()
        form.addRow("Column that &identifies an item", self.id_column)
        form.addRow("Column that &dates an item", self.date_column)
        return form

    def show_columns(self, found: PopulationPreview) -> None:
        fill(self.id_column, found.columns, found.id_column)
        fill(self.date_column, (NO_DATE, *found.columns), found.date_column or NO_DATE)

    def choice(self) -> tuple[PopulationSource, str, str | None]:
        """The source, the identifying column and the dating column the auditor chose."""
        date_column = self.date_column.currentText()
        return self.source, self.id_column.currentText(), None if date_column == NO_DATE else date_column
