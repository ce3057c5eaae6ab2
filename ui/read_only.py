"""A finalized engagement offers no edits: the fields of a page become read-only and its buttons unavailable.

The services refuse every change after finalizing anyway (`Changes`); this keeps the app from offering what would
be refused. Widgets that only read (a filter, "Open the item", an item's history) carry the property `reads`.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractProxyModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from fieldwork.ui.models.table import RowTableModel
from fieldwork.ui.pick_list import PickList

#: Where a table's own edit triggers are kept while it is locked.
TRIGGERS = "editTriggersWhenEditable"


def reads(widget: QWidget) -> QWidget:
    """Mark a widget that only reads, so locking a finalized file leaves it working."""
    widget.setProperty("reads", True)
    return widget


def set_editable(root: QWidget, editable: bool) -> None:
    for widget in root.findChildren(QWidget):
        if widget.property("reads") or _inside_reader(widget, root):
            continue
        if isinstance(widget, QLineEdit | QPlainTextEdit | QAbstractSpinBox):
            widget.setReadOnly(not editable)
        elif isinstance(widget, QPushButton | QCheckBox | QComboBox | PickList):
            widget.setEnabled(editable)
        elif isinstance(widget, QAbstractItemView):
            _lock_table(widget, editable)


def _inside_reader(widget: QWidget, root: QWidget) -> bool:
    """Part of a widget that only reads (a combo box's own line edit, say)."""
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if parent.property("reads"):
            return True
        parent = parent.parentWidget()
    return False


def _lock_table(table: QAbstractItemView, editable: bool) -> None:
    model = table.model()
    while isinstance(model, QAbstractProxyModel):
        model = model.sourceModel()
    if isinstance(model, RowTableModel):
        model.locked = not editable
    kept = table.property(TRIGGERS)
    if not editable and kept is None:
        table.setProperty(TRIGGERS, int(table.editTriggers().value))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    elif editable and kept is not None:
        table.setEditTriggers(QAbstractItemView.EditTrigger(kept))
        table.setProperty(TRIGGERS, None)
