"""Information produced by the entity: each population a test relies on and each key report a control relies on,
with its assessment, and the engagement's rule that a clean conclusion needs its population assessed."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QInputDialog, QMessageBox, QVBoxLayout, QWidget

from fieldwork.app.domain.ipe import IpeAssessment, IpeResult, PopulationIpe
from fieldwork.app.domain.refs import listed
from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.errors import FieldworkError
from fieldwork.app.pages.ipe import IpePage, load_ipe_page
from fieldwork.app.services import ipe as service
from fieldwork.ui.context import Page, Target, UiContext
from fieldwork.ui.dialogs.ipe import IpeDialog, assess_population
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.status_style import icon
from fieldwork.ui.tables import make_table, selected_rows
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.widgets import button_row, heading, note


def ipe_status(result: IpeResult | None) -> Status:
    """An assessment in the navigator's colours: assessed reliable, found wanting, or not yet assessed."""
    if result is IpeResult.RELIABLE:
        return Status.CONCLUDED
    return Status.EXCEPTIONS if result is IpeResult.NOT_RELIABLE else Status.NOT_STARTED


#: How many tests the summary names as still to assess (the table marks them all: at `--scale 20` the names of
#: 917 made an 11,500-character paragraph that took 17 ms to lay out each time the page showed).
NAMED = 10


class IpeView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.page: IpePage | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Information produced by the entity"))
        self.summary = note()
        layout.addWidget(self.summary)
        self.rule = QCheckBox("'No exceptions noted' needs an assessed population (&rule)")
        self.rule.clicked.connect(self.switch_rule)
        self.rule_reason = note()
        layout.addWidget(self.rule)
        layout.addWidget(self.rule_reason)
        self.populations = RowTableModel[PopulationIpe](
            [
                Column("Test", lambda p: p.test_ref, icon=lambda p: icon(ipe_status(p.result))),
                Column("Population", lambda p: p.population, tooltip=lambda p: p.population),
                Column("Assessment", lambda p: p.assessment.ref if p.assessment else ""),
                Column("Source system", lambda p: p.assessment.values.source_system if p.assessment else ""),
                Column("Result", lambda p: p.state),
                Column("Concluded", lambda p: "No exceptions noted" if p.concluded_clean else ""),
            ],
            key=lambda p: p.test_id,
        )
        self.population_table = make_table(self.populations, stretch=1, stretch_at_least=220)
        self.population_table.doubleClicked.connect(lambda index: self.assess(self.populations.row(index)))
        layout.addWidget(self.population_table, 4)
        row, _ = button_row([("&Assess population...", self.assess_selected), ("Open test", self.open_test)])
        layout.addLayout(row)
        layout.addWidget(heading("Key reports the controls rely on"))
        self.reports = RowTableModel[IpeAssessment](
            [
                Column("Ref", lambda a: a.ref, icon=lambda a: icon(ipe_status(a.values.result))),
                Column("Control", lambda a: a.subject_ref),
                Column("Report", lambda a: a.values.name),
                Column("Source system", lambda a: a.values.source_system),
                Column("Result", lambda a: a.values.result.label if a.values.result else "Not assessed"),
            ],
            key=lambda a: a.id,
        )
        self.report_table = make_table(self.reports, stretch=2, stretch_at_least=220)
        self.report_table.doubleClicked.connect(lambda index: self.edit_report(self.reports.row(index)))
        layout.addWidget(self.report_table, 1)
        row, _ = button_row(
            [("Add &key report...", self.add_report), ("Edit report...", self.edit_selected_report)],
            [("Delete report...", self.delete_report)],
        )
        layout.addLayout(row)

    def load(self) -> None:
        self.ctx.read("Loading the IPE assessments", load_ipe_page, self._show)

    def _show(self, page: IpePage) -> None:
        self.page = page
        register = page.register
        waiting = [p.test_ref for p in register.populations if p.result is not IpeResult.RELIABLE]
        still = f" Not assessed or not reliable: {listed(waiting, NAMED)}." if waiting else ""
        self.summary.setText(
            f"{len(register.populations)} tests rely on a population listed by the entity; "
            f"<b>{register.assessed} assessed</b> for completeness and accuracy.{still} "
            "Double-click a row to assess it."
        )
        self.rule.setChecked(register.rule.required)
        self.rule_reason.setText(
            "" if register.rule.required else f"Switched off for this engagement: {register.rule.reason}"
        )
        self.rule_reason.setVisible(not register.rule.required)
        self.populations.set_rows(register.populations)
        self.reports.set_rows(register.reports)

    def switch_rule(self, on: bool) -> None:
        reason = ""
        if not on:
            reason, ok = QInputDialog.getMultiLineText(
                self, "IPE rule", "Why may tests conclude without assessing their populations in this engagement?"
            )
            if not ok:
                self.rule.setChecked(True)
                return
        self.ctx.write("IPE rule", lambda db: service.set_rule(db, on, reason), on_error=self._refused)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, FieldworkError):
            QMessageBox.warning(self, "Information produced by the entity", exc.message)
        self.load()

    def _selected_population(self) -> PopulationIpe | None:
        rows = selected_rows(self.population_table)
        return self.populations.rows[rows[0]] if rows else None

    def assess(self, relied: PopulationIpe) -> None:
        assess_population(self.ctx, self, relied)

    def assess_selected(self) -> None:
        if chosen := self._selected_population():
            self.assess(chosen)

    def open_test(self) -> None:
        if chosen := self._selected_population():
            self.ctx.open(Target(Page.TEST, chosen.test_id))

    def add_report(self) -> None:
        if self.page is None or not self.page.controls:
            return
        IpeDialog(
            self.ctx,
            "a key report",
            lambda values, control: lambda db: service.add_key_report(db, control, values),
            report=True,
            controls=self.page.controls,
            parent=self,
        ).exec()

    def edit_report(self, found: IpeAssessment) -> None:
        IpeDialog(
            self.ctx,
            found.label,
            lambda values, _control: lambda db: service.update_assessment(db, found.id, values),
            found.values,
            report=True,
            parent=self,
        ).exec()

    def _selected_report(self) -> IpeAssessment | None:
        rows = selected_rows(self.report_table)
        return self.reports.rows[rows[0]] if rows else None

    def edit_selected_report(self) -> None:
        if chosen := self._selected_report():
            self.edit_report(chosen)

    def delete_report(self) -> None:
        chosen = self._selected_report()
        if chosen is None:
            return
        question = f"Delete {chosen.ref} ({chosen.label})? Its evidence files stay in the library."
        if QMessageBox.question(self, "Delete key report", question) == QMessageBox.StandardButton.Yes:
            self.ctx.write(f"{chosen.ref} deleted", lambda db: service.delete_assessment(db, chosen.id))
