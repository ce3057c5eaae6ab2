"""The navigator's item model: a thin adapter over a tree of plain `Node`s."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from ui.models.navigator_tree import Node
from ui.status_style import colour, icon

Index = QModelIndex | QPersistentModelIndex
NODE_ROLE = Qt.ItemDataRole.UserRole + 2
COLUMNS = ("Item", "Concluded")
SELECTABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class NavigatorModel(QAbstractItemModel):
    def __init__(self) -> None:
        super().__init__()
        self.root = Node("root")

    def set_root(self, root: Node) -> None:
        self.beginResetModel()
        self.root = root
        self.endResetModel()

    def index_of(self, node: Node) -> QModelIndex:
        """The index of a node of the current tree (pure bookkeeping, no search)."""
        if node is self.root or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    def node(self, index: Index) -> Node:
        if not index.isValid():
            return self.root
        found: Node = index.internalPointer()
        return found

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        owner = self.node(parent)
        if not (0 <= row < len(owner.children)) or not (0 <= column < len(COLUMNS)):
            return QModelIndex()
        return self.createIndex(row, column, owner.children[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        owner = self.node(index).parent
        if owner is None or owner is self.root:
            return QModelIndex()
        return self.createIndex(owner.row, 0, owner)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.node(parent).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 2:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self.node(index)
        if role == NODE_ROLE:
            return node
        if role == Qt.ItemDataRole.DisplayRole:
            return node.label if index.column() == 0 else node.progress
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0 and node.status is not None:
            return icon(node.status)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1 and node.status is not None:
            return colour(node.status)
        if role == Qt.ItemDataRole.ToolTipRole and node.status is not None:
            counts = node.counts
            detail = ""
            if counts is not None:
                detail = (
                    f"\n{counts.concluded} concluded, {counts.in_progress} in progress, "
                    f"{counts.exceptions} with exceptions, {counts.not_started} not started"
                )
            return f"{node.label}\nStatus: {node.status.label}{detail}"
        if role == Qt.ItemDataRole.FontRole and node.target is None:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return SELECTABLE if index.isValid() else Qt.ItemFlag.NoItemFlags
