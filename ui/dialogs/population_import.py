"""Import a population from CSV or XLSX: preview first, choose the sheet, header and columns."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from app.domain.sampling import PopulationPreview, PopulationSource
from ui.dialogs.foot import dialog_foot
from ui.dialogs.table_picker import TablePicker, fill_choices
from ui.operations import Runner

NO_DATE = "(no date column)"


class PopulationImportDialog(QDialog):
    """Reads only the start of the file (fast even for a million rows); the import itself runs later."""

    def __init__(self, path: Path, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import population: {path.name}")
        layout = QVBoxLayout(self)
        self.picker = TablePicker(path, runner)
        self.id_column = QComboBox()
        self.date_column = QComboBox()
        self.picker.form.addRow("Column that &identifies an item", self.id_column)
        self.picker.form.addRow("Column that &dates an item", self.date_column)
        layout.addWidget(self.picker, 1)
        self.error, self.buttons = dialog_foot(self, layout.addWidget, self.accept)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Import")
        self.resize(820, 520)
        self.picker.previewed.connect(self._show)
        self.picker.refused.connect(self.error.setText)
        self.picker.refresh()

    @property
    def shown(self) -> PopulationPreview | None:
        return self.picker.shown

    def _ok(self, enabled: bool) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(enabled)

    def _show(self, found: PopulationPreview | None) -> None:
        self._ok(found is not None and bool(found.columns))
        if found is None:
            return
        self.error.setText("")
        fill_choices(self.id_column, found.columns, found.id_column)
        fill_choices(self.date_column, (NO_DATE, *found.columns), found.date_column or NO_DATE)

    def choice(self) -> tuple[PopulationSource, str, str | None]:
        """The source, the identifying column and the dating column the auditor chose."""
        date_column = self.date_column.currentText()
        return self.picker.source, self.id_column.currentText(), None if date_column == NO_DATE else date_column
