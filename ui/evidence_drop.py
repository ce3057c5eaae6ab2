"""Files dragged from the operating system's file manager onto a page, a table or one of its rows.

One event filter serves every drop target, so they all accept the same things: local files only (a link
dragged from a browser is not evidence until it is downloaded). The callback runs after the drop has
returned, because on some platforms the file manager waits, frozen, until the drop event is handled, and
the callback asks questions in a dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelectionModel, QMimeData, QObject, Qt, QTimer
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QAbstractScrollArea, QLineEdit, QPlainTextEdit, QTableView, QTextEdit, QWidget

DropCallback = Callable[[list[Path], int], None]


def local_files(mime: QMimeData | None) -> list[Path]:
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def _text_fields(widget: QWidget) -> list[QWidget]:
    edits: list[QAbstractScrollArea] = [*widget.findChildren(QPlainTextEdit), *widget.findChildren(QTextEdit)]
    return [*widget.findChildren(QLineEdit), *(edit.viewport() for edit in edits)]


class FileDrop(QObject):
    """Accepts local files dropped on `widget` and hands their paths to `on_drop(paths, row)`.

    On a table the files go to a row: the row under the pointer is selected while they are dragged, so the
    user sees where they will go, and `row` is the one they were dropped on (-1 below the last row; always
    -1 elsewhere).
    """

    def __init__(self, widget: QWidget, on_drop: DropCallback) -> None:
        super().__init__(widget)
        self.on_drop = on_drop
        self.table = widget if isinstance(widget, QTableView) else None
        area = self.table.viewport() if self.table is not None else widget
        area.setAcceptDrops(True)
        area.installEventFilter(self)
        if self.table is None:
            # Text fields take drops themselves and would paste the file's path into, say, a description.
            for field in _text_fields(widget):
                field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        assert isinstance(event, QDropEvent)  # drag enter and move events are drop events too
        paths = local_files(event.mimeData())
        if not paths:
            return False
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        row = self.table.rowAt(event.position().toPoint().y()) if self.table is not None else -1
        if kind == QEvent.Type.Drop:
            QTimer.singleShot(0, self, lambda: self.on_drop(paths, row))
        elif self.table is not None and row >= 0:  # selected without scrolling, which would move the row away
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.table.selectionModel().select(self.table.model().index(row, 0), flags)
        return True
