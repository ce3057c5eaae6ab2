"""Progress and cancellation for long work, without Qt.

Long operations (evidence import, exports, verification) take a `Task`; the UI's worker
thread passes one wired to its progress dialog, the command line one that prints, and
tests a plain one. Cancelling raises `Cancelled` at the next checkpoint, inside the
operation's transaction, so nothing half-done is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

ProgressCallback = Callable[[int, int, str], None]


class Cancelled(Exception):
    """The user cancelled; the operation rolled back whatever it had started."""


class Task:
    def __init__(self, on_progress: ProgressCallback | None = None) -> None:
        self._on_progress = on_progress
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def progress(self, done: int, total: int, label: str = "") -> None:
        """Report progress and stop here if the user has cancelled."""
        if self._cancel.is_set():
            raise Cancelled()
        if self._on_progress is not None:
            self._on_progress(done, total, label)
