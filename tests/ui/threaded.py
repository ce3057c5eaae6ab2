"""Driving the app on its real worker thread: the window as the user starts it, and work held at a checkpoint.

The other UI tests run operations inline (`Runner(synchronous=True)`), which is quicker to read but never meets
the thread, the progress dialog, Cancel or a bug raised in the background. These helpers wait for the worker by
what the user would see (`qtbot.waitUntil`), never by sleeping, with timeouts generous enough for a loaded machine.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtWidgets import QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from fieldwork.ui.main_window import MainWindow
from fieldwork.ui.operations import Operation

#: How long a test waits for the worker before it fails: far beyond any real wait, even on a busy machine.
PATIENCE_MS = 60_000


def settle(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until every queued operation has run and handed its result back to the GUI thread."""
    qtbot.waitUntil(lambda: not window.runner.pending, timeout=PATIENCE_MS)


def open_file(qtbot: QtBot, window: MainWindow, path: Path) -> None:
    """Open `path` as the start screen's recent list does, and wait until the navigator shows the engagement."""
    window.opener.open_path(path)
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=PATIENCE_MS)
    settle(qtbot, window)
    assert window.workspace is not None and window.workspace.model.rowCount() > 0


def only_operation(window: MainWindow) -> Operation:
    [operation] = window.runner.pending
    return operation


def progress_dialog(qtbot: QtBot, window: MainWindow) -> QProgressDialog:
    """The progress dialog of the one operation running, once it has appeared (after its delay)."""
    qtbot.waitUntil(lambda: any(op.dialog is not None for op in window.runner.pending), timeout=PATIENCE_MS)
    dialog = only_operation(window).dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=PATIENCE_MS)
    return dialog


def press_cancel(dialog: QProgressDialog) -> None:
    """Click the progress dialog's Cancel button, as the user does."""
    [cancel] = dialog.findChildren(QPushButton)
    assert cancel.text() == "Cancel"
    cancel.click()


def progress_shown(window: MainWindow) -> bool:
    """Whether a progress dialog is on screen (a finished one is gone: hidden, then deleted)."""
    return any(dialog.isVisible() for dialog in window.findChildren(QProgressDialog))


class Turnstile:
    """Holds work on the worker thread at each checkpoint until the test lets it through, one at a time.

    The work waits with a timeout, so a test that never lets it go fails instead of hanging the suite.
    """

    def __init__(self) -> None:
        self.permits = threading.Semaphore(0)
        self.waiting = threading.Event()

    def checkpoint(self) -> None:
        """Called on the worker: wait here for the test."""
        self.waiting.set()
        if not self.permits.acquire(timeout=PATIENCE_MS / 1000):
            raise TimeoutError("the test never let the work go on")

    def let_through(self, count: int = 1) -> None:
        self.permits.release(count)
