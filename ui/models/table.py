"""A table model over a list of plain records, described by its columns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QIcon

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column(Generic[R]):
    title: str
    value: Callable[[R], Any]
    edit: Callable[[R, Any], None] | None = None
    icon: Callable[[R], QIcon | None] | None = None
    tooltip: Callable[[R], str] | None = None
    check: Callable[[R], bool] | None = None  # a checkbox column (edit receives a bool)
    edit_value: Callable[[R], Any] | None = None  # what an editor starts from, when it differs from the display
    width: int | None = None
    sort: Callable[[R], int | str] | None = None  # sorts as people expect (a severity rank, an ISO date)

    def text(self, record: R) -> str:
        """The text a cell shows for `record` (what the model shows, sorts by and sizes the column to)."""
        value = self.value(record)
        return "" if value is None else str(value)


class RowTableModel(QAbstractTableModel, Generic[R]):
    """Rows keep their identity (`key`), so a refresh with the same rows keeps the selection."""

    def __init__(
        self,
        columns: Sequence[Column[R]],
        key: Callable[[R], Any] = id,
        highlight: Callable[[R], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.columns = list(columns)
        self.key = key
        self.highlight = highlight
        self.rows: list[R] = []
        #: A finalized engagement: no cell is editable or checkable (a click on a checkbox would toggle it even
        #: with the view's edit triggers off).
        self.locked = False
        #: The column and order the rows are kept in (`sort`), or None for the order given.
        self.sorting: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: Sequence[R]) -> None:
        """Show `rows` (in the order `sort` keeps): the same rows again (a refresh after a write elsewhere) only
        repaint those that differ."""
        new = self._in_order(rows)
        if [self.key(r) for r in new] == [self.key(r) for r in self.rows] and new:
            old, self.rows = self.rows, new
            for first, last in _runs(n for n, (was, now) in enumerate(zip(old, new, strict=True)) if was != now):
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))
            return
        self.beginResetModel()
        self.rows = new
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Keep the rows in `column`'s order: Python sorts them once by a key (a proxy's own sort has Qt ask Python
        to compare each pair: 100s of ms for a `--scale 20` list). Selections follow their rows."""
        self.sorting = (column, order) if 0 <= column < len(self.columns) else None
        self.layoutAboutToBeChanged.emit()
        kept = self.persistentIndexList()
        keys = [self.key(self.rows[index.row()]) for index in kept]
        self.rows = self._in_order(self.rows)
        where = {self.key(r): n for n, r in enumerate(self.rows)}
        self.changePersistentIndexList(
            kept, [self.index(where[k], i.column()) for k, i in zip(keys, kept, strict=True)]
        )
        self.layoutChanged.emit()

    def _in_order(self, rows: Sequence[R]) -> list[R]:
        if self.sorting is None:
            return list(rows)
        number, order = self.sorting
        column = self.columns[number]
        return sorted(rows, key=lambda r: _sort_key(column, r), reverse=order == Qt.SortOrder.DescendingOrder)

    def row(self, index: Index) -> R:
        return self.rows[index.row()]

    def row_of(self, key: Any) -> int:
        return next((i for i, r in enumerate(self.rows) if self.key(r) == key), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        titles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)  # the tooltip: a title cut short
        if orientation == Qt.Orientation.Horizontal and role in titles:
            return self.columns[section].title if 0 <= section < len(self.columns) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            not index.isValid()
            or not (0 <= index.row() < len(self.rows))
            or not (0 <= index.column() < len(self.columns))
        ):
            return None
        record, column = self.rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return None if column.check is not None else column.text(record)
        if role == Qt.ItemDataRole.EditRole:
            return (column.edit_value or column.value)(record)
        if role == Qt.ItemDataRole.CheckStateRole and column.check is not None:
            return Qt.CheckState.Checked if column.check(record) else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DecorationRole and column.icon is not None:
            return column.icon(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(record) if column.tooltip else None
        if role == Qt.ItemDataRole.BackgroundRole and self.highlight is not None:
            shade = self.highlight(record)
            return QBrush(QColor(shade)) if shade else None
        if role == ROW_ROLE:
            return record
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        column = self.columns[index.column()]
        if column.edit is not None and not self.locked:
            flags |= Qt.ItemFlag.ItemIsUserCheckable if column.check is not None else Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        column = self.columns[index.column()]
        if column.edit is None:
            return False
        if role == Qt.ItemDataRole.CheckStateRole and column.check is not None:
            column.edit(self.rows[index.row()], Qt.CheckState(value) == Qt.CheckState.Checked)
            return True
        if role == Qt.ItemDataRole.EditRole and column.check is None:
            column.edit(self.rows[index.row()], value)
            return True
        return False


def _runs(numbers: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Ascending numbers as (first, last) runs of consecutive ones: 1, 2, 3, 7 -> (1, 3), (7, 7)."""
    for _step, run in groupby(enumerate(numbers), key=lambda pair: pair[1] - pair[0]):
        found = [number for _position, number in run]
        yield found[0], found[-1]


def _sort_key(column: Column[R], record: R) -> Any:
    """What a column sorts by: its `sort`, else whether it is ticked, else the text shown."""
    if column.sort is not None:
        return column.sort(record)
    if column.check is not None:
        return column.check(record)
    return column.text(record)


class RowFilter(QSortFilterProxyModel):
    """A proxy over a `RowTableModel` that filters (`filterAcceptsRow`) and leaves sorting to the model's own
    `sort`, so a header click or a refresh never has Qt ask Python to compare rows pair by pair."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if isinstance(source, RowTableModel):
            source.sort(column, order)
