"""The evidence library: every file in the engagement, what is known about it, and what it supports.

Filtering and sorting are the service's (`list_evidence`), so the page shows what the CLI lists; each change
of filter or sort is one read. Files dropped anywhere on the page are attached unlinked, to be linked later
from the items they support.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from fieldwork.app.domain.records import EvidenceFile
from fieldwork.app.engagement import Engagement
from fieldwork.app.services import evidence as ev
from fieldwork.app.services.evidence_copies import extract_evidence
from fieldwork.app.tasks import Task
from fieldwork.ui.context import UiContext
from fieldwork.ui.context_menus import ContextMenu, MenuItem, copy_text
from fieldwork.ui.evidence_actions import attach, choose_files, open_copy, open_use, unlink
from fieldwork.ui.evidence_drop import FileDrop
from fieldwork.ui.evidence_panel import human_size, local_time
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.read_only import reads
from fieldwork.ui.tables import make_table, selected_rows
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.widgets import button_row, heading, note

#: Typing in the filter re-reads the library once the typing pauses this long.
FILTER_DELAY_MS = 250
#: Characters of the SHA-256 shown in the table; the tooltip has all 64.
HASH_CHARS = 10

KIND_LABELS = {
    ev.LinkKind.CONTROL: "Control",
    ev.LinkKind.TEST: "Test",
    ev.LinkKind.SAMPLE_ITEM: "Sample item",
    ev.LinkKind.PBC_REQUEST: "PBC request",
    ev.LinkKind.FINDING: "Finding",
    ev.LinkKind.WORKPAPER: "Workpaper",
    ev.LinkKind.IPE: "IPE assessment",
    ev.LinkKind.AI_SYSTEM: "AI system",
}

COLUMNS: list[tuple[Column[EvidenceFile], ev.SortKey | None]] = [
    (Column("Ref", lambda f: f.ref), ev.SortKey.REF),
    (Column("File", lambda f: f.original_name, tooltip=lambda f: f.original_name, width=220), ev.SortKey.NAME),
    (
        Column(
            "Used by", lambda f: ", ".join(f.used_by) or "(unused)", tooltip=lambda f: "\n".join(f.used_by), width=190
        ),
        None,
    ),
    (Column("Size", lambda f: human_size(f.size), tooltip=lambda f: f"{f.size:,} bytes"), ev.SortKey.SIZE),
    (Column("Type", lambda f: f.media_type, tooltip=lambda f: f.media_type, width=110), ev.SortKey.MEDIA_TYPE),
    (
        Column(
            "Received",
            lambda f: (
                (f.received_date.isoformat() if f.received_date else "") + ("\nprior period" if f.prior_period else "")
            ),
            tooltip=lambda f: (
                "A document of the prior period, carried forward with its controls" if f.prior_period else ""
            ),
        ),
        ev.SortKey.RECEIVED,
    ),
    (Column("Provided by", lambda f: f.provided_by, width=130), ev.SortKey.PROVIDED_BY),
    (Column("PBC", lambda f: f.pbc_ref or "", tooltip=lambda f: "Received in answer to this request"), None),
    (
        Column(
            "Attached",
            lambda f: f"{local_time(f.attached_at)}\n{f.attached_by}",
            tooltip=lambda f: f"Attached by {f.attached_by} at {f.attached_at} (UTC)",
        ),
        ev.SortKey.ATTACHED,
    ),
    (Column("SHA-256", lambda f: f.sha256[:HASH_CHARS] + "…", tooltip=lambda f: f.sha256), None),
]
SORT_KEYS = [key for _column, key in COLUMNS]


def _save_copies(db: Engagement, files: list[EvidenceFile], folder: Path, task: Task) -> list[Path]:
    return [extract_evidence(db, found.id, folder, task) for found in files]


class EvidenceView(DetailView):
    shows = ev.LIBRARY_SHOWS

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.sort = (0, Qt.SortOrder.AscendingOrder)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Evidence library"))
        self.summary = note()
        layout.addWidget(self.summary)

        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by file name, reference, provider, type, PBC request or item")
        self.filter.setClearButtonEnabled(True)
        self.unused_only = QCheckBox("&Unused only")
        reads(self.filter)
        reads(self.unused_only)
        self.filter_timer = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self.filter_timer.timeout.connect(self.load)
        self.filter.textChanged.connect(lambda _text: self.filter_timer.start())
        self.unused_only.toggled.connect(lambda _on: self.load())
        filters = QHBoxLayout()
        filters.addWidget(self.filter, 1)
        filters.addWidget(self.unused_only)
        layout.addLayout(filters)

        self.model = RowTableModel[EvidenceFile]([column for column, _key in COLUMNS], key=lambda f: f.id)
        # What a file is and what it supports come first and stay in view; names and types keep a width, elided
        # in the middle (the extension stays in view) with the whole in the tooltip; the hash takes what is left.
        self.table = make_table(self.model, stretch=len(COLUMNS) - 1)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(*self.sort)
        header.sortIndicatorChanged.connect(self._sort_chosen)
        self.table.doubleClicked.connect(lambda index: open_copy(self.ctx, self.model.row(index)))
        self.table.selectionModel().currentRowChanged.connect(lambda current, _previous: self._load_uses(current))
        ContextMenu(self.table, self._menu)
        delete_key = QShortcut(QKeySequence.StandardKey.Delete, self.table, self.delete_selected)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)  # never while typing in the filter

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self._library_panel())
        split.addWidget(self._uses_panel())
        split.setStretchFactor(0, 3)
        layout.addWidget(split, 1)
        FileDrop(self, lambda paths, _row: attach(self.ctx, self, paths))

    def _library_panel(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        actions, buttons = button_row(
            [
                ("&Attach files...", lambda: attach(self.ctx, self, choose_files(self))),
                ("&Open", self.open_selected),
                ("Save a &copy...", self.save_copies),
            ],
            trailing=[("&Delete...", self.delete_selected)],
        )
        buttons[-1].setToolTip("Only a file that supports no item can be deleted: unlink it first.")
        layout.addLayout(actions)
        return panel

    def _uses_panel(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        self.uses_title = QLabel()
        layout.addWidget(self.uses_title)
        self.uses = RowTableModel[ev.EvidenceUse](
            [
                Column("Item", lambda u: u.ref),
                Column("Kind", lambda u: KIND_LABELS[u.link.kind]),
                Column("Description", lambda u: u.label, tooltip=lambda u: u.label),
            ],
            key=lambda u: u.link,
        )
        self.uses_table = make_table(self.uses)
        self.uses_table.doubleClicked.connect(lambda index: open_use(self.ctx, self.uses.row(index)))
        layout.addWidget(self.uses_table)
        row = QHBoxLayout()
        go = QPushButton("Go to &item")
        reads(go)
        go.clicked.connect(lambda: self._with_use(lambda use: open_use(self.ctx, use)))
        remove = QPushButton("Unlin&k from this item")
        remove.clicked.connect(self.unlink_selected_use)
        row.addWidget(go)
        row.addWidget(remove)
        row.addStretch()
        layout.addLayout(row)
        return panel

    def _menu(self, index: QModelIndex) -> list[MenuItem]:
        if not index.isValid():
            return [("Attach files...", lambda: attach(self.ctx, self, choose_files(self)))]
        found = self.model.row(index)
        return [
            ("Open", lambda: open_copy(self.ctx, found)),
            ("Save a copy...", self.save_copies),
            ("Copy reference", lambda: copy_text(found.ref)),
            ("Copy SHA-256", lambda: copy_text(found.sha256)),
            ("Delete...", self.delete_selected),
        ]

    # -- loading --------------------------------------------------------------------------------------

    def current_filter(self) -> ev.EvidenceFilter:
        section, order = self.sort
        key = SORT_KEYS[section] or ev.SortKey.REF
        descending = order == Qt.SortOrder.DescendingOrder
        return ev.EvidenceFilter(self.filter.text(), self.unused_only.isChecked(), key, descending)

    def load(self) -> None:
        where = self.current_filter()
        self.ctx.read("Loading the evidence library", lambda db: ev.list_evidence(db, where), self._show)

    def _show(self, files: list[EvidenceFile]) -> None:
        chosen = self._current()
        self.model.set_rows(files)
        if chosen is not None and (row := self.model.row_of(chosen.id)) >= 0:
            with QSignalBlocker(self.table.selectionModel()):  # the uses are loaded once, below
                self.table.selectRow(row)
        unused = sum(not f.used_by for f in files)
        filtered = bool(self.filter.text().strip()) or self.unused_only.isChecked()
        self.summary.setText(
            f"{len(files)} file(s){' shown' if filtered else ''}, {human_size(sum(f.size for f in files))}"
            + (f"; {unused} not used by any item" if unused else "")
            + ". Drop files here to attach them; double-click a file to open it."
        )
        self._load_uses(self.table.currentIndex())

    def _sort_chosen(self, section: int, order: Qt.SortOrder) -> None:
        if SORT_KEYS[section] is None:
            with QSignalBlocker(self.table.horizontalHeader()):
                self.table.horizontalHeader().setSortIndicator(*self.sort)
            self.ctx.runner.status(f"The library cannot be sorted by {COLUMNS[section][0].title}.")
            return
        self.sort = (section, order)
        self.load()

    def _load_uses(self, current: QModelIndex) -> None:
        if not current.isValid():
            self.uses_title.setText("Select a file to see the items it supports.")
            self.uses.set_rows([])
            return
        found = self.model.row(current)
        self.uses_title.setText(f"<b>Where {found.ref} is used</b> (double-click an item to open it)")
        self.ctx.read(f"Where {found.ref} is used", lambda db: ev.where_used(db, found.id), self.uses.set_rows)

    # -- actions --------------------------------------------------------------------------------------

    def _current(self) -> EvidenceFile | None:
        index = self.table.currentIndex()
        return self.model.row(index) if index.isValid() else None

    def _with_use(self, act: Callable[[ev.EvidenceUse], None]) -> None:
        rows = selected_rows(self.uses_table)
        if rows:
            act(self.uses.rows[rows[0]])

    def open_selected(self) -> None:
        if found := self._current():
            open_copy(self.ctx, found)

    def save_copies(self) -> None:
        files = [self.model.rows[row] for row in selected_rows(self.table)]
        if not files:
            return
        chosen = QFileDialog.getExistingDirectory(self, "Save a copy in")
        if not chosen:
            return
        folder = Path(chosen)
        self.ctx.long(
            f"Saving {len(files)} file(s)",
            lambda db, task: _save_copies(db, files, folder, task),
            lambda saved: self.ctx.runner.status(f"Saved {', '.join(p.name for p in saved)} in {folder}."),
        )

    def unlink_selected_use(self) -> None:
        found = self._current()
        if found is not None:
            self._with_use(lambda use: unlink(self.ctx, self, found, [use]))

    def delete_selected(self) -> None:
        found = self._current()
        if found is None:
            return
        answer = QMessageBox.question(
            self, "Delete evidence", f"Delete {found.ref} ({found.original_name}) from the engagement?"
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.ctx.write(f"Deleted {found.ref}", lambda db: ev.delete_evidence(db, found.id))
