"""Choose which records link to an item: a checklist with a filter, the current links ticked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from fieldwork.app.pages.ai_systems import Choice
from fieldwork.ui.dialogs.foot import dialog_foot
from fieldwork.ui.widgets import note

KEY = Qt.ItemDataRole.UserRole


class ChooseLinksDialog(QDialog):
    def __init__(
        self, title: str, hint: str, choices: Sequence[Choice], ticked: Iterable[UUID], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        wanted = set(ticked)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by reference or title")
        self.filter.setClearButtonEnabled(True)
        self.list = QListWidget()
        for choice in choices:
            item = QListWidgetItem(choice.label)
            item.setData(KEY, choice.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if choice.id in wanted else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.filter.textChanged.connect(self._narrow)
        layout = QVBoxLayout(self)
        layout.addWidget(note(hint))
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        self.error, _ = dialog_foot(self, layout.addWidget, self.accept)
        self.resize(640, 560)

    def _narrow(self, text: str) -> None:
        words = text.casefold().split()
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setHidden(not all(word in item.text().casefold() for word in words))

    def chosen(self) -> list[UUID]:
        """The ticked records, in the order offered (hidden ones by the filter included)."""
        items = (self.list.item(row) for row in range(self.list.count()))
        return [item.data(KEY) for item in items if item.checkState() == Qt.CheckState.Checked]
