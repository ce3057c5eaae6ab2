"""A dialog around the table picker for imports that only need column choices of their own.

The AI inventory import and the fairness re-performance read a client's CSV or XLSX this way, through the same
picker (and so the population readers and their limits for hostile files) as the population and matrix imports.
A subclass adds the column choices it needs (`add_choices`) and fills them when a preview arrives
(`show_columns`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLayout, QVBoxLayout, QWidget

from fieldwork.app.domain.sampling import PopulationPreview, PopulationSource
from fieldwork.ui.dialogs.foot import dialog_foot
from fieldwork.ui.dialogs.table_picker import TablePicker
from fieldwork.ui.dialogs.table_picker import fill_choices as fill
from fieldwork.ui.operations import Runner

__all__ = ["TablePreviewDialog", "fill"]


class TablePreviewDialog(QDialog):
    """Reads only the start of the file (fast even for a million rows); the import itself runs later."""

    def __init__(self, path: Path, runner: Runner, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title}: {path.name}")
        layout = QVBoxLayout(self)
        self.picker = TablePicker(path, runner)
        self.picker.extra.addLayout(self.add_choices())
        layout.addWidget(self.picker, 1)
        self.error, self.buttons = dialog_foot(self, layout.addWidget, self.accept)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Import")
        self.resize(820, 520)
        self.picker.previewed.connect(self._show)
        self.picker.refused.connect(self.error.setText)
        self.picker.refresh()

    @property
    def source(self) -> PopulationSource:
        return self.picker.source

    @property
    def shown(self) -> PopulationPreview | None:
        return self.picker.shown

    def add_choices(self) -> QLayout:
        """The subclass's column choices, laid out under the sheet and header row."""
        raise NotImplementedError

    def show_columns(self, found: PopulationPreview) -> None:
        """Offer the columns of a new preview in the subclass's choices."""
        raise NotImplementedError

    def _show(self, found: PopulationPreview | None) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(found is not None and bool(found.columns))
        if found is not None:
            self.error.setText("")
            self.show_columns(found)
