"""Right-click menus on the main lists: what a row offers (open it, copy its reference, ...).

`ContextMenu` is a child of the view it serves, so a test finds it with `view.findChild(ContextMenu)` and
asks for the menu at a row without popping it up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QMenu

MenuItem = tuple[str, Callable[[], object]]
#: The items for the row under the pointer (an invalid index: below the rows).
MenuItems = Callable[[QModelIndex], Sequence[MenuItem]]


class ContextMenu(QObject):
    def __init__(self, view: QAbstractItemView, items: MenuItems) -> None:
        super().__init__(view)
        self.view = view
        self.items = items
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._requested)

    def menu(self, index: QModelIndex) -> QMenu | None:
        """The menu for a row (None when it offers nothing)."""
        offered = self.items(index)
        if not offered:
            return None
        menu = QMenu(self.view)
        for text, slot in offered:
            menu.addAction(text).triggered.connect(lambda _checked=False, slot=slot: slot())
        return menu

    def _requested(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid():
            self.view.setCurrentIndex(index)
        menu = self.menu(index)
        if menu is not None:
            menu.exec(self.view.viewport().mapToGlobal(pos))
            menu.deleteLater()


def copy_text(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


def open_and_copy(index: QModelIndex, open_row: Callable[[], object], reference: Callable[[], str]) -> list[MenuItem]:
    """The usual pair for a row that opens something: Open, and Copy reference."""
    if not index.isValid():
        return []
    return [("Open", open_row), ("Copy reference", lambda: copy_text(reference()))]
