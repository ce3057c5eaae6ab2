"""Pick several things by reference from a list too long to scan: type to narrow it, tick what applies.

Used for the requirements a finding is raised against, the deviations a conclusion or a finding cites and the
controls that compensate. What is ticked stays ticked while the list is narrowed, and the line under the list
names everything ticked, so nothing chosen is hidden by the filter.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from app.pages.choices import Choice

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
REF_ROLE = Qt.ItemDataRole.UserRole + 2


class PickList(QWidget):
    """A filter line over a list of checkable choices; `changed` fires when the user ticks or unticks one."""

    changed = Signal()

    def __init__(self, placeholder: str, rows: int = 5, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(placeholder)
        self.filter.setClearButtonEnabled(True)
        self.items = QStandardItemModel(self)
        self.shown = QSortFilterProxyModel(self)
        self.shown.setSourceModel(self.items)
        self.shown.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.list = QListView()
        self.list.setModel(self.shown)
        self.list.setUniformItemSizes(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.rows = rows
        self.list.setFixedHeight(rows * (self.fontMetrics().lineSpacing() + 3) + 6)
        self.loading = False
        self.offered: list[Choice[Any]] = []
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.summary)
        self.setFocusProxy(self.filter)
        self.filter.textChanged.connect(self.shown.setFilterFixedString)
        self.filter.returnPressed.connect(self._to_list)
        self.items.itemChanged.connect(self._ticked)

    def set_choices(self, choices: Sequence[Choice[Any]], chosen: Collection[Any]) -> None:
        """Offer `choices` with the keys `chosen` ticked (no `changed`: this is what is stored).

        The same choices again (a reload after a save) only update the ticks: the items stay, and with them
        the place in the list (and a tick being handled, when the save was made as the user ticked).
        """
        self.loading = True  # the model's own signals must flow: the filter proxy follows them
        try:
            if list(choices) != self.offered:
                self.offered = list(choices)
                self.items.clear()
                for choice in choices:
                    self.items.appendRow(_item(choice))
            for item in self._all():
                ticked = item.data(KEY_ROLE) in chosen
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        finally:
            self.loading = False
        if self.items.rowCount():  # exactly `rows` rows high, now that a row can be measured
            self.list.setFixedHeight(self.rows * self.list.sizeHintForRow(0) + 2 * self.list.frameWidth())
        self._summarise()

    def _all(self) -> list[QStandardItem]:
        return [self.items.item(row) for row in range(self.items.rowCount())]

    def chosen(self) -> list[Any]:
        """The keys ticked, in the list's order."""
        return [item.data(KEY_ROLE) for item in self._all() if item.checkState() == Qt.CheckState.Checked]

    def chosen_refs(self) -> list[str]:
        return [item.data(REF_ROLE) for item in self._all() if item.checkState() == Qt.CheckState.Checked]

    def refs(self) -> list[str]:
        """Every reference offered, in the list's order."""
        return [item.data(REF_ROLE) for item in self._all()]

    def tick(self, ref: str, on: bool = True) -> None:
        """Tick (or untick) a choice by its reference, as the user would."""
        item = next(item for item in self._all() if item.data(REF_ROLE) == ref)
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _ticked(self, _item: QStandardItem) -> None:
        if self.loading:
            return
        self._summarise()
        self.changed.emit()

    def _summarise(self) -> None:
        refs = self.chosen_refs()
        self.summary.setText(f"Chosen: {', '.join(refs)}" if refs else "None chosen.")

    def _to_list(self) -> None:
        self.list.setFocus()
        if not self.list.currentIndex().isValid() and self.shown.rowCount():
            self.list.setCurrentIndex(self.shown.index(0, 0))


def _item(choice: Choice[Any]) -> QStandardItem:
    item = QStandardItem(f"{choice.ref}  {choice.label}" if choice.label else choice.ref)
    item.setData(choice.key, KEY_ROLE)
    item.setData(choice.ref, REF_ROLE)
    item.setToolTip(choice.label)
    item.setEditable(False)
    item.setCheckable(True)
    if choice.near:
        font = QFont(item.font())
        font.setBold(True)
        item.setFont(font)
    return item
