"""What every view needs: the open file, the operation runner, and the "changes happened" signal.

`changed` carries what the action changed (`app.domain.changed.Changed`), collected from the history entries the
services' writes record, so the workspace reloads only what shows it; it is emitted once per action that changed
something, and not at all for work that changed nothing (an export, a verification, a preview).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from fieldwork.app.domain.changed import Changed
from fieldwork.app.domain.targets import Page, Target
from fieldwork.app.engagement import Engagement
from fieldwork.app.services.history import recorded
from fieldwork.app.tasks import Task
from fieldwork.ui.operations import Operation, Runner

T = TypeVar("T")
#: What the pages open, named here too because every view deals in them.
__all__ = ["Page", "Target", "UiContext"]


class UiContext(QObject):
    changed = Signal(Changed)
    navigate = Signal(object)

    def __init__(self, db: Engagement, runner: Runner) -> None:
        super().__init__()
        self.db = db
        self.runner = runner

    def read(self, label: str, work: Callable[[Engagement], T], on_done: Callable[[T], None]) -> Operation:
        """Load data for a view off the GUI thread."""
        db = self.db
        return self.runner.run(label, lambda task: work(db), on_done)

    def write(
        self,
        label: str,
        work: Callable[[Engagement], T],
        on_done: Callable[[T], None] | None = None,
        *,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Operation:
        """Save one user action; what shows what it changed refreshes once it is committed."""
        db = self.db

        def finished(outcome: tuple[T, Changed]) -> None:
            result, changed = outcome
            if on_done is not None:
                on_done(result)
            self.runner.status(f"Saved: {label}.")
            self.announce(changed)

        return self.runner.run(label, lambda task: recorded(lambda: work(db)), finished, on_error=on_error)

    def long(
        self, label: str, work: Callable[[Engagement, Task], T], on_done: Callable[[T], None] | None = None
    ) -> Operation:
        """Long work (imports, exports, verification) with a progress dialog and Cancel.

        Views refresh afterwards, as after any write, when it changed the file (an import or a draw does).
        """
        db = self.db

        def finished(outcome: tuple[T, Changed]) -> None:
            result, changed = outcome
            if on_done is not None:
                on_done(result)
            self.announce(changed)

        return self.runner.run(label, lambda task: recorded(lambda: work(db, task)), finished, progress=True)

    def announce(self, changed: Changed) -> None:
        """Tell the views what an action changed (nothing, when it changed nothing)."""
        if changed:
            self.changed.emit(changed)

    def open(self, target: Target) -> None:
        self.navigate.emit(target)
