"""Where the engagement stands: progress per framework and group, open items and exceptions."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.records import Deviation, RequirementStatus, StatusCounts
from app.domain.vocabulary import Framework, Status
from app.pages.workpapers import WorkpapersPage, load_workpapers_page
from app.services import deviations as deviation_service
from app.services.overview import GroupProgress, Overview, overview
from app.services.requirements import list_requirements
from app.storage.engagement_file import EngagementFile
from ui.context import Target, UiContext
from ui.models.table import Column, RowTableModel
from ui.status_style import colour, icon
from ui.tables import make_table
from ui.views.base import DetailView
from ui.widgets import heading, note

SEGMENTS = (Status.CONCLUDED, Status.IN_PROGRESS, Status.EXCEPTIONS, Status.NOT_STARTED)


@dataclass(frozen=True)
class OpenItem:
    code: str
    title: str
    status: Status
    detail: str


@dataclass(frozen=True)
class DashboardData:
    overview: Overview
    titles: dict[str, str]
    deviations: list[Deviation]
    workpapers: WorkpapersPage


def load_dashboard(db: EngagementFile) -> DashboardData:
    titles = {r.code: r.title for r in list_requirements(db)}
    return DashboardData(overview(db), titles, deviation_service.list_deviations(db), load_workpapers_page(db))


def completion_text(page: WorkpapersPage) -> str:
    """The stage, and the completion items finalizing will check that are not complete yet."""
    stage = f"Stage: <b>{page.stage.stage.label}</b> ({page.stage.reason})"
    if not page.completion:
        return stage
    return (
        f"{stage} · <a href='workpapers'>Completion items not complete: <b>{page.open_items}</b> "
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


def _detail(state: RequirementStatus) -> str:
    if state.gap:
        return "no control"
    counts = f"{state.tests_concluded}/{state.tests} tests concluded"
    return f"{counts}; {state.awaiting_note}" if state.awaiting_note else counts


class DashboardView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        outer = QVBoxLayout(self)
        self.summary = heading("")
        self.counts = note()
        outer.addWidget(self.summary)
        outer.addWidget(self.counts)
        self.work = note()
        self.work.linkActivated.connect(lambda _link: ctx.open(Target("workpapers")))
        outer.addWidget(self.work)
        legend = " ".join(f"<span style='color:{colour(s).name()}'>■</span> {s.label}" for s in SEGMENTS)
        outer.addWidget(note(legend))
        self.bars_area = QScrollArea()
        self.bars_area.setWidgetResizable(True)
        outer.addWidget(self.bars_area, 3)

        outer.addWidget(heading("Open items"))
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
            lambda index: ctx.open(Target("requirement", self.open_items.row(index).code))
        )
        outer.addWidget(self.open_table, 2)

        outer.addWidget(heading("Exceptions"))
        self.exceptions = RowTableModel[Deviation](
            [
                Column("Test", lambda d: d.test_ref, icon=lambda d: icon(Status.EXCEPTIONS)),
                Column("Deviation", lambda d: d.ref),
                Column("What happened", lambda d: d.description, tooltip=lambda d: d.description),
                Column("Management response", lambda d: "recorded" if d.management_response else "missing"),
            ],
            key=lambda d: d.id,
        )
        self.exception_table = make_table(self.exceptions, stretch=1)
        self.exception_table.doubleClicked.connect(
            lambda index: ctx.open(Target("test", self.exceptions.row(index).test_id))
        )
        outer.addWidget(self.exception_table, 2)

    def load(self) -> None:
        self.ctx.read("Loading the dashboard", load_dashboard, self._show)

    def _show(self, data: DashboardData) -> None:
        view = data.overview
        details = view.details
        self.summary.setText(f"{details.client}: {details.system_name}")
        n = view.counts
        self.counts.setText(
            f"{details.report_type.label}, {details.period_label} · {n['controls']} controls, {n['tests']} tests, "
            f"{n['sample_items']} sample items, {n['deviations']} exceptions"
            + (f" · {len(view.gaps)} requirement(s) without a control" if view.gaps else "")
        )
        self.work.setText(completion_text(data.workpapers))
        self._show_bars(view)
        items = [
            OpenItem(
                code,
                data.titles.get(code, ""),
                state.status,
                _detail(state),
            )
            for code, state in view.statuses.items()
            if state.status in (Status.NOT_STARTED, Status.IN_PROGRESS, Status.EXCEPTIONS)
        ]
        self.open_items.set_rows(items)
        self.exceptions.set_rows(data.deviations)

    def _show_bars(self, view: Overview) -> None:
        panel = QWidget()
        grid = QGridLayout(panel)
        row = 0
        for framework in Framework:
            totals = view.framework_counts(framework)
            share = f"{totals.concluded} of {totals.in_scope} concluded" if totals.in_scope else ""
            grid.addWidget(heading(f"{framework.label}  ({share})"), row, 0, 1, 3)
            row += 1
            for group in (g for g in view.groups if g.framework is framework):
                bar = ProgressBar(group)
                first = group.requirements[0] if group.requirements else None
                if first:
                    bar.clicked.connect(lambda code=first: self.ctx.open(Target("requirement", code)))
                grid.addWidget(note(group.title), row, 0)
                grid.addWidget(bar, row, 1)
                grid.addWidget(note(f"{group.counts.concluded}/{group.counts.in_scope}"), row, 2)
                row += 1
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(row, 1)
        self.bars_area.setWidget(panel)
