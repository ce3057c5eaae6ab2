"""What pages edited in place share: a line saying why an edit was refused, a question before a delete."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from fieldwork.app.domain.vocabulary import Status
from fieldwork.ui.status_style import colour


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


class SavesInFlight:
    """The saves a panel has asked for and not yet heard back from.

    Every save reloads the pages. A reload read before the panel's latest save would put back what the user
    has just changed (a second tick undone, then lost by the next save), so a panel keeps its fields while
    its saves are in flight; the reload after the last of them shows what is stored.
    """

    def __init__(self) -> None:
        self.count = 0

    def started(self) -> None:
        self.count += 1

    def finished(self, _result: object = None) -> None:
        self.count = max(self.count - 1, 0)

    @property
    def busy(self) -> bool:
        return self.count > 0
