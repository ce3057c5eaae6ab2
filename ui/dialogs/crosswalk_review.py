"""The links a newer crosswalk adds, removes or rewords, each with why, before the user accepts them."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from fieldwork.app.domain.crosswalk import CrosswalkChange, CrosswalkUpdate
from fieldwork.ui.dialogs.foot import Button, dialog_foot
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.tables import make_table
from fieldwork.ui.widgets import note


def _why(change: CrosswalkChange) -> str:
    if change.old_relationship is None:
        return change.rationale
    return f"{change.rationale}\nWas ({change.old_relationship.label.lower()}): {change.old_rationale}"


class CrosswalkReview(QDialog):
    def __init__(self, update: CrosswalkUpdate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Crosswalk {update.bundled}")
        layout = QVBoxLayout(self)
        own = f" The engagement's own links ({update.own_links}) stay as they are." if update.own_links else ""
        layout.addWidget(
            note(
                f"This engagement holds crosswalk {update.held or '(unknown)'}. Accepting {update.bundled} changes "
                f"its links: {update.summary}. Links you switched off stay off.{own} Every change is recorded in "
                "the engagement's history."
            )
        )
        self.model = RowTableModel[CrosswalkChange](
            [
                Column("Change", lambda c: c.change.label),
                Column("ISO/IEC 42001", lambda c: c.iso_code),
                Column("SOC 2", lambda c: c.soc2_code),
                Column("Relationship", lambda c: c.relationship.label),
                Column("Why", _why, tooltip=_why),
            ],
            key=lambda c: (c.iso_code, c.soc2_code),
        )
        self.model.set_rows(update.changes)
        self.table = make_table(self.model)
        layout.addWidget(self.table, 1)
        _error, buttons = dialog_foot(self, layout.addWidget, self.accept)
        buttons.button(Button.Ok).setText("&Accept the new links")
        self.resize(980, 560)

    def showEvent(self, event: QShowEvent) -> None:
        """Rows fit their text once the dialog has its width (before, every reason would be cut short)."""
        super().showEvent(event)
        QTimer.singleShot(0, self.table.resizeRowsToContents)
