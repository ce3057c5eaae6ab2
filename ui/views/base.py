"""What every workspace page does: show a target, reload when the engagement changes."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from fieldwork.app.domain.changed import EVERYTHING, Changed
from fieldwork.ui.context import Target, UiContext
from fieldwork.ui.widgets import flush_edits


class DetailView(QWidget):
    """A page of the workspace. Subclasses implement `load()` for `self.target`.

    `shows` names the kinds of record the page shows, so it reloads only when one of them changed; None (the
    default) is a page that shows a little of everything (the dashboard) and reloads after any change.
    """

    shows: frozenset[str] | None = None

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.target: Target | None = None

    def show_target(self, target: Target) -> None:
        if self.target is not None and self.target != target:
            flush_edits(self)
        self.target = target
        self.load()

    def refresh(self, changed: Changed = EVERYTHING) -> None:
        """Reload when shown and something it shows changed (a hidden page loads when it is shown)."""
        if self.target is not None and self.isVisible() and (self.shows is None or changed.touches(self.shows)):
            self.load()

    def load(self) -> None:
        raise NotImplementedError
