"""A requirement: what it asks, its progress beside the auditor's conclusion, the controls that serve it, its
crosswalk links and the ISO/IEC 42001 findings raised against it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QPushButton, QTabWidget, QVBoxLayout, QWidget

from fieldwork.app.domain.judgements import Finding
from fieldwork.app.domain.records import Control
from fieldwork.app.domain.vocabulary import Framework, Status
from fieldwork.app.pages.requirement import Related, RequirementPage, load_requirement_page
from fieldwork.app.services import controls as control_service
from fieldwork.ui.context import Page, Target, UiContext
from fieldwork.ui.dialogs.new_control import NewControlDialog
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.side_by_side import Stacking
from fieldwork.ui.status_style import icon
from fieldwork.ui.tables import make_table
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.views.conclusion_panel import ConclusionBox, ProgressBox
from fieldwork.ui.widgets import heading, note


def findings_model() -> RowTableModel[Finding]:
    return RowTableModel[Finding](
        [
            Column("Finding", lambda f: f.ref),
            Column("Kind", lambda f: f.kind.label),
            Column("Status", lambda f: f.status.label),
            Column("Statement", lambda f: f.statement, tooltip=lambda f: f.statement),
        ],
        key=lambda f: f.id,
    )


class RequirementView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.page: RequirementPage | None = None
        layout = QVBoxLayout(self)
        self.title = heading("")
        self.kind = note()
        self.description = note()
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.title)
        layout.addWidget(self.kind)
        layout.addWidget(self.description)
        self.progress = ProgressBox()
        self.conclusion = ConclusionBox(ctx)
        self.judged = Stacking([(self.progress, 1), (self.conclusion, 4)])
        layout.addWidget(self.judged)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._controls_tab(), "")
        self.tabs.addTab(self._related_tab(), "")
        self.findings_tab = self._findings_tab()
        self.tabs.addTab(self.findings_tab, "")
        layout.addWidget(self.tabs, 1)

    def _controls_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.controls = RowTableModel[Control](
            [
                Column("Control", lambda c: c.ref, icon=lambda c: icon(self._control_status(c))),
                Column("Title", lambda c: c.title, tooltip=lambda c: c.description),
                Column("Owner", lambda c: c.owner),
                Column("Frequency", lambda c: c.frequency.label),
            ],
            key=lambda c: c.id,
        )
        self.control_table = make_table(self.controls, stretch=1)
        self.control_table.activated.connect(
            lambda index: self.ctx.open(Target(Page.CONTROL, self.controls.row(index).id))
        )
        layout.addWidget(self.control_table)
        buttons = QHBoxLayout()
        self.new_control = QPushButton("&New control for this requirement")
        self.new_control.clicked.connect(self.create_control)
        self.link_control = QPushButton("&Link an existing control...")
        self.link_control.clicked.connect(self.link_existing)
        buttons.addWidget(self.new_control)
        buttons.addWidget(self.link_control)
        buttons.addStretch()
        layout.addLayout(buttons)
        return tab

    def _related_tab(self) -> QWidget:
        self.related = RowTableModel[Related](
            [
                Column("Requirement", lambda r: r.code, icon=lambda r: icon(r.status)),
                Column("Title", lambda r: r.title),
                Column("Relationship", lambda r: r.relationship),
                Column("Rationale", lambda r: r.rationale, tooltip=lambda r: r.rationale),
            ],
            key=lambda r: r.code,
        )
        self.related_table = make_table(self.related)
        self.related_table.activated.connect(
            lambda index: self.ctx.open(Target(Page.REQUIREMENT, self.related.row(index).code))
        )
        return self.related_table

    def _findings_tab(self) -> QWidget:
        self.findings = findings_model()
        self.findings_table = make_table(self.findings)
        self.findings_table.activated.connect(
            lambda index: self.ctx.open(Target(Page.FINDINGS, self.findings.row(index).id))
        )
        return self.findings_table

    def _control_status(self, control: Control) -> Status:
        return self.page.control_status.get(control.id, Status.NOT_STARTED) if self.page else Status.NOT_STARTED

    def load(self) -> None:
        assert self.target is not None
        code = str(self.target.key)
        self.ctx.read(f"Loading {code}", lambda db: load_requirement_page(db, code), self._show)

    def _show(self, page: RequirementPage) -> None:
        self.page = page
        req = page.requirement
        self.conclusion.review.show_review(page.review)
        self.title.setText(f"{req.code}  {req.title}")
        where = req.category or ("ISO/IEC 42001" if req.framework is Framework.ISO42001 else "")
        self.kind.setText(f"{req.framework.label} · {req.kind.label}{' · ' + where if where else ''}")
        self.description.setText(req.description)
        self.progress.show_page(page)
        self.conclusion.show_page(page)
        self.controls.set_rows(page.controls)
        self.related.set_rows(page.related)
        self.findings.set_rows(page.findings)
        other = "ISO/IEC 42001" if req.framework is Framework.SOC2 else "SOC 2"
        self.tabs.setTabText(0, f"Con&trols that serve it ({len(page.controls)})")
        self.tabs.setTabText(1, f"C&rosswalk to {other} ({len(page.related)})")
        iso = req.framework is Framework.ISO42001
        self.tabs.setTabVisible(2, iso)
        self.tabs.setTabText(2, f"&ISO findings raised against it ({len(page.findings)})")

    def create_control(self) -> None:
        """Describe a control that serves this requirement in a form; saved, and linked, only on Save."""
        if self.page is None:
            return
        req = self.page.requirement
        dialog = NewControlDialog(f"{req.code}  {req.title}", self)
        if dialog.exec():
            values = dialog.values()
            self.ctx.write(
                f"New control for {req.code}",
                lambda db: control_service.create_control(db, values, [req.code]),
                lambda made: self.ctx.open(Target(Page.CONTROL, made.id)),
            )

    def link_existing(self) -> None:
        if self.page is None:
            return
        req = self.page.requirement
        candidates = [c for c in self.page.all_controls if req.code not in c.requirements]
        if not candidates:
            self.ctx.runner.status("Every control is already linked to this requirement.")
            return
        labels = [f"{c.ref}  {c.title}" for c in candidates]
        choice, ok = QInputDialog.getItem(self, "Link a control", f"Control that serves {req.code}:", labels, 0, False)
        if ok:
            chosen = candidates[labels.index(choice)]
            self.ctx.write(
                f"Link {chosen.ref} to {req.code}",
                lambda db: control_service.link_requirement(db, chosen.id, req.code),
            )
