"""The ISO/IEC 42001 findings register: every finding with its life cycle, sortable, open ones or all.

A finding is raised, edited and deleted here (a dialog that the service checks as it saves); the files that
are its objective evidence are attached to the selected finding below the register, or dropped on its row.
Overdue (open after its due date) is the page read's judgement of today, flagged in red.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QSplitter, QVBoxLayout, QWidget

from fieldwork.app.domain.judgements import FindingKind, FindingStatus
from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.pages.findings import FindingRow, FindingsPage, evidence_target, load_findings_page
from fieldwork.app.services import findings as finding_service
from fieldwork.app.services.deleting import what_goes_with_finding
from fieldwork.app.services.signables import ItemType
from fieldwork.ui.context import Target, UiContext
from fieldwork.ui.dialogs.confirm_delete import confirm_delete
from fieldwork.ui.dialogs.finding import FindingDialog
from fieldwork.ui.evidence_drop import FileDrop
from fieldwork.ui.evidence_panel import EvidencePanel
from fieldwork.ui.models.table import Column, RowFilter, RowTableModel
from fieldwork.ui.read_only import reads
from fieldwork.ui.review_strip import STALE_TEXT, ReviewStrip
from fieldwork.ui.status_style import COLOURS, icon
from fieldwork.ui.tables import make_table
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.widgets import button_row, heading, note

OVERDUE_SHADE = "#fce8e6"
KINDS, STATUSES = list(FindingKind), list(FindingStatus)


def _requirements(row: FindingRow) -> str:
    return ", ".join(row.finding.requirements)


def _due(row: FindingRow) -> str:
    due = row.finding.due_date
    return (due.isoformat() if due else "") + (" overdue" if row.overdue else "")


def _status(row: FindingRow) -> str:
    return row.finding.status.label + (f"\n{STALE_TEXT}" if row.changed_after_review else "")


def findings_columns() -> list[Column[FindingRow]]:
    return [
        Column("Ref", lambda r: r.finding.ref),
        Column("Kind", lambda r: r.finding.kind.label, sort=lambda r: KINDS.index(r.finding.kind), width=120),
        Column("Requirements", _requirements, tooltip=_requirements, width=100),
        Column("Statement", lambda r: r.finding.statement, tooltip=lambda r: r.finding.statement),
        Column(
            "Status",
            _status,
            sort=lambda r: STATUSES.index(r.finding.status),
            tooltip=lambda r: (
                "Changed after it was signed: sign it again once reviewed" if r.changed_after_review else ""
            ),
            width=130,
        ),
        Column("Owner", lambda r: r.finding.owner, tooltip=lambda r: r.finding.owner, width=110),
        Column(
            "Due",
            _due,
            icon=lambda r: icon(Status.EXCEPTIONS) if r.overdue else None,
            tooltip=lambda r: "Open after its due date" if r.overdue else "",
            sort=lambda r: r.finding.due_date.isoformat() if r.finding.due_date else "9999",
        ),
    ]


class FindingsView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.page: FindingsPage | None = None
        self.wanted: UUID | None = None  # a finding to select once loaded (opened from a requirement)
        self.dialog: FindingDialog | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Findings register (ISO/IEC 42001)"))
        self.summary = note()
        self.open_only = QCheckBox("&Open findings only")
        reads(self.open_only)
        self.open_only.toggled.connect(lambda _on: self._show_rows())
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.open_only)
        layout.addLayout(top)

        self.model = RowTableModel[FindingRow](
            findings_columns(), key=lambda r: r.finding.id, highlight=lambda r: OVERDUE_SHADE if r.overdue else None
        )
        self.sorted = RowFilter(self)
        self.sorted.setSourceModel(self.model)
        self.table = make_table(self.model, stretch=3, sorted_by=self.sorted, row_lines=3)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.activated.connect(lambda index: self.edit(self._row_at(index)))
        self.table.selectionModel().currentRowChanged.connect(lambda _current, _previous: self._show_selected())

        register = QWidget()
        column = QVBoxLayout(register)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.table)
        actions, _buttons = button_row(
            [("&New finding...", lambda: self.edit(None)), ("E&dit...", self.edit_selected)],
            trailing=[("De&lete...", self.delete_selected)],
        )
        column.addLayout(actions)
        self.review = ReviewStrip(ctx)
        column.addWidget(self.review)
        self.evidence = EvidencePanel(
            ctx, "Files for the selected finding; drop files on a finding's row to attach them to it."
        )
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(register)
        split.addWidget(self.evidence)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)
        FileDrop(self.table, self._dropped)

    # -- loading --------------------------------------------------------------------------------------

    def show_target(self, target: Target) -> None:
        self.wanted = target.key if isinstance(target.key, UUID) else None
        super().show_target(target)

    def load(self) -> None:
        self.ctx.read("Loading the findings register", load_findings_page, self._show)

    def _show(self, page: FindingsPage) -> None:
        chosen = self.wanted or (self._current().finding.id if self._current() else None)
        self.page = page
        rows = page.rows
        open_rows = [r for r in rows if r.finding.open]
        overdue = sum(r.overdue for r in rows)
        late = f", <b style='color: {COLOURS[Status.EXCEPTIONS]}'>{overdue} overdue</b>" if overdue else ""
        majors = sum(r.finding.kind is FindingKind.MAJOR for r in open_rows)
        self.summary.setText(
            f"{len(rows)} finding(s): {len(open_rows)} open{late}"
            + (f", of which {majors} major nonconformit{'y' if majors == 1 else 'ies'}" if majors else "")
            + ". Double-click a finding to edit it."
        )
        self._show_rows(chosen)
        self.wanted = None

    def _show_rows(self, chosen: UUID | None = None) -> None:
        if self.page is None:
            return
        if chosen is None and (current := self._current()) is not None:
            chosen = current.finding.id
        rows = [r for r in self.page.rows if r.finding.open or not self.open_only.isChecked()]
        self.model.set_rows(rows)
        if chosen is not None and (row := self.model.row_of(chosen)) >= 0:
            index = self.sorted.mapFromSource(self.model.index(row, 0))
            self.table.selectRow(index.row())
            self.table.scrollTo(index)
        self._show_selected()

    def _row_at(self, index: QModelIndex) -> FindingRow:
        return self.model.row(self.sorted.mapToSource(index))

    def _current(self) -> FindingRow | None:
        index = self.table.currentIndex()
        return self._row_at(index) if index.isValid() and self.table.selectionModel().hasSelection() else None

    def _show_selected(self) -> None:
        chosen = self._current()
        if self.page is None or chosen is None:
            self.evidence.clear()
            self.review.clear()
            return
        self.review.show_item(ItemType.FINDING, str(chosen.finding.id))
        target = evidence_target(chosen.finding)
        files = [e for e in self.page.evidence if any(u.link == target for u in e.uses)]
        self.evidence.show_files(files, target, chosen.finding.ref)

    # -- editing --------------------------------------------------------------------------------------

    def edit(self, chosen: FindingRow | None) -> None:
        """Open the finding (or a new one) in a dialog that saves through the service."""
        if self.page is None:
            return
        self.dialog = FindingDialog(self.ctx, self.page, chosen.finding if chosen else None, self)
        self.dialog.open()

    def edit_selected(self) -> None:
        if chosen := self._current():
            self.edit(chosen)

    def delete_selected(self) -> None:
        chosen = self._current()
        if chosen is None:
            return
        found = chosen.finding
        confirm_delete(
            self.ctx,
            self,
            "Delete finding",
            f"Delete {found.ref} ({found.kind.label.lower()})? Its files stay in the library.",
            lambda db: what_goes_with_finding(db, found.id),
            lambda: self.ctx.write(f"Deleted {found.ref}", lambda db: finding_service.delete_finding(db, found.id)),
        )

    def _dropped(self, paths: list[Path], row: int) -> None:
        """Files dropped on a finding are its evidence; dropped elsewhere, on the selected one."""
        if row >= 0:
            self.table.selectRow(row)
        self.evidence.attach(paths)
