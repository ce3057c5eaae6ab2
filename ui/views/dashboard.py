"""Where the engagement stands: progress per framework and group, the judgements (conclusions, open findings,
whether the file supports the opinion), open items and exceptions."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from fieldwork.app.domain.judgements import CriterionConclusion, FindingKind
from fieldwork.app.domain.records import Deviation, RequirementStatus, StatusCounts
from fieldwork.app.domain.vocabulary import Framework, Status
from fieldwork.app.pages.dashboard import DashboardPage, NextStep, load_dashboard_page, next_step
from fieldwork.app.services.overview import GroupProgress
from fieldwork.ui.context import Page, Target, UiContext
from fieldwork.ui.context_menus import ContextMenu, open_and_copy
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.status_style import colour, icon
from fieldwork.ui.tables import make_table
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.widgets import heading, note

SEGMENTS = (Status.CONCLUDED, Status.IN_PROGRESS, Status.EXCEPTIONS, Status.NOT_STARTED)


@dataclass(frozen=True)
class OpenItem:
    code: str
    title: str
    status: Status
    detail: str


def completion_text(page: DashboardPage) -> str:
    """The stage, and the completion items finalizing will check that are not complete yet."""
    stage = f"Stage: <b>{page.stage.stage.label}</b> ({page.stage.reason})"
    if not page.completion:
        return stage
    return (
        f"{stage} · <a href='workpapers'>Completion items not complete: <b>{page.open_completion_items}</b> "
        f"of {len(page.completion)}</a>"
    )


def _amount(counts: StatusCounts, status: Status) -> int:
    return int(getattr(counts, status.value))


class ProgressBar(QWidget):
    """One group's requirements as a stacked bar: concluded, in progress, exceptions, not started."""

    clicked = Signal()

    def __init__(self, group: GroupProgress, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = group
        self.setMinimumHeight(18)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        parts = ", ".join(f"{_amount(group.counts, s)} {s.label.lower()}" for s in SEGMENTS)
        self.setToolTip(f"{group.title}: {parts}")
        self.setAccessibleName(self.toolTip())

    def sizeHint(self) -> QSize:
        return QSize(320, 18)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        total = max(self.group.counts.in_scope, 1)
        x = 0.0
        width = float(self.width())
        for status in SEGMENTS:
            share = _amount(self.group.counts, status) / total * width
            painter.fillRect(QRectF(x, 2, share, self.height() - 4), colour(status))
            x += share
        painter.end()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.clicked.emit()


def conclusion_line(page: DashboardPage, framework: Framework) -> str:
    """How many requirements of a framework the auditor has concluded each way ("16 met, 7 met with ...")."""
    found = page.conclusions.get(framework, {})
    parts = [f"{found[kind]} {kind.label.lower()}" for kind in CriterionConclusion if found.get(kind)]
    return f"{framework.label}: {', '.join(parts) or 'nothing in scope'}"


#: Kinds of finding counted in the plural.
PLURALS = {
    FindingKind.MAJOR: "major nonconformities",
    FindingKind.MINOR: "minor nonconformities",
    FindingKind.OBSERVATION: "observations",
    FindingKind.OFI: "opportunities for improvement",
}


def findings_line(page: DashboardPage) -> str:
    counts = page.open_findings
    parts = [
        f"{n} {kind.label.lower() if n == 1 else PLURALS[kind]}" for kind in FindingKind if (n := counts.get(kind))
    ]
    return ", ".join(parts) or "none"


def opinion_line(page: DashboardPage) -> str:
    """The opinion recorded and whether the file supports it, as a link to the worksheet."""
    worksheet = page.worksheet
    recorded = worksheet.overall_recorded.label
    if worksheet.supported:
        return f"{recorded}, supported by the file · <a href='opinion'>Opinion worksheet</a>"
    reasons = len(worksheet.reasons)
    return (
        f"{recorded}, <b style='color:{colour(Status.EXCEPTIONS).name()}'>not supported by the file</b> "
        f"({reasons} reason{'s' if reasons != 1 else ''}) · <a href='opinion'>Opinion worksheet</a>"
    )


def review_line(page: DashboardPage, today: date) -> str:
    """Open review notes, items changed after review, and the countdown to documentation completion."""
    review = page.review
    answered = f" ({review.answered_notes} answered, awaiting the reviewer)" if review.answered_notes else ""
    parts = [
        f"{review.open_notes} open review note{'s' if review.open_notes != 1 else ''}{answered} · "
        "<a href='notes'>Review notes</a>",
        f"{review.stale} item{'s' if review.stale != 1 else ''} changed after review · "
        "<a href='changed'>Changed since review</a>",
    ]
    left = review.days_left(today)
    if left is not None and review.completion_date is not None:
        due = review.completion_date.isoformat()
        if left >= 0:
            parts.append(f"<b>{left} day{'s' if left != 1 else ''} left</b> to complete the documentation (by {due})")
        else:
            warn = colour(Status.EXCEPTIONS).name()
            parts.append(f"<b style='color:{warn}'>documentation completion date {due} passed {-left} days ago</b>")
    if review.finalized is not None:
        parts.append(f"Finalized on {review.finalized.finalized_at[:10]} by {review.finalized.member}")
    return "<br>".join(parts)


def _detail(state: RequirementStatus) -> str:
    if state.gap:
        return "no control"
    counts = f"{state.tests_concluded}/{state.tests} tests concluded"
    return f"{counts}; {state.awaiting_note}" if state.awaiting_note else counts


TAB_TITLES = ("&Progress", "&Open items", "E&xceptions")


class DashboardView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.step: NextStep | None = None
        outer = QVBoxLayout(self)
        self.summary = heading("")
        self.counts = note()
        outer.addWidget(self.summary)
        outer.addWidget(self.counts)
        self.work = note()
        self.work.linkActivated.connect(lambda _link: ctx.open(Target(Page.WORKPAPERS)))
        outer.addWidget(self.work)
        self.next_step = note()
        self.next_step.setObjectName("next_step")
        self.next_step.setFrameShape(QFrame.Shape.StyledPanel)
        self.next_step.setStyleSheet("#next_step { background: #e8f0fe; padding: 6px; }")
        self.next_step.linkActivated.connect(lambda _link: self._take_next_step())
        outer.addWidget(self.next_step)
        outer.addLayout(self._judgements())
        # One full-height tab each (three boxes stacked left each a few lines high).
        self.tabs = QTabWidget()
        outer.addWidget(self.tabs, 1)
        progress = QWidget()
        column = QVBoxLayout(progress)
        legend = " ".join(f"<span style='color:{colour(s).name()}'>■</span> {s.label}" for s in SEGMENTS)
        column.addWidget(note(legend))
        self.bars_area = QScrollArea()
        self.bars_area.setWidgetResizable(True)
        self.bars_area.setFrameShape(QFrame.Shape.NoFrame)
        column.addWidget(self.bars_area, 1)
        self.tabs.addTab(progress, TAB_TITLES[0])

        self.open_items = RowTableModel[OpenItem](
            [
                Column("Requirement", lambda r: r.code, icon=lambda r: icon(r.status)),
                Column("Title", lambda r: r.title),
                Column("Status", lambda r: r.status.label),
                Column("Detail", lambda r: r.detail),
            ],
            key=lambda r: r.code,
        )
        self.open_table = make_table(self.open_items, stretch=1)
        self.open_table.doubleClicked.connect(
            lambda index: ctx.open(Target(Page.REQUIREMENT, self.open_items.row(index).code))
        )
        ContextMenu(
            self.open_table,
            lambda index: open_and_copy(
                index,
                lambda: ctx.open(Target(Page.REQUIREMENT, self.open_items.row(index).code)),
                lambda: self.open_items.row(index).code,
            ),
        )
        self.tabs.addTab(self.open_table, TAB_TITLES[1])

        self.exceptions = RowTableModel[Deviation](
            [
                Column("Test", lambda d: d.test_ref, icon=lambda d: icon(Status.EXCEPTIONS)),
                Column("Deviation", lambda d: d.ref),
                Column("What happened", lambda d: d.description, tooltip=lambda d: d.description),
                Column("Management response", lambda d: "recorded" if d.management_response else "missing"),
            ],
            key=lambda d: d.id,
        )
        self.exception_table = make_table(self.exceptions, stretch=2, row_lines=2)
        self.exception_table.doubleClicked.connect(
            lambda index: ctx.open(Target(Page.TEST, self.exceptions.row(index).test_id))
        )
        ContextMenu(
            self.exception_table,
            lambda index: open_and_copy(
                index,
                lambda: ctx.open(Target(Page.TEST, self.exceptions.row(index).test_id)),
                lambda: self.exceptions.row(index).ref,
            ),
        )
        self.tabs.addTab(self.exception_table, TAB_TITLES[2])

    def _judgements(self) -> QGridLayout:
        grid = QGridLayout()
        self.conclusion_counts = note()
        self.open_findings = note()
        self.opinion = note()
        self.review = note()
        for label in (self.open_findings, self.opinion, self.review):
            label.linkActivated.connect(lambda page: self.ctx.open(Target(Page(page))))
        for row, (title, label) in enumerate(
            (
                ("Conclusions", self.conclusion_counts),
                ("Open findings", self.open_findings),
                ("Opinion", self.opinion),
                ("Review", self.review),
            )
        ):
            grid.addWidget(QLabel(f"<b>{title}</b>"), row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(label, row, 1)
        grid.setColumnStretch(1, 1)
        return grid

    def load(self) -> None:
        self.ctx.read("Loading the dashboard", load_dashboard_page, self._show)

    def _show(self, page: DashboardPage) -> None:
        details = page.details
        self.summary.setText(f"{details.client}: {details.system_name}")
        n = page.counts
        self.counts.setText(
            f"{details.report_type.label}, {details.period_label} · {n['controls']} controls, {n['tests']} tests, "
            f"{n['sample_items']} sample items, {n['deviations']} exceptions"
            + (f" · {len(page.gaps)} requirement(s) without a control" if page.gaps else "")
            + (
                f" · {page.tests_without_evidence} test(s) concluded without evidence"
                if page.tests_without_evidence
                else ""
            )
        )
        self.work.setText(completion_text(page))
        self._show_judgements(page)
        self._show_bars(page)
        items = [
            OpenItem(code, page.titles.get(code, ""), state.status, _detail(state))
            for code, state in page.statuses.items()
            if state.status in (Status.NOT_STARTED, Status.IN_PROGRESS, Status.EXCEPTIONS)
        ]
        self.open_items.set_rows(items)
        self.exceptions.set_rows(page.deviations)
        self.tabs.setTabText(1, f"{TAB_TITLES[1]} ({len(items)})")
        self.tabs.setTabText(2, f"{TAB_TITLES[2]} ({len(page.deviations)})")
        self.step = next_step(page)
        said = html.escape(self.step.text, quote=False)
        self.next_step.setText(f"<b>Next step:</b> {said} <a href='go'>Go there</a>")

    def _take_next_step(self) -> None:
        if self.step is not None:
            self.ctx.open(self.step.opens)

    def _show_judgements(self, page: DashboardPage) -> None:
        self.conclusion_counts.setText("<br>".join(conclusion_line(page, f) for f in Framework))
        self.open_findings.setText(findings_line(page) + " · <a href='findings'>Findings register</a>")
        self.opinion.setText(opinion_line(page))
        self.review.setText(review_line(page, date.today()))

    def _show_bars(self, view: DashboardPage) -> None:
        panel = QWidget()
        grid = QGridLayout(panel)
        rows = 0
        for number, framework in enumerate(Framework):  # side by side: every group in view at once
            left = 3 * number
            totals = view.totals[framework]
            share = f"{totals.concluded} of {totals.in_scope} tested" if totals.in_scope else ""
            grid.addWidget(heading(f"{framework.label}  ({share})"), 0, left, 1, 3)
            row = 1
            for group in (g for g in view.groups if g.framework is framework):
                bar = ProgressBar(group)
                first = group.requirements[0] if group.requirements else None
                if first:
                    bar.clicked.connect(lambda code=first: self.ctx.open(Target(Page.REQUIREMENT, code)))
                grid.addWidget(note(group.title), row, left)
                grid.addWidget(bar, row, left + 1)
                grid.addWidget(note(f"{group.counts.concluded}/{group.counts.in_scope}"), row, left + 2)
                row += 1
            grid.setColumnStretch(left, 2)
            grid.setColumnStretch(left + 1, 2)
            rows = max(rows, row)
        grid.setRowStretch(rows, 1)
        self.bars_area.setWidget(panel)
