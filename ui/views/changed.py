"""Changed since review: every item whose sign-off no longer matches it, and what changed since it was signed.

The reviewer works down the list: the changes of the selected item below (old and new values from the history),
Enter or a double-click opens the item, and signing it again takes it off the list.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from fieldwork.app.pages.review import ChangedPage, load_changed_page
from fieldwork.app.services.signables import item_target
from fieldwork.app.services.signoffs import ChangedSinceReview
from fieldwork.ui.context import UiContext
from fieldwork.ui.dialogs.item_history import history_model
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.review_strip import signed_text
from fieldwork.ui.tables import make_table, selected_rows
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.widgets import heading, note


def _stale_roles(found: ChangedSinceReview) -> str:
    state = found.state
    return ", ".join(s.role.label.lower() for s in (state.preparer, state.reviewer) if s is not None and s.stale)


def changed_columns() -> list[Column[ChangedSinceReview]]:
    return [
        Column("Item", lambda c: c.state.item.ref),
        Column("Kind", lambda c: c.state.item.item_type.label),
        Column("Preparer", lambda c: signed_text(c.state.preparer)),
        Column("Reviewer", lambda c: signed_text(c.state.reviewer)),
        Column("Sign-off no longer matching", _stale_roles),
        Column("Changes since", lambda c: len(c.changes)),
    ]


class ChangedSinceReviewView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Changed since review"))
        self.summary = note()
        layout.addWidget(self.summary)
        self.items = RowTableModel[ChangedSinceReview](
            changed_columns(), key=lambda c: (c.state.item.item_type, c.state.item.key)
        )
        self.item_table = make_table(self.items, stretch=4)
        self.item_table.activated.connect(lambda index: self.open_item(self.items.row(index)))
        self.item_table.selectionModel().currentRowChanged.connect(lambda _current, _previous: self._show_changes())
        self.changes = history_model()
        self.change_table = make_table(self.changes, stretch=2, row_lines=2)
        lower = QWidget()
        column = QVBoxLayout(lower)
        column.setContentsMargins(0, 0, 0, 0)
        self.changes_title = note()
        column.addWidget(self.changes_title)
        column.addWidget(self.change_table)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.item_table)
        split.addWidget(lower)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)

    def load(self) -> None:
        self.ctx.read("Loading the items changed since review", load_changed_page, self._show)

    def _show(self, page: ChangedPage) -> None:
        count = len(page.items)
        self.summary.setText(
            f"{count} item(s) changed after they were signed. Select one to see what changed since; "
            "Enter or a double-click opens it, and signing it again takes it off this list."
            if count
            else "Nothing has changed since it was signed."
        )
        self.items.set_rows(page.items)
        if count and not selected_rows(self.item_table):
            self.item_table.selectRow(0)
        self._show_changes()

    def _selected(self) -> ChangedSinceReview | None:
        rows = selected_rows(self.item_table)
        return self.items.rows[rows[0]] if rows and rows[0] < len(self.items.rows) else None

    def _show_changes(self) -> None:
        chosen = self._selected()
        self.changes.set_rows(chosen.changes if chosen else [])
        self.changes_title.setText(
            f"<b>What changed in {chosen.state.item.ref} since it was signed</b> (newest first)" if chosen else ""
        )

    def open_item(self, found: ChangedSinceReview) -> None:
        self.ctx.open(item_target(found.state.item.item_type, found.state.item.key))
