"""Handing files to the operating system: evidence to its viewer, an export to the program that opens it.

Evidence is opened from a private copy (`open_private_copy`: a folder only this user can enter). The client's
files must not linger in the temporary folder, so every copy handed out is remembered here and removed when
the engagement closes, and at the latest when the app quits. A copy a viewer still holds (Windows refuses to
delete an open file) is tried again at the next of those.
"""

from __future__ import annotations

import atexit
from pathlib import Path

from PySide6.QtCore import QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from fieldwork.app import APP_NAME
from fieldwork.app.paths import data_dir


def show_file(path: Path) -> bool:
    """Open `path` with the program the system uses for it; False when there is none."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))


class PrivateCopies:
    def __init__(self) -> None:
        self.paths: list[Path] = []

    def show(self, path: Path) -> bool:
        self.paths.append(path)
        return show_file(path)

    def discard_all(self) -> None:
        if not self.paths:
            return
        from fieldwork.app.services.evidence_copies import (
            discard_private_copy,  # the evidence services load when needed
        )

        self.paths = [path for path in self.paths if not discard_private_copy(path)]


#: One engagement is open at a time, so one list serves the app.
PRIVATE_COPIES = PrivateCopies()
atexit.register(PRIVATE_COPIES.discard_all)


def offer_to_open(parent: QWidget | None, target: Path) -> None:
    answer = QMessageBox.question(parent, APP_NAME, f"Wrote {target.name}. Open it now?")
    if answer == QMessageBox.StandardButton.Yes:
        show_file(target)


def export_folder(engagement: Path) -> Path:
    """Where an export, a backup or a copy is offered: beside the engagement when that is a folder people see,
    else the user's Documents (or home) folder, never a hidden one (the demo lives in Fieldwork's data folder)."""
    folder = engagement.resolve().parent
    hidden = any(part.startswith(".") for part in folder.parts) or folder.is_relative_to(data_dir().resolve())
    return folder if not hidden else documents_folder()


def documents_folder() -> Path:
    """The user's Documents folder, or home where there is none."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()
