"""The evidence on a control's, a test's or a finding's page: the files linked to it, to attach, open and unlink.

A test's list also holds the files linked to its sample items, with the item named, so a file dropped on a
sample row shows up on the page where it was dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from fieldwork.app.pages.linked_evidence import LinkedEvidence
from fieldwork.app.services import evidence as ev
from fieldwork.ui.context import UiContext
from fieldwork.ui.evidence_actions import attach, choose_files, open_copy, unlink
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.read_only import reads
from fieldwork.ui.tables import make_table, selected_rows
from fieldwork.ui.widgets import heading, note

UNITS = ("KB", "MB", "GB", "TB")


def human_size(size: int) -> str:
    """Sizes as file managers show them (1 KB = 1024 bytes); the exact count goes in a tooltip."""
    value, unit = float(size), ""
    for larger in UNITS:
        if value < 1024:
            break
        value, unit = value / 1024, larger
    return f"{value:.1f} {unit}" if unit else f"{size} bytes"


def local_time(at_utc: str) -> str:
    """A stored UTC timestamp as the auditor's clock reads it, to the minute."""
    return datetime.fromisoformat(at_utc).astimezone().strftime("%Y-%m-%d %H:%M")


class EvidencePanel(QWidget):
    def __init__(self, ctx: UiContext, drop_hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.target: ev.Link | None = None
        self.place = ""
        self.model = RowTableModel[LinkedEvidence](
            [
                Column("Ref", lambda r: r.file.ref),
                Column("File", lambda r: r.file.original_name, tooltip=lambda r: r.file.original_name),
                Column("Supports", lambda r: ", ".join(u.ref for u in r.uses)),
                Column("Received", lambda r: r.file.received_date.isoformat() if r.file.received_date else ""),
                Column("Size", lambda r: human_size(r.file.size), tooltip=lambda r: f"{r.file.size:,} bytes"),
            ],
            key=lambda r: r.file.id,
        )
        self.table = make_table(self.model, stretch=1)
        self.table.doubleClicked.connect(lambda index: open_copy(self.ctx, self.model.row(index).file))
        top = QHBoxLayout()  # one line for the heading, the hint and the buttons: the table keeps the height
        top.addWidget(heading("Evidence"))
        top.addWidget(note(drop_hint), 1)
        for text, slot in (
            ("&Attach files...", lambda: self.attach(choose_files(self))),
            ("Open file", self.open_selected),
            ("Unlink file...", self.unlink_selected),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            top.addWidget(button)
            if slot == self.open_selected:
                reads(button)  # a finalized file's evidence still opens
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table)

    def show_files(self, rows: Sequence[LinkedEvidence], target: ev.Link, place: str) -> None:
        """`target` is what attached files link to; `place` names it ("C-001.T2") in titles and messages."""
        self.target, self.place = target, place
        self.model.set_rows(rows)
        self.setEnabled(True)

    def clear(self) -> None:
        """Nothing chosen to show the files of (a register with no row selected)."""
        self.target, self.place = None, ""
        self.model.set_rows([])
        self.setEnabled(False)

    def attach(self, paths: list[Path]) -> None:
        if self.target is not None:
            attach(self.ctx, self, paths, [self.target], self.place)

    def _selected(self) -> LinkedEvidence | None:
        rows = selected_rows(self.table)
        return self.model.rows[rows[0]] if rows else None

    def open_selected(self) -> None:
        if chosen := self._selected():
            open_copy(self.ctx, chosen.file)

    def unlink_selected(self) -> None:
        if chosen := self._selected():
            unlink(self.ctx, self, chosen.file, chosen.uses)
