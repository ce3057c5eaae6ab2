"""Cell editors for table views: a choice from a vocabulary, and a date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from PySide6.QtCore import QAbstractItemModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QDateEdit, QLineEdit, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from fieldwork.app.domain.vocabulary import Labelled

Index = QModelIndex | QPersistentModelIndex


class ChoiceDelegate(QStyledItemDelegate):
    """Edits a cell with a combo box over a vocabulary (plus an optional "none" entry).

    The model's EditRole gives the current member (or None); setData receives the chosen one.
    """

    def __init__(self, choices: Iterable[Labelled], none_label: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.entries: list[tuple[str, Labelled | None]] = ([(none_label, None)] if none_label is not None else []) + [
            (member.label, member) for member in choices
        ]

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QComboBox(parent)
        for label, member in self.entries:
            editor.addItem(label, member)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        current = index.data(Qt.ItemDataRole.EditRole)
        editor.setCurrentIndex(max(editor.findData(current), 0))
        editor.showPopup()

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class DateDelegate(QStyledItemDelegate):
    """Edits a date cell (EditRole gives a `date` or None) with a calendar popup."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QDateEdit(parent)
        editor.setCalendarPopup(True)
        editor.setDisplayFormat("yyyy-MM-dd")
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QDateEdit)
        value = index.data(Qt.ItemDataRole.EditRole)
        editor.setDate(QDate(value.year, value.month, value.day) if isinstance(value, date) else QDate.currentDate())

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, QDateEdit)
        model.setData(index, editor.date().toPython(), Qt.ItemDataRole.EditRole)


class HintDelegate(QStyledItemDelegate):
    """Edits text in a line whose placeholder says what to type (an empty cell opened for the user)."""

    def __init__(self, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = hint

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = super().createEditor(parent, option, index)
        if isinstance(editor, QLineEdit):
            editor.setPlaceholderText(self.hint)
        return editor
