"""What every view needs: the open file, the operation runner, and the "changes happened" signal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from PySide6.QtCore import QObject, Signal

from app.engagement import Engagement
from app.tasks import Task
from ui.operations import Operation, Runner

T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    """Something the user can open: a requirement by code, a control or test by id, or a page."""

    kind: str
    key: str | UUID | None = None


class UiContext(QObject):
    changed = Signal()
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
        """Save one user action; every view refreshes once it is committed."""
        db = self.db

        def finished(result: Any) -> None:
            if on_done is not None:
                on_done(result)
            self.runner.status(f"Saved: {label}.")
            self.changed.emit()

        return self.runner.run(label, lambda task: work(db), finished, on_error=on_error)

    def long(
        self, label: str, work: Callable[[Engagement, Task], T], on_done: Callable[[T], None] | None = None
    ) -> Operation:
        """Long work (imports, exports, verification) with a progress dialog and Cancel.

        Views refresh afterwards, as after any write (an import or a draw changes the file).
        """
        db = self.db

        def finished(result: T) -> None:
            if on_done is not None:
                on_done(result)
            self.changed.emit()

        return self.runner.run(label, lambda task: work(db, task), finished, progress=True)

    def open(self, target: Target) -> None:
        self.navigate.emit(target)
