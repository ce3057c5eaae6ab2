"""The AI systems page: the inventory, each system's impact assessments, links, evidence and gaps, and the coverage
matrix of the systems in scope against the clause 8 requirements and the Annex A controls.

It shows `app.pages.ai_systems`; every change is one write through the services, after which the page reloads like
every page. Records whose fields depend on each other (a system's stage and dates, an assessment's approval) are
edited in dialogs that check them before saving.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path
from typing import Any
from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fieldwork.app.domain.ai_systems import (
    STAGES,
    AiSystem,
    CoverageCell,
    ImpactAssessment,
    MatrixRequirement,
    SystemCoverage,
)
from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import FieldworkError
from fieldwork.app.pages.ai_systems import AiSystemsPage, Choice, ai_systems_page
from fieldwork.app.pages.linked_evidence import load_linked
from fieldwork.app.services import ai_systems as inventory
from fieldwork.app.services import evidence as ev
from fieldwork.app.services import impact_assessments as assessments
from fieldwork.app.services.ai_inventory_import import InventoryImport, import_inventory
from fieldwork.ui.context import Page, Target, UiContext
from fieldwork.ui.dialogs.ai_system import AiSystemDialog
from fieldwork.ui.dialogs.choose_links import ChooseLinksDialog
from fieldwork.ui.dialogs.impact_assessment import ImpactAssessmentDialog
from fieldwork.ui.dialogs.inventory_import import InventoryImportDialog
from fieldwork.ui.evidence_drop import FileDrop
from fieldwork.ui.evidence_panel import EvidencePanel
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.side_by_side import SideBySide
from fieldwork.ui.status_style import COLOURS, icon
from fieldwork.ui.tables import make_table, selected_rows
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.views.editing import problem_note
from fieldwork.ui.widgets import button_row, heading, note, section

EXCEPTION_SHADE = "#fce8e6"
GAP_SHADE = "#ffc7ce"
MATRIX_NOTE = (
    "Each AI system in scope against the clause 8 requirements and the Annex A controls: the controls linked to it "
    "that serve the requirement, and what their tests found. A system in production in the examination is flagged "
    "without an approved impact assessment before it went live, without monitoring (a linked control serving "
    "A.6.2.6) or without human oversight (one serving A.9.2, A.9.3 or A.9.4). Controls linked to no AI system are "
    "organization-wide: named, never counted as covering a system."
)


def _assessment_text(found: SystemCoverage | None) -> str:
    if found is None or found.assessment.latest is None:
        return "None recorded"
    latest = found.assessment.latest
    approved = f"approved {latest.approved_on.isoformat()}" if latest.approved_on else "not approved"
    return f"{latest.label}, {approved}"


def _life_cycle(system: AiSystem) -> str:
    dated = [f"{stage.label.lower()} {found.isoformat()}" for stage in STAGES if (found := system.stage_date(stage))]
    return "; ".join([system.stage.label, *dated])


def details_html(system: AiSystem, found: SystemCoverage | None) -> str:
    """The record as a reviewer reads it, the gaps flagged first."""
    scope = "In scope" if system.in_scope else "Not in scope"
    rows = (
        ("Purpose", system.purpose),
        ("People affected", system.affected),
        ("Organization's role", system.roles_text),
        ("Risk level", system.risk_level.label if system.risk_level else "not rated"),
        ("Owner", system.owner),
        ("Life cycle", _life_cycle(system)),
        ("Models", "\n".join(part.text for part in system.models)),
        ("Data sets", "\n".join(part.text for part in system.datasets)),
        ("Scope", f"{scope}: {system.scope_reason}" if system.scope_reason else scope),
    )
    red = COLOURS[Status.EXCEPTIONS]
    gaps = "".join(
        f"<p style='color: {red}'><b>{escape(gap.kind.label)}.</b> {escape(gap.text)}</p>"
        for gap in (found.gaps if found else ())
    )
    cells = "".join(
        f"<tr><td style='padding-right: 12px'><b>{label}</b></td><td>{escape(value).replace(chr(10), '<br>')}</td></tr>"
        for label, value in rows
    )
    return f"{gaps}<table>{cells}</table>"


def _cell_tooltip(cell: CoverageCell) -> str:
    lines = [cell.result, f"Tests: {', '.join(cell.tests)}" if cell.tests else ""]
    if cell.organization_wide:
        lines.append(f"Organization-wide controls: {', '.join(cell.organization_wide)}")
    return "\n".join(line for line in lines if line)


#: A system's column in the coverage matrix is never narrower than this (half a screen left each a few letters).
MATRIX_CELL = 120


def _matrix_column(found: SystemCoverage) -> Column[MatrixRequirement]:
    return Column(
        found.system.name,
        lambda r: found.cell(r.code).text,
        icon=lambda r: icon(found.cell(r.code).status) if found.cell(r.code).covered else None,
        tooltip=lambda r: _cell_tooltip(found.cell(r.code)),
    )


def _choices_table(ctx: UiContext, kind: Page | None) -> tuple[RowTableModel[Choice], QTableView]:
    model = RowTableModel[Choice](
        [Column("Ref", lambda c: c.ref), Column("Title", lambda c: c.title)], key=lambda c: c.id
    )
    table = make_table(model)
    if kind is not None:
        table.doubleClicked.connect(lambda index: ctx.open(Target(kind, model.row(index).id)))
    return model, table


class AiSystemsView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.page: AiSystemsPage | None = None
        self.wanted: UUID | None = None  # the system to select once loaded
        layout = QVBoxLayout(self)
        layout.addWidget(heading("AI systems"))
        self.summary = note()
        self.problem = problem_note()
        layout.addWidget(self.summary)
        layout.addWidget(self.problem)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._inventory_tab(), "&Inventory")
        self.tabs.addTab(self._matrix_tab(), "&Coverage matrix")
        layout.addWidget(self.tabs, 1)

    # -- building -------------------------------------------------------------------------------------

    def _inventory_tab(self) -> QWidget:
        self.systems = RowTableModel[AiSystem](
            [
                Column("Ref", lambda s: s.ref, icon=lambda s: icon(Status.EXCEPTIONS) if self._gaps(s) else None),
                Column("AI system", lambda s: s.name, width=200),
                Column("Role", lambda s: s.roles_text),
                Column("Stage", lambda s: s.stage.label),
                Column("Risk", lambda s: s.risk_level.label if s.risk_level else ""),
                Column("In scope", lambda s: "Yes" if s.in_scope else "No", tooltip=lambda s: s.scope_reason),
                Column("Impact assessment", lambda s: _assessment_text(self._coverage(s))),
                Column("Gaps", lambda s: "; ".join(g.kind.label for g in self._gaps(s))),
            ],
            key=lambda s: s.id,
            highlight=lambda s: GAP_SHADE if self._gaps(s) else None,
        )
        self.system_table = make_table(self.systems)
        self.system_table.selectionModel().selectionChanged.connect(lambda _s, _d: self._show_selected())
        self.system_table.activated.connect(lambda _index: self.edit_system())
        top = section(
            "Inventory",
            self.system_table,
            [
                ("&New AI system...", self.new_system),
                ("Edit s&ystem...", self.edit_system),
                ("Import the client's invento&ry...", self.import_inventory),
            ],
            [("Delete...", self.delete_system)],
        )
        self.detail_title = heading("")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.details)
        self.detail_tabs = QTabWidget()
        self.detail_tabs.addTab(scroll, "&Details")
        self.detail_tabs.addTab(self._assessments_panel(), "Impact &assessments")
        self.detail_tabs.addTab(self._links_panel(), "&Links")
        self.evidence = EvidencePanel(self.ctx, "Drop files on this page to attach them to the AI system.")
        self.detail_tabs.addTab(self.evidence, "E&vidence")
        FileDrop(self, lambda paths, _row: self.evidence.attach(paths))
        bottom = QWidget()
        column = QVBoxLayout(bottom)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.detail_title)
        column.addWidget(self.detail_tabs, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([230, 420])  # an inventory is a handful of systems: the details get the room
        return split

    def _assessments_panel(self) -> QWidget:
        self.assessments = RowTableModel[ImpactAssessment](
            [
                Column("Reference", lambda a: a.reference),
                Column("Performed", lambda a: a.assessed_on.isoformat()),
                Column("Assessor", lambda a: a.assessor),
                Column(
                    "Approved", lambda a: f"{a.approved_on.isoformat()} by {a.approved_by}" if a.approved_on else ""
                ),
                Column("Next review", lambda a: a.next_review.isoformat() if a.next_review else ""),
                Column("Results", lambda a: a.results, tooltip=lambda a: a.results),
            ],
            key=lambda a: a.id,
            highlight=lambda a: EXCEPTION_SHADE if self._late_or_unapproved(a) else None,
        )
        self.assessment_table = make_table(self.assessments)
        self.assessment_table.activated.connect(lambda index: self.edit_assessment(self.assessments.row(index)))
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.addWidget(self.assessment_table)
        row, _ = button_row(
            [("Record an impact &assessment...", self.add_assessment), ("Edit...", self.edit_selected_assessment)],
            [("Delete...", self.delete_assessment)],
        )
        layout.addLayout(row)
        return panel

    def _links_panel(self) -> QWidget:
        self.linked_controls, controls = _choices_table(self.ctx, Page.CONTROL)
        self.linked_tests, tests = _choices_table(self.ctx, Page.TEST)
        self.linked_findings, findings = _choices_table(self.ctx, None)
        panels = []
        for tab, title, table, action in (
            ("Controls", "Controls that apply to it", controls, ("Choose c&ontrols...", self.choose_controls)),
            ("Tests", "Tests that name it (of fewer systems)", tests, ("Choose &tests...", self.choose_tests)),
            ("Findings", "Findings that concern it", findings, ("Choose finding&s...", self.choose_findings)),
        ):
            panel = QWidget()
            column = QVBoxLayout(panel)
            column.setContentsMargins(0, 0, 0, 0)
            heading = QLabel(f"<b>{title}</b>")
            heading.setWordWrap(True)
            column.addWidget(heading)
            column.addWidget(table, 1)
            column.addLayout(button_row([action])[0])
            panels.append((tab, panel))
        return SideBySide(panels)  # one at a time at half a screen (side by side, the page scrolled sideways)

    def _matrix_tab(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.addWidget(note(MATRIX_NOTE))
        self.matrix = RowTableModel[MatrixRequirement]([], key=lambda r: r.code)
        self.matrix_table = make_table(self.matrix, stretch=None)
        self.matrix_layout = layout
        layout.addWidget(self.matrix_table, 1)
        self.gap_list = note()
        layout.addWidget(self.gap_list)
        return panel

    # -- loading --------------------------------------------------------------------------------------

    def show_target(self, target: Target) -> None:
        self.wanted = target.key if isinstance(target.key, UUID) else None
        super().show_target(target)

    def load(self) -> None:
        self.ctx.read("Loading the AI systems", ai_systems_page, self._show)

    def _coverage(self, system: AiSystem) -> SystemCoverage | None:
        return self.page.coverage_of(system.id) if self.page else None

    def _late_or_unapproved(self, found: ImpactAssessment) -> bool:
        """Unapproved, or the first approval of a system that was in production before it."""
        state = self.page.coverage_of(found.ai_system_id) if self.page else None
        first = state is not None and state.assessment.late and found.approved_on == state.assessment.first_approved_on
        return not found.approved or first

    def _gaps(self, system: AiSystem) -> tuple[Any, ...]:
        found = self._coverage(system)
        return found.gaps if found else ()

    def _show(self, page: AiSystemsPage) -> None:
        self.page = page
        ai = page.overview
        self.summary.setText(
            f"{len(ai.systems)} AI system(s) in the inventory, {len(ai.in_scope)} in the scope of the AI management "
            f"system; the examination covers {page.examined}. "
            + (f"<b style='color: {COLOURS[Status.EXCEPTIONS]}'>{ai.gaps} gap(s) flagged.</b>" if ai.gaps else "")
        )
        current = self.selected()
        self.systems.set_rows(page.systems)
        wanted = self.wanted or (current.id if current else None)
        row = self.systems.row_of(wanted) if wanted else -1
        self.system_table.selectRow(max(row, 0) if page.systems else -1)
        self.wanted = None
        self._show_matrix(page)
        self._show_selected()

    def _show_matrix(self, page: AiSystemsPage) -> None:
        coverage = page.overview.coverage
        names = [found.system.name for found in coverage]
        if [c.title for c in self.matrix.columns[2:]] != names or not self.matrix.columns:
            self._new_matrix(coverage)
        self.matrix.set_rows(page.overview.requirements)
        gaps = [f"<b>{escape(found.system.name)}</b>: {escape(gap.text)}" for found in coverage for gap in found.gaps]
        self.gap_list.setText("Gaps flagged:<br>" + "<br>".join(gaps) if gaps else "No gap is flagged.")

    def _new_matrix(self, coverage: Sequence[SystemCoverage]) -> None:
        """A table with a column per system in scope (they change with the inventory), sharing the width."""

        def shade(requirement: MatrixRequirement) -> str | None:
            exceptions = any(found.cell(requirement.code).status is Status.EXCEPTIONS for found in coverage)
            return EXCEPTION_SHADE if exceptions else None

        columns = [
            Column("Requirement", lambda r: r.code, tooltip=lambda r: r.title),
            Column("Title", lambda r: r.title, width=170),
            *(_matrix_column(found) for found in coverage),
        ]
        self.matrix = RowTableModel[MatrixRequirement](columns, key=lambda r: r.code, highlight=shade)
        table = make_table(self.matrix, stretch=None)
        header = table.horizontalHeader()
        header.setMinimumSectionSize(MATRIX_CELL)  # narrower, the table scrolls sideways inside itself
        for number in range(2, len(columns)):
            header.setSectionResizeMode(number, QHeaderView.ResizeMode.Stretch)
        self.matrix_layout.replaceWidget(self.matrix_table, table)
        self.matrix_table.deleteLater()
        self.matrix_table = table

    def selected(self) -> AiSystem | None:
        rows = selected_rows(self.system_table)
        return self.systems.rows[rows[0]] if rows else None

    def _show_selected(self) -> None:
        system = self.selected()
        self.detail_tabs.setEnabled(system is not None)
        if system is None or self.page is None:
            self.detail_title.setText("Add an AI system, or import the client's inventory.")
            self.details.setText("")
            for model in (self.assessments, self.linked_controls, self.linked_tests, self.linked_findings):
                model.set_rows([])
            return
        page = self.page
        self.detail_title.setText(system.label)
        self.details.setText(details_html(system, page.coverage_of(system.id)))
        self.assessments.set_rows(page.assessments_of(system.id))
        # Sets: each of the page's 1,640 controls (`--scale 20`) looked up in a tuple made a 35 ms stall.
        controls, tests, findings = set(system.control_ids), set(system.test_ids), set(system.finding_ids)
        self.linked_controls.set_rows([c for c in page.controls if c.id in controls])
        self.linked_tests.set_rows([t for t in page.tests if t.id in tests])
        self.linked_findings.set_rows([f for f in page.findings if f.id in findings])
        self.detail_tabs.setTabText(1, f"Impact &assessments ({len(page.assessments_of(system.id))})")
        self.detail_tabs.setTabText(3, f"E&vidence ({len(system.evidence)})")
        target = ev.Link(ev.LinkKind.AI_SYSTEM, system.id)
        self.ctx.read(
            f"Loading the evidence of {system.name}",
            lambda db: load_linked(db, [target]),
            lambda rows: self.evidence.show_files(rows, target, system.ref),
        )

    # -- writing --------------------------------------------------------------------------------------

    def _write(self, label: str, work: Callable[[Engagement], Any], then: Callable[[Any], None] | None = None) -> None:
        """Save; a refusal is said above the tabs and stays until the next save goes through."""

        def done(result: Any) -> None:
            self.problem.setText("")
            if then is not None:
                then(result)

        self.ctx.write(label, work, done, on_error=self._refused)

    def _refused(self, exc: BaseException) -> None:
        self.problem.setText(exc.message if isinstance(exc, FieldworkError) else "")
        self.load()

    def _select_later(self, system: AiSystem) -> None:
        self.wanted = system.id

    def new_system(self) -> None:
        dialog = AiSystemDialog(parent=self)
        if dialog.exec():
            values = dialog.values()
            self._write(f"{values.name} added", lambda db: inventory.create_system(db, values), self._select_later)

    def edit_system(self) -> None:
        system = self.selected()
        if system is None:
            return
        dialog = AiSystemDialog(system.as_input(), f"{system.label}", parent=self)
        if dialog.exec():
            values = dialog.values()
            self._write(f"{system.ref} updated", lambda db: inventory.update_system(db, system.id, values))

    def delete_system(self) -> None:
        system = self.selected()
        if system is None:
            return
        question = (
            f"Delete {system.label} from the inventory? Its impact assessments and links go with it; evidence files "
            "stay in the library."
        )
        if QMessageBox.question(self, "Delete AI system", question) == QMessageBox.StandardButton.Yes:
            self._write(f"Deleted {system.ref}", lambda db: inventory.delete_system(db, system.id))

    def import_inventory(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "The client's AI system inventory", "", "Spreadsheets (*.csv *.xlsx);;All files (*)"
        )
        if not name:
            return
        dialog = InventoryImportDialog(Path(name), self.ctx.runner, self)
        if not dialog.exec():
            return
        source, mapping = dialog.choice()
        self.ctx.long(
            f"Importing {source.path.name}",
            lambda db, task: import_inventory(db, source, mapping, task=task),
            self._imported,
        )

    def _imported(self, done: InventoryImport) -> None:
        self.ctx.runner.status(
            f"{done.source_name}: {len(done.added)} AI system(s) added, {len(done.updated)} updated."
        )

    def add_assessment(self) -> None:
        system = self.selected()
        if system is None:
            return
        dialog = ImpactAssessmentDialog(system.name, parent=self)
        if dialog.exec():
            values = dialog.values()
            self._write("Impact assessment recorded", lambda db: assessments.add_assessment(db, system.id, values))

    def edit_selected_assessment(self) -> None:
        rows = selected_rows(self.assessment_table)
        if rows:
            self.edit_assessment(self.assessments.rows[rows[0]])

    def edit_assessment(self, existing: ImpactAssessment) -> None:
        dialog = ImpactAssessmentDialog(existing.system, existing, parent=self)
        if dialog.exec():
            values = dialog.values()
            self._write("Impact assessment updated", lambda db: assessments.update_assessment(db, existing.id, values))

    def delete_assessment(self) -> None:
        rows = selected_rows(self.assessment_table)
        if not rows:
            return
        chosen = self.assessments.rows[rows[0]]
        question = f"Delete the impact assessment {chosen.label} of {chosen.system}?"
        if QMessageBox.question(self, "Delete impact assessment", question) == QMessageBox.StandardButton.Yes:
            self._write("Impact assessment deleted", lambda db: assessments.delete_assessment(db, chosen.id))

    def _choose(
        self, link: inventory.LinkKind, title: str, hint: str, choices: Sequence[Choice], ticked: Sequence[UUID]
    ) -> None:
        system = self.selected()
        if system is None:
            return
        dialog = ChooseLinksDialog(f"{title}: {system.name}", hint, choices, ticked, self)
        if dialog.exec():
            chosen = dialog.chosen()
            self._write(f"{system.ref} links", lambda db: inventory.link_system(db, system.id, link, chosen))

    def choose_controls(self) -> None:
        if (system := self.selected()) and self.page:
            hint = "Tick the controls that apply to this AI system; their tests count for it."
            self._choose(inventory.LinkKind.CONTROL, "Controls", hint, self.page.controls, system.control_ids)

    def choose_tests(self) -> None:
        if (system := self.selected()) and self.page:
            hint = (
                "A test counts for every AI system its control applies to. Tick a test here when it examined only "
                "some of them (a fairness review of one model's decisions): it then counts for those it names."
            )
            self._choose(inventory.LinkKind.TEST, "Tests", hint, self.page.tests_for(system), system.test_ids)

    def choose_findings(self) -> None:
        if (system := self.selected()) and self.page:
            hint = "Tick the ISO/IEC 42001 findings that concern this AI system."
            self._choose(inventory.LinkKind.FINDING, "Findings", hint, self.page.findings, system.finding_ids)
