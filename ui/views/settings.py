"""Engagement settings: the engagement's fields, its team, tickmark legend, system description, report options.

The engagement's fields are one record (`update_details` validates them together: a period
needs both ends), so any field that changes saves the whole form as the user sees it. A
refusal reloads the form from the file, and the sentence stays above the tabs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFormLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fieldwork.app.domain.records import EngagementDetails
from fieldwork.app.domain.vocabulary import DESCRIPTION_HEADINGS, TSC_CATEGORIES, ReportType
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import FieldworkError
from fieldwork.app.pages.settings import SettingsPage, load_settings_page
from fieldwork.app.services import engagement as engagement_service
from fieldwork.ui.context import Target, UiContext
from fieldwork.ui.crosswalk_banner import CrosswalkBanner
from fieldwork.ui.date_fields import DateField, OptionalDateField
from fieldwork.ui.flow_row import FlowRow
from fieldwork.ui.review_strip import ReviewStrip
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.views.editing import NoteLine, problem_note
from fieldwork.ui.views.settings_lists import DescriptionPanel, TeamPanel, TickmarkPanel
from fieldwork.ui.views.settings_subservice import SubservicePanel
from fieldwork.ui.widgets import ChoiceBox, CommitLineEdit, CommitTextEdit, heading, note

CATEGORY_LABELS = {
    "Security": "Security (always in scope)",
    "Availability": "Availa&bility",
    "Confidentiality": "Confidentia&lity",
    "Processing Integrity": "Processing &Integrity",
    "Privacy": "Pri&vacy",
}


def _text_box() -> CommitTextEdit:
    box = CommitTextEdit()
    box.setFixedHeight(9 * box.fontMetrics().lineSpacing())
    return box


def _form(tab: QWidget) -> QFormLayout:
    """Fields keep a readable width on a wide screen; choices and dates stay as wide as their contents. On a narrow
    page a label goes above a field that would not fit beside it."""
    form = QFormLayout(tab)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    tab.setMaximumWidth(900)
    return form


def _page(tab: QWidget) -> QWidget:
    """Holds a form at the top left of its tab, however large the window (at the height its rows take at the width
    there is: wrapped on a narrow page)."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.addWidget(tab, 0, Qt.AlignmentFlag.AlignTop)
    layout.addStretch(1)
    return page


