"""What every workspace page does: show a target, reload when the engagement changes."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ui.context import Target, UiContext
from ui.widgets import flush_edits


class DetailView(QWidget):
    """A page of the workspace. Subclasses implement `load()` for `self.target`."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.target: Target | None = None

    def show_target(self, target: Target) -> None:
        if self.target is not None and self.target != target:
            flush_edits(self)
        self.target = target
        self.load()

    def refresh(self) -> None:
        if self.target is not None and self.isVisible():
            self.load()

    def load(self) -> None:
        raise NotImplementedError
