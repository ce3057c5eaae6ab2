"""What pages edited in place share: a line saying why an edit was refused, a question before a delete."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from app.domain.vocabulary import Status
from ui.status_style import colour


class NoteLine(QLabel):
    """A note that takes no room while it has nothing to say, so an empty warning leaves no gap.

    Put it in a layout before giving it text: shown without a parent it would be a window.
    """

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))


def problem_note() -> NoteLine:
    """Why the last edit was refused; it stays after the error dialog is dismissed."""
    line = NoteLine()
    line.setStyleSheet(f"color: {colour(Status.EXCEPTIONS).name()}")
    return line


def confirmed(parent: QWidget, title: str, question: str) -> bool:
    """Whether the user answers yes (asked before a delete)."""
    return QMessageBox.question(parent, title, question) == QMessageBox.StandardButton.Yes
