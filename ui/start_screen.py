"""The start screen: recent engagements, New, Open, and the demo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from fieldwork.app import APP_NAME, __version__
from fieldwork.ui.settings import recent_about, recent_files
from fieldwork.ui.widgets import heading, note


class StartScreen(QWidget):
    new_requested = Signal()
    open_requested = Signal()
    demo_requested = Signal()
    recent_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        column = QVBoxLayout()
        outer.addLayout(column, 3)
        outer.addStretch(1)
        column.addStretch(1)
        column.addWidget(heading(f"{APP_NAME}"))
        column.addWidget(
            note(
                "Audit fieldwork for combined SOC 2 + ISO/IEC 42001 examinations: walk both frameworks, document "
                "the client's controls, record tests and evidence, and export the draft report and workpapers. "
                "Each engagement is one encrypted file."
            )
        )
        buttons = QHBoxLayout()
        self.new_button = QPushButton("&New engagement...")
        self.open_button = QPushButton("&Open...")
        self.demo_button = QPushButton("Open the &demo engagement")
        for button, signal in (
            (self.new_button, self.new_requested),
            (self.open_button, self.open_requested),
            (self.demo_button, self.demo_requested),
        ):
            button.clicked.connect(signal.emit)
            buttons.addWidget(button)
        buttons.addStretch()
        column.addLayout(buttons)
        column.addWidget(QLabel("<b>Recent engagements</b>"))
        self.recent = QListWidget()
        self.recent.itemActivated.connect(lambda item: self.recent_chosen.emit(item.data(Qt.ItemDataRole.UserRole)))
        column.addWidget(self.recent, 2)
        column.addWidget(note(f"Version {__version__}"))
        column.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        self.recent.clear()
        paths = recent_files()
        for path in paths:
            self.recent.addItem(recent_item(path))
        if not paths:
            self.recent.addItem("No engagements opened yet: start with the demo to look around.")
            self.recent.item(0).setFlags(Qt.ItemFlag.NoItemFlags)


def recent_item(path: Path) -> QListWidgetItem:
    """Two lines: the client and period (or the file's name, for a file not opened since this was kept), then
    the full path; a file no longer there says so and cannot be chosen."""
    about = recent_about(path) or path.stem
    item = QListWidgetItem(f"{about}\n    {path}")
    item.setData(Qt.ItemDataRole.UserRole, Path(path))
    item.setToolTip(str(path))
    if not path.exists():
        item.setText(f"{about}\n    missing: {path}")
        item.setFlags(Qt.ItemFlag.NoItemFlags)
    return item
