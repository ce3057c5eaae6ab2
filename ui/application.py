"""Start the desktop app: logging, the crash path, and the first window."""

from __future__ import annotations

import gc
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from fieldwork.app import APP_NAME, __version__
from fieldwork.app.bug_log import log_bug, start_logging
from fieldwork.app.resources import resource_path
from fieldwork.ui.collector import IdleCollector
from fieldwork.ui.main_window import MainWindow


def _install_crash_path() -> None:
    """A bug shows a dialog with the details and is logged; the app keeps running where it can."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(kind, exc, tb))  # shown on screen, never written to disk
        log_bug(exc, "the desktop app")
        box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, "Something went wrong inside Fieldwork.")
        box.setInformativeText("Saved work is safe. The details have been logged.")
        box.setDetailedText(details)
        box.exec()

    sys.excepthook = hook


def run_app(path: Path | None = None, *, demo: bool = False) -> int:
    start_logging()
    existing = QApplication.instance()
    application = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    application.setApplicationName(APP_NAME)
    application.setApplicationVersion(__version__)
    application.setOrganizationName(APP_NAME)
    application.setWindowIcon(QIcon(str(resource_path("icons", "fieldwork.png"))))
    _install_crash_path()
    from fieldwork.app.services.evidence_copies import sweep_private_copies

    sweep_private_copies()
    window = MainWindow()
    window.show()
    IdleCollector(window.runner)
    gc.freeze()  # modules and widgets loaded at start-up stay: spare them every collector pass
    if demo:
        QTimer.singleShot(0, window.opener.open_demo)
    elif path is not None:
        QTimer.singleShot(0, lambda: window.opener.open_path(Path(path)))
    return int(application.exec())
