"""Import the client's AI system inventory: preview the spreadsheet, then say which column holds each field."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLayout, QWidget

from fieldwork.app.domain.sampling import PopulationPreview, PopulationSource
from fieldwork.app.services.ai_inventory_import import InventoryField, guess_mapping
from fieldwork.ui.dialogs.table_preview import TablePreviewDialog, fill
from fieldwork.ui.operations import Runner

NOT_IN_FILE = "(not in the file)"
#: Fields per column of the grid, so sixteen choices fit a laptop screen beside the preview.
PER_COLUMN = 8


class InventoryImportDialog(TablePreviewDialog):
    def __init__(self, path: Path, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(path, runner, "Import the AI system inventory", parent)
        self.resize(980, 640)

    def add_choices(self) -> QLayout:
        grid = QGridLayout()
        self.columns: dict[InventoryField, QComboBox] = {}
        for number, field in enumerate(InventoryField):
            box = QComboBox()
            label = QLabel(f"{field.label}{' (required)' if field is InventoryField.NAME else ''}")
            label.setBuddy(box)
            row, column = number % PER_COLUMN, 2 * (number // PER_COLUMN)
            grid.addWidget(label, row, column)
            grid.addWidget(box, row, column + 1)
            self.columns[field] = box
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        return grid

    def show_columns(self, found: PopulationPreview) -> None:
        guessed = guess_mapping(found.columns)
        for field, box in self.columns.items():
            offered = found.columns if field is InventoryField.NAME else (NOT_IN_FILE, *found.columns)
            fill(box, offered, guessed.get(field, NOT_IN_FILE))

    def choice(self) -> tuple[PopulationSource, dict[InventoryField, str]]:
        """The source and the column chosen for each field (fields not in the file left out)."""
        chosen = {field: box.currentText() for field, box in self.columns.items()}
        return self.source, {field: column for field, column in chosen.items() if column and column != NOT_IN_FILE}
