"""Writing a review note or its response: one text, saved through the service, refused in the dialog's foot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from fieldwork.app.engagement import Engagement
from fieldwork.app.pages.review import resolve_named
from fieldwork.app.services import review_notes
from fieldwork.app.services.signables import ItemType
from fieldwork.ui.context import UiContext
from fieldwork.ui.dialogs.saving import SavingDialog


class NoteDialog(SavingDialog):
    """A note raised on an item, or the response to one. Without an item, the user names it (C-001, DC4, ...)."""

    def __init__(
        self,
        ctx: UiContext,
        title: str,
        prompt: str,
        work: Callable[[str, str], tuple[str, Callable[[Engagement], Any]]],
        *,
        ask_item: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.work = work
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        self.item = QLineEdit()
        self.item.setPlaceholderText("C-001, C-001.T2, F-001, CC6.1, A.6.2.5, DC4 or opinion")
        if ask_item:
            label = QLabel("&Item the note is on")
            label.setBuddy(self.item)
            layout.addWidget(label)
            layout.addWidget(self.item)
        label = QLabel(prompt)
        label.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        label.setBuddy(self.text)
        layout.addWidget(label)
        layout.addWidget(self.text, 1)
        self.add_foot(layout.addWidget)
        self.resize(520, 280)

    def change(self) -> tuple[str, Callable[[Engagement], Any]]:
        return self.work(self.item.text(), self.text.toPlainText())


def raising_on(item_type: ItemType, key: str, ref: str) -> Callable[[str, str], tuple[str, Callable[..., Any]]]:
    return lambda _item, text: (
        f"Review note on {ref}",
        lambda db: review_notes.raise_note(db, item_type, key, text),
    )


def raising_on_named(item: str, text: str) -> tuple[str, Callable[..., Any]]:
    """A note on the item the user named in the dialog."""
    return "Review note", lambda db: review_notes.raise_note(db, *resolve_named(db, item), text)


def responding_to(ref: str) -> Callable[[str, str], tuple[str, Callable[..., Any]]]:
    return lambda _item, text: (f"Response to {ref}", lambda db: review_notes.respond(db, ref, text))
