"""An item's history, one click from its page: who changed it, when, from what to what (its review included)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from fieldwork.app.domain.records import HistoryEntry
from fieldwork.app.pages.review import describe, load_item_history
from fieldwork.app.services.signables import ItemType
from fieldwork.ui.context import UiContext
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.tables import make_table
from fieldwork.ui.widgets import note


def when(entry: HistoryEntry) -> str:
    return entry.at_utc[:16].replace("T", " ")


def history_model() -> RowTableModel[HistoryEntry]:
    return RowTableModel[HistoryEntry](
        [
            Column("When (UTC)", when),
            Column("Who", lambda e: e.person),
            Column("Change", describe, tooltip=lambda e: describe(e, limit=None)),
        ],
        key=lambda e: (e.origin, e.seq),
    )


class ItemHistoryDialog(QDialog):
    def __init__(self, ctx: UiContext, item_type: ItemType, key: str, ref: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"History of {ref}")
        self.summary = note("Loading…")
        self.entries = history_model()
        self.table = make_table(self.entries, stretch=2, row_lines=2)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(820, 460)
        ctx.read(f"Loading the history of {ref}", lambda db: load_item_history(db, item_type, key), self._show)

    def _show(self, entries: list[HistoryEntry]) -> None:
        self.entries.set_rows(entries)
        self.summary.setText(f"{len(entries)} change(s), newest first, with the sign-offs and notes on it.")
