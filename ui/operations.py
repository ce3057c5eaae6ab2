"""Run service calls off the GUI thread, one at a time, and hand the result back by signal.

All database work goes through one worker thread, so operations on the engagement file
are serialised in the order the user asked for them. Progress shows only after a short
delay (no flicker for quick work) and offers Cancel, which the operation sees at its
next `Task.progress` checkpoint.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from fieldwork.app.bug_log import log_bug
from fieldwork.app.errors import FieldworkError
from fieldwork.app.tasks import Cancelled, Task

PROGRESS_DELAY_MS = 600
#: How long a thread keeps the GIL while another waits for it (Python's default: 5 ms). The screen takes the GIL
#: again at every call into Python (each `data()`, each slot) and, while a read runs on the worker, waited up to that
#: long each time: 50-90 ms stalls while the `--scale 20` "changed since review" page was read, 15 ms at 0.5 ms
#: (`benchmarks/gui_stalls.py`). The worker gives way more often only while the screen asks for the GIL.
SWITCH_INTERVAL_S = 0.0005
#: Work reaches the worker after the screen has painted what was asked of it before (Qt posts its repaints at low
#: priority; this comes after them). A page opened paints from Python (every `data()` of every visible cell) and,
#: with a read already running on the worker, each call waited for the GIL: the `--scale 20` control matrix's
#: return visit painted in 30-75 ms beside its own read, 15-20 ms before it.
AFTER_PAINT = Qt.EventPriority.LowEventPriority.value - 1
START_QUEUED = QEvent.Type(QEvent.registerEventType())
#: Qt counts progress in C ints; larger totals (bytes of a multi-gigabyte file) are reported in thousandths.
MAX_COUNT = 2**31 - 1


def _countable(done: int, total: int) -> tuple[int, int]:
    return (done, total) if total <= MAX_COUNT else (done * 1000 // total, 1000)


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)


class _Job(QRunnable):
    def __init__(self, work: Callable[[Task], Any], signals: _Signals, task: Task) -> None:
        super().__init__()
        self.work, self.signals, self.task = work, signals, task
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.work(self.task)
        except BaseException as exc:  # handed to the GUI thread, which decides
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)


class Operation(QObject):
    """One piece of background work; `done` and `error` fire on the GUI thread, then it is freed (a page reloads
    many times a session: kept, every finished operation, its timer and signals would stay until the file closes)."""

    done = Signal(object)
    error = Signal(object)

    def __init__(self, runner: Runner, label: str, show_progress: bool) -> None:
        super().__init__(runner)
        self.runner, self.label, self.show_progress = runner, label, show_progress
        self.handles_errors = False  # True when the caller shows the user's error itself
        self.signals = _Signals()
        self.task = Task(lambda done, total, step: self.signals.progressed.emit(*_countable(done, total), step))
        self.dialog: QProgressDialog | None = None
        self.timer = QTimer(self, singleShot=True, interval=PROGRESS_DELAY_MS)
        self.timer.timeout.connect(self._show_dialog)
        self.signals.succeeded.connect(self._succeeded)
        self.signals.failed.connect(self._failed)
        self.signals.progressed.connect(self._progressed)

    def _show_dialog(self) -> None:
        if not self.show_progress:
            return
        self.dialog = QProgressDialog(self.label, "Cancel", 0, 0, self.runner.parent_widget)
        self.dialog.setWindowTitle("Fieldwork")
        self.dialog.setMinimumDuration(0)
        self.dialog.canceled.connect(self.task.cancel)
        self.dialog.show()

    @Slot(int, int, str)
    def _progressed(self, done: int, total: int, step: str) -> None:
        if self.dialog is not None:
            self.dialog.setMaximum(max(total, 0))
            self.dialog.setValue(min(done, total))
            if step:
                self.dialog.setLabelText(f"{self.label}\n{step}")

    def _finish(self) -> None:
        self.timer.stop()
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.deleteLater()
            self.dialog = None
        self.runner.finished(self)
        self.deleteLater()  # after `done`/`error` have run: a finished operation holds nothing anyone needs

    @Slot(object)
    def _succeeded(self, result: object) -> None:
        self._finish()
        self.done.emit(result)

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, Cancelled):
            self.runner.status(f"{self.label}: cancelled; nothing was changed.")
            return
        if isinstance(exc, FieldworkError):
            self.error.emit(exc)
            if not self.handles_errors:
                self.runner.user_error.emit(exc.message)
            return
        log_bug(exc, "a background operation")
        self.error.emit(exc)
        self.runner.bug.emit(exc)


class Runner(QObject):
    """Queues operations on a single worker thread (or runs them inline for tests)."""

    user_error = Signal(str)
    bug = Signal(object)
    status_message = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent_widget: QWidget | None = None, synchronous: bool = False) -> None:
        super().__init__()
        self.parent_widget = parent_widget
        self.synchronous = synchronous
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        if not synchronous:
            sys.setswitchinterval(SWITCH_INTERVAL_S)  # the screen shares the GIL with the worker's reads
        self.pending: set[Operation] = set()
        self.queued: list[_Job] = []

    def run(
        self,
        label: str,
        work: Callable[[Task], Any],
        on_done: Callable[[Any], None] | None = None,
        *,
        progress: bool = False,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Operation:
        """Start `work(task)` in the background; `on_done(result)` runs on the GUI thread.

        Without `on_error`, a user's error goes to the window's message; with it, the
        caller shows it (once) where it belongs, e.g. beside the field that was refused.
        """
        operation = Operation(self, label, progress)
        if on_done is not None:
            operation.done.connect(on_done)
        if on_error is not None:
            operation.error.connect(on_error)
            operation.handles_errors = True
        self.pending.add(operation)
        self.busy_changed.emit(True)
        job = _Job(work, operation.signals, operation.task)
        if self.synchronous:
            job.run()
        else:
            operation.timer.start()
            self._queue(job)
        return operation

    def _queue(self, job: _Job) -> None:
        """Start `job` on the worker once the screen has painted (`AFTER_PAINT`), in the order asked."""
        if not self.queued:
            QCoreApplication.postEvent(self, QEvent(START_QUEUED), AFTER_PAINT)
        self.queued.append(job)

    def event(self, event: QEvent) -> bool:
        if event.type() == START_QUEUED:
            self._start_queued()
            return True
        return super().event(event)

    def _start_queued(self) -> None:
        queued, self.queued = self.queued, []
        for job in queued:
            self.pool.start(job)

    def finished(self, operation: Operation) -> None:
        self.pending.discard(operation)
        if not self.pending:
            self.busy_changed.emit(False)

    def status(self, message: str) -> None:
        self.status_message.emit(message)

    def wait(self, timeout_ms: int = 30000) -> bool:
        """Block until queued work is done (used when closing, so no edit is lost)."""
        self._start_queued()
        return self.pool.waitForDone(timeout_ms)
