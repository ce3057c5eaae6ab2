"""Pick several things by reference from a list too long to scan: type to narrow it, tick what applies.

Used for the requirements a finding is raised against, the deviations a conclusion or a finding cites and the
controls that compensate. What is ticked stays ticked while the list is narrowed, and the line under the list
names everything ticked, so nothing chosen is hidden by the filter. The list's model holds the choices as they
were read and the keys ticked, so offering a thousand controls costs the screen nothing per row.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from fieldwork.app.pages.choices import Choice

Index = QModelIndex | QPersistentModelIndex


class ChoiceModel(QAbstractListModel):
    """Choices with a tick each; `toggled` fires when the user ticks or unticks one."""

    toggled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices: list[Choice[Any]] = []
        self.ticked: set[Any] = set()
        self.bold = QFont()
        self.bold.setBold(True)

    def offer(self, choices: Sequence[Choice[Any]], chosen: Collection[Any]) -> None:
        """Show `choices` with `chosen` ticked; the same choices again only change the ticks."""
        if list(choices) != self.choices:
            self.beginResetModel()
            self.choices, self.ticked = list(choices), set(chosen)
            self.endResetModel()
        elif set(chosen) != self.ticked:
            self.ticked = set(chosen)
            self.dataChanged.emit(self.index(0), self.index(len(self.choices) - 1), [Qt.ItemDataRole.CheckStateRole])

    def chosen(self) -> list[Choice[Any]]:
        return [c for c in self.choices if c.key in self.ticked]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.choices)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.choices):
            return None
        choice = self.choices[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{choice.ref}  {choice.label}" if choice.label else choice.ref
        if role == Qt.ItemDataRole.ToolTipRole:
            return choice.label or None
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if choice.key in self.ticked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.FontRole and choice.near:
            return self.bold
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        key = self.choices[index.row()].key
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.ticked.add(key)
        else:
            self.ticked.discard(key)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.toggled.emit()
        return True


class PickList(QWidget):
    """A filter line over a list of checkable choices; `changed` fires when the user ticks or unticks one."""

    changed = Signal()

    def __init__(self, placeholder: str, rows: int = 5, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(placeholder)
        self.filter.setClearButtonEnabled(True)
        self.items = ChoiceModel(self)
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
        self.items.toggled.connect(self._toggled)

    def set_choices(self, choices: Sequence[Choice[Any]], chosen: Collection[Any]) -> None:
        """Offer `choices` with the keys `chosen` ticked (no `changed`: this is what is stored)."""
        self.items.offer(choices, chosen)
        if self.items.rowCount():  # exactly `rows` rows high, now that a row can be measured
            self.list.setFixedHeight(self.rows * self.list.sizeHintForRow(0) + 2 * self.list.frameWidth())
        self._summarise()

    def chosen(self) -> list[Any]:
        """The keys ticked, in the list's order."""
        return [c.key for c in self.items.chosen()]

    def chosen_refs(self) -> list[str]:
        return [c.ref for c in self.items.chosen()]

    def refs(self) -> list[str]:
        """Every reference offered, in the list's order."""
        return [c.ref for c in self.items.choices]

    def tick(self, ref: str, on: bool = True) -> None:
        """Tick (or untick) a choice by its reference, as the user would."""
        row = self.refs().index(ref)
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        self.items.setData(self.items.index(row), state, Qt.ItemDataRole.CheckStateRole)

    def _toggled(self) -> None:
        self._summarise()
        self.changed.emit()

    def _summarise(self) -> None:
        refs = self.chosen_refs()
        self.summary.setText(f"Chosen: {', '.join(refs)}" if refs else "None chosen.")

    def _to_list(self) -> None:
        self.list.setFocus()
        if not self.list.currentIndex().isValid() and self.shown.rowCount():
            self.list.setCurrentIndex(self.shown.index(0, 0))
