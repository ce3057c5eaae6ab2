"""ISO/IEC 42001 readiness: which requirements the controls already serve (directly or through SOC 2 and the
crosswalk), which need a new control, and the AI control templates that add one.

The page shows `readiness_page`, the records the readiness workbook renders. Adding a template is one write
(control, links, suggested tests); the page then reloads like every page after a change.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QCheckBox, QFileDialog, QSplitter, QVBoxLayout, QWidget

from fieldwork.app.ai_library import ControlTemplate
from fieldwork.app.domain.readiness import Coverage, ReadinessLine
from fieldwork.app.domain.records import Control
from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.engagement import Engagement
from fieldwork.app.services.readiness import ReadinessPage, add_template, readiness_page
from fieldwork.app.tasks import Task
from fieldwork.ui.context import Page, Target, UiContext
from fieldwork.ui.crosswalk_banner import CrosswalkBanner
from fieldwork.ui.desktop import offer_to_open
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.read_only import reads
from fieldwork.ui.status_style import icon
from fieldwork.ui.tables import make_table
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.views.editing import problem_note
from fieldwork.ui.widgets import heading, note, section

#: The same shapes as statuses everywhere: linked like concluded, a gap like an exception.
ICONS = {
    Coverage.LINKED: Status.CONCLUDED,
    Coverage.THROUGH_SOC2: Status.IN_PROGRESS,
    Coverage.PARTLY: Status.NOT_STARTED,
    Coverage.GAP: Status.EXCEPTIONS,
}
VIA, TESTS = 4, 3
#: The readiness workbook's highlights.
SHADES = {Coverage.GAP: "#ffc7ce", Coverage.PARTLY: "#fce4d6"}


def _lines(text: tuple[str, ...]) -> str:
    return "\n".join(text)


class ReadinessView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.page: ReadinessPage | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading("ISO/IEC 42001 readiness: what the controls already serve"))
        self.banner = CrosswalkBanner(ctx)
        layout.addWidget(self.banner)
        self.summary = note()
        self.problems = problem_note()
        layout.addWidget(self.summary)
        layout.addWidget(self.problems)
        self.needs_work = QCheckBox("Show only those that need wor&k (partly served or not at all)")
        reads(self.needs_work)
        self.needs_work.toggled.connect(lambda _on: self._show_lines())
        layout.addWidget(self.needs_work)

        self.lines = RowTableModel[ReadinessLine](
            [
                Column(
                    "Requirement", lambda r: r.code, icon=lambda r: icon(ICONS[r.coverage]), tooltip=lambda r: r.title
                ),
                Column("Title", lambda r: r.title, width=190),
                Column("Coverage", lambda r: r.coverage.label),
                Column("Linked controls", lambda r: _lines(r.linked), width=150),
                Column("Through SOC 2 criteria (controls)", lambda r: r.via, tooltip=lambda r: r.via),
                Column("AI control templates", lambda r: _lines(r.templates), width=200),
            ],
            key=lambda r: r.code,
            highlight=lambda r: SHADES.get(r.coverage),
        )
        self.line_table = make_table(self.lines, stretch=VIA)
        self.line_table.activated.connect(self._open_requirement)
        self.line_table.selectionModel().currentRowChanged.connect(self._requirement_chosen)

        self.templates = RowTableModel[ControlTemplate](
            [
                Column("Template", lambda t: t.title, tooltip=lambda t: t.control.description, width=300),
                Column("Serves", lambda t: ", ".join(t.requirements), width=170),
                Column("Would close", lambda t: ", ".join(self._open_codes(t)), width=170),
                Column("Suggested tests", lambda t: _lines(tuple(test.title for test in t.tests))),
                Column("From", lambda t: "Your firm" if t.source == "firm" else "Fieldwork"),
            ],
            key=lambda t: t.id,
        )
        self.template_table = make_table(self.templates, stretch=TESTS)
        self.firm_note = note()
        library = QWidget()
        library_layout = QVBoxLayout(library)
        library_layout.setContentsMargins(0, 0, 0, 0)
        library_layout.addWidget(
            section(
                "AI control templates",
                self.template_table,
                [("&Add the selected template to the engagement", self.add_selected)],
                [("E&xport the readiness workbook (Excel)...", self.export)],
            )
        )
        library_layout.addWidget(self.firm_note)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.line_table)
        splitter.addWidget(library)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)

    # -- loading --------------------------------------------------------------------------------------

    def load(self) -> None:
        self.banner.load()
        self.ctx.read("Loading the ISO/IEC 42001 readiness", readiness_page, self._show)

    def _show(self, page: ReadinessPage) -> None:
        self.page = page
        self.summary.setText(
            f"{page.readiness.summary} Through SOC 2 means a control serves a SOC 2 criterion the crosswalk "
            f"({page.readiness.crosswalk}) relates to the requirement: wholly (equal or subset) or partly "
            "(intersect). Double-click a requirement to open it."
        )
        self.problems.setText(" ".join(f"Left out of the library: {problem}" for problem in page.library.problems))
        self.templates.set_rows(page.library.templates)
        self.firm_note.setText(f"Your firm's own templates and test procedures go in {page.library.firm_folder}.")
        self._show_lines()

    def _show_lines(self) -> None:
        if self.page is None:
            return
        lines = self.page.readiness.lines
        if self.needs_work.isChecked():
            lines = tuple(line for line in lines if line.coverage.needs_work)
        self.lines.set_rows(lines)

    def _open_codes(self, template: ControlTemplate) -> list[str]:
        if self.page is None:
            return []
        open_codes = {line.code for line in self.page.readiness.lines if line.coverage.needs_work}
        return [code for code in template.requirements if code in open_codes]

    # -- acting ---------------------------------------------------------------------------------------

    def _requirement_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        """Put the first template that serves the requirement in front of the user."""
        if not current.isValid():
            return
        code = self.lines.row(current).code
        row = next((n for n, t in enumerate(self.templates.rows) if code in t.requirements), -1)
        if row >= 0:
            self.template_table.selectRow(row)

    def _open_requirement(self, index: QModelIndex) -> None:
        self.ctx.open(Target(Page.REQUIREMENT, self.lines.row(index).code))

    def selected_template(self) -> ControlTemplate | None:
        rows = self.template_table.selectionModel().selectedRows()
        return self.templates.row(rows[0]) if rows else None

    def add_selected(self) -> None:
        template = self.selected_template()
        if template is None:
            self.ctx.runner.status("Select a template first.")
            return
        self.ctx.write(f"{template.title} added", lambda db: add_template(db, template), self._added)

    def _added(self, made: Control) -> None:
        self.ctx.runner.status(f"Added {made.ref} {made.title}, linked to {', '.join(made.requirements)}.")

    def export(self) -> None:
        default = self.ctx.db.path.with_name(f"{self.ctx.db.path.stem} ISO 42001 readiness.xlsx")
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export the readiness workbook", str(default), "Excel workbook (*.xlsx)"
        )
        if chosen:
            target = Path(chosen).with_suffix(".xlsx")
            self.ctx.long(
                f"Exporting the readiness workbook to {target.name}",
                lambda db, task: _export(db, target, task),
                lambda _: offer_to_open(self, target),
            )


def _export(db: Engagement, target: Path, task: Task) -> Path:
    from fieldwork.app.exports.readiness_workbook import write_readiness_workbook  # openpyxl loads only when exporting

    write_readiness_workbook(readiness_page(db), target, task)
    return target
