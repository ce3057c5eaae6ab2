"""Edit > Undo and Redo: this session's changes, written back through the history (`app.services.undo`)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from fieldwork.app.engagement import Engagement
from fieldwork.app.services import undo as undo_service
from fieldwork.app.services.undo import Step, UndoState
from fieldwork.ui.context import UiContext
from fieldwork.ui.widgets import flush_edits
from fieldwork.ui.workspace import Workspace


class UndoActions(QObject):
    """The two actions, named for what they would do ("Undo editing control C-004"), kept current after
    every change; each undo or redo is one action that every page then shows."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.undo = QAction("&Undo", parent)
        self.undo.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.redo = QAction("&Redo", parent)
        self.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.undo.triggered.connect(lambda _checked=False: self._reverse(undo_service.undo, "Undone"))
        self.redo.triggered.connect(lambda _checked=False: self._reverse(undo_service.redo, "Redone"))
        self.workspace: Workspace | None = None
        self.since = 0
        self.show(UndoState(None, None))

    @property
    def ctx(self) -> UiContext | None:
        return self.workspace.ctx if self.workspace is not None else None

    def attach(self, workspace: Workspace | None) -> None:
        """Follow an opened workspace (None when closed): what it may undo begins now."""
        self.workspace = workspace
        self.show(UndoState(None, None))
        if workspace is not None:
            self.since = undo_service.session_start(workspace.ctx.db)
            workspace.ctx.changed.connect(self.refresh)

    def refresh(self) -> None:
        ctx, since = self.ctx, self.since
        if ctx is not None:
            ctx.read("Undo", lambda db: undo_service.undo_state(db, since), self.show)

    def show(self, state: UndoState) -> None:
        for action, step, word in ((self.undo, state.undo, "&Undo"), (self.redo, state.redo, "&Redo")):
            action.setEnabled(step is not None)
            action.setText(f"{word} {step.summary}" if step is not None else word)

    def _reverse(self, work: Callable[[Engagement, int], Step], done: str) -> None:
        ctx, since = self.ctx, self.since
        if ctx is None or self.workspace is None:
            return
        flush_edits(self.workspace)  # an edit still in a field is a change of its own, undone first
        ctx.write(done, lambda db: work(db, since), lambda step: ctx.runner.status(f"{done}: {step.summary}."))