class SettingsView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.details: EngagementDetails | None = None
        self.reload_all = False
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Engagement settings"))
        self.crosswalk = CrosswalkBanner(ctx)
        layout.addWidget(self.crosswalk)
        self.warnings = NoteLine()
        self.problem = problem_note()
        layout.addWidget(self.warnings)
        layout.addWidget(self.problem)
        self.tabs = QTabWidget()
        self.tabs.addTab(_page(self._engagement_tab()), "E&ngagement")
        self.team = TeamPanel(self)
        self.tabs.addTab(self.team, "Tea&m")
        self.tickmarks = TickmarkPanel(self)
        self.tabs.addTab(self.tickmarks, "Tic&kmarks")
        self.description = DescriptionPanel(self, ReviewStrip(ctx))
        self.tabs.addTab(self.description, "Desc&ription of the system")
        self.subservice = SubservicePanel(self)
        self.tabs.addTab(self.subservice, "S&ubservice and complementary controls")
        self.tabs.addTab(_page(self._report_tab()), "Report o&ptions")
        layout.addWidget(self.tabs, 1)
        self._save_on_change()

    # -- the engagement's fields ------------------------------------------------------------------

    def _engagement_tab(self) -> QWidget:
        tab = QWidget()
        self.form = _form(tab)
        self.client = CommitLineEdit()
        self.system = CommitLineEdit()
        self.report_type = ChoiceBox(ReportType)
        self.as_of = DateField()
        self.start = DateField()
        self.end = DateField()
        self.categories: dict[str, QCheckBox] = {}
        row = FlowRow()
        for category in TSC_CATEGORIES:
            box = QCheckBox(CATEGORY_LABELS[category])
            box.setEnabled(category != "Security")
            self.categories[category] = box
            row.addWidget(box)
        self.iso_scope = _text_box()
        self.stage = QLabel()  # one line: a wrapped label in this form is laid out before its text arrives
        self.form.addRow("Service &organization", self.client)
        self.form.addRow("S&ystem", self.system)
        self.form.addRow("Report &type", self.report_type)
        self.form.addRow("&As of date", self.as_of)
        self.form.addRow("Period &start", self.start)
        self.form.addRow("Period en&d", self.end)
        self.form.addRow("Trust Services categories", row)
        self.form.addRow("ISO/IEC 42001 s&cope", self.iso_scope)
        self.form.addRow("Engagement stage", self.stage)
        return tab

    def _report_tab(self) -> QWidget:
        tab = QWidget()
        form = _form(tab)
        self.firm = CommitLineEdit()
        self.city = CommitLineEdit()
        self.released = OptionalDateField()
        self.completed = OptionalDateField()
        form.addRow("Service &auditor's firm", self.firm)
        form.addRow("Firm's cit&y", self.city)
        form.addRow(note("The opinion is recorded on the opinion worksheet, beside the opinion the file proposes."))
        form.addRow("Report re&lease date", self.released)
        form.addRow("&Documentation completion date", self.completed)
        form.addRow(note("Documentation is to be assembled within 60 days of the report release date (AICPA)."))
        return tab

    def _save_on_change(self) -> None:
        for field in (self.client, self.system, self.iso_scope, self.firm, self.city):
            field.committed.connect(lambda _text: self.save())
        for dated in (self.as_of, self.start, self.end, self.released, self.completed):
            dated.committed.connect(lambda _date: self.save())
        for check in self.categories.values():
            check.toggled.connect(lambda _checked: self.save())
        self.report_type.chosen.connect(self._type_chosen)

    def _type_chosen(self, _report_type: Any) -> None:
        self._show_dates_for(self._report_type())
        self.save()

    def _report_type(self) -> ReportType:
        return ReportType(self.report_type.value() or ReportType.TYPE2)

    def _show_dates_for(self, report_type: ReportType) -> None:
        type1 = report_type is ReportType.TYPE1
        self.form.setRowVisible(self.as_of, type1)
        self.form.setRowVisible(self.start, not type1)
        self.form.setRowVisible(self.end, not type1)

    def collect(self) -> EngagementDetails:
        return engagement_service.normalized(
            EngagementDetails(
                client=self.client.text(),
                system_name=self.system.text(),
                report_type=self._report_type(),
                period_start=self.start.value(),
                period_end=self.end.value(),
                as_of_date=self.as_of.value(),
                tsc_categories=tuple(c for c, box in self.categories.items() if box.isChecked()),
                iso_scope=self.iso_scope.toPlainText(),
                report_release_date=self.released.value(),
                documentation_completion_date=self.completed.value(),
                auditor_firm=self.firm.text(),
                auditor_city=self.city.text(),
            )
        )

    def save(self) -> None:
        if self.details is None:
            return
        wanted = self.collect()
        if wanted != self.details:
            self.details = wanted
            self.write("Engagement settings", lambda db: engagement_service.update_details(db, wanted), self._warn)

    def _warn(self, warnings: tuple[str, ...]) -> None:
        self.warnings.setText(" ".join(warnings))

    # -- loading and saving -----------------------------------------------------------------------

    def write(
        self, label: str, work: Callable[[Engagement], Any], on_done: Callable[[Any], None] | None = None
    ) -> None:
        """Every save on this page: a refusal is said above the tabs and the page reloads from the file."""

        def saved(result: Any) -> None:
            self.problem.setText("")
            if on_done is not None:
                on_done(result)

        self.ctx.write(label, work, saved, on_error=self._refused)

    def refuse(self, message: str) -> None:
        self.problem.setText(message)
        self.ctx.runner.status(message)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, FieldworkError):
            self.problem.setText(exc.message)
        self.reload_all = True
        self.load()

    def show_target(self, target: Target) -> None:
        """A description heading (opened from a review note or a changed item) shows its tab and text."""
        super().show_target(target)
        if isinstance(target.key, str) and target.key in DESCRIPTION_HEADINGS:
            self.tabs.setCurrentWidget(self.description)
            self.description.choose(target.key)

    def load(self) -> None:
        self.crosswalk.load()
        self.ctx.read("Loading the engagement settings", load_settings_page, self._show)

    def _show(self, page: SettingsPage) -> None:
        self.details = page.details
        self._warn(page.warnings)
        self._show_details(page.details)
        self.stage.setText(f"<b>{page.stage.stage.label}</b> (from the file: {page.stage.reason})")
        self.team.show_team(page.team)
        self.tickmarks.show_tickmarks(page.tickmarks)
        self.description.show_description(page.description, page.to_update)
        self.subservice.show_subservice(page.subservice)
        self.reload_all = False

    def _typing_in(self, field: QWidget) -> bool:
        """A reload after some other save must not overwrite what the user is typing; after a refusal it must."""
        focus = QApplication.focusWidget()
        return not self.reload_all and focus is not None and (focus is field or field.isAncestorOf(focus))

    def _show_details(self, d: EngagementDetails) -> None:
        as_of = d.as_of_date or d.period_end or date.today()
        end = d.period_end or as_of
        start = d.period_start or end - timedelta(days=364)
        texts: list[tuple[CommitLineEdit | CommitTextEdit, str]] = [
            (self.client, d.client),
            (self.system, d.system_name),
            (self.iso_scope, d.iso_scope),
            (self.firm, d.auditor_firm),
            (self.city, d.auditor_city),
        ]
        for field, text in texts:
            if not self._typing_in(field):
                field.load(text)
        for dated, value in ((self.as_of, as_of), (self.start, start), (self.end, end)):
            if not self._typing_in(dated):
                dated.load(value)
        optional_dates: list[tuple[OptionalDateField, date | None, date]] = [
            (self.released, d.report_release_date, end + timedelta(days=45)),
            (self.completed, d.documentation_completion_date, (d.report_release_date or end) + timedelta(days=60)),
        ]
        for optional, chosen, fallback in optional_dates:
            if not self._typing_in(optional):
                optional.load(chosen, fallback)
        self.report_type.load(d.report_type)
        self._show_dates_for(d.report_type)
        for category, box in self.categories.items():
            box.blockSignals(True)
            box.setChecked(category in d.tsc_categories)
            box.blockSignals(False)
