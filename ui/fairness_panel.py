"""A test's fairness re-performances, in its findings: the latest run's table, earlier runs a choice away.

Each run is stored with the test (`fairness_results`) with the decisions file's name and SHA-256; the rates and
ratios shown are rebuilt exactly from the stored counts, as the workpapers show them.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QMessageBox, QPushButton, QVBoxLayout, QWidget

from fieldwork.app.domain.fairness import GroupRate, StoredFairnessResult
from fieldwork.app.domain.ids import TestId
from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.services.fairness import percent, ratio_text, run_fairness
from fieldwork.app.services.fairness_results import delete_fairness_result
from fieldwork.ui.context import UiContext
from fieldwork.ui.dialogs.fairness_run import FairnessRunDialog
from fieldwork.ui.evidence_panel import local_time
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.status_style import COLOURS, icon
from fieldwork.ui.tables import make_table
from fieldwork.ui.widgets import heading, note

BELOW_SHADE = "#fce8e6"


def summary_html(stored: StoredFairnessResult) -> str:
    """Where the figures come from and how to read them, with the caveats."""
    figures = stored.result.figures
    sheet = f", sheet {escape(figures.sheet)}" if figures.sheet else ""
    below = ", ".join(escape(g.group) for g in figures.below_four_fifths)
    verdict = (
        f"<b style='color: {COLOURS[Status.EXCEPTIONS]}'>Below four fifths of {escape(figures.reference.group)}'s "
        f"rate: {below}.</b>"
        if below
        else f"No group is below four fifths of {escape(figures.reference.group)}'s rate."
    )
    columns = f"group column '{escape(figures.group_column)}', outcome column '{escape(figures.outcome_column)}'"
    lines = [
        f"{escape(figures.source_name)}{sheet} · SHA-256 {figures.sha256}",
        f"{figures.decisions:,} decisions; {columns}.",
        escape(figures.rule),
        verdict,
        *(f"Caveat: {escape(caveat)}" for caveat in figures.caveats),
    ]
    return "<br>".join(lines)


def _run_label(stored: StoredFairnessResult) -> str:
    figures = stored.result.figures
    when = local_time(stored.result.computed_at)
    return f"By {figures.group_column} · {figures.source_name} · run {when} by {stored.result.computed_by}"


class FairnessPanel(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.test: tuple[TestId, str] | None = None
        self.results: list[StoredFairnessResult] = []
        self.title = heading("Fairness re-performance")
        self.runs = QComboBox()
        self.runs.activated.connect(lambda _index: self._show_run())
        run = QPushButton("Re-perform from a &decisions file...")
        run.clicked.connect(self.reperform)
        self.delete = QPushButton("Delete this run...")
        self.delete.clicked.connect(self.delete_run)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(run)
        top.addWidget(self.delete)
        self.summary = note()
        self.groups = RowTableModel[GroupRate](
            [
                Column(
                    "Group", lambda g: g.group, icon=lambda g: icon(Status.EXCEPTIONS) if g.below_four_fifths else None
                ),
                Column("Decisions", lambda g: f"{g.decisions:,}"),
                Column("Favourable", lambda g: f"{g.favourable:,}"),
                Column("Selection rate", lambda g: percent(g.selection_rate)),
                Column("Impact ratio", lambda g: ratio_text(g.impact_ratio)),
                Column("Small group", lambda g: "Yes" if g.small else ""),
            ],
            key=lambda g: g.group,
            highlight=lambda g: BELOW_SHADE if g.below_four_fifths else None,
        )
        self.table = make_table(self.groups, stretch=0)
        self.table.setMaximumHeight(self.table.verticalHeader().defaultSectionSize() * 9)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.runs)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)

    def show_results(self, test_id: TestId, test_ref: str, results: list[StoredFairnessResult]) -> None:
        self.test, self.results = (test_id, test_ref), results
        self.runs.clear()
        self.runs.addItems([_run_label(r) for r in results])
        for widget in (self.runs, self.delete, self.summary, self.table):
            widget.setVisible(bool(results))
        self.title.setText(f"Fairness re-performance ({len(results)})" if results else "Fairness re-performance")
        self._show_run()

    def _chosen(self) -> StoredFairnessResult | None:
        index = self.runs.currentIndex()
        return self.results[index] if 0 <= index < len(self.results) else None

    def _show_run(self) -> None:
        chosen = self._chosen()
        self.summary.setText(summary_html(chosen) if chosen else "")
        self.groups.set_rows(list(chosen.result.figures.groups) if chosen else [])

    def reperform(self) -> None:
        if self.test is None:
            return
        name, _ = QFileDialog.getOpenFileName(self, "Decisions file", "", "Spreadsheets (*.csv *.xlsx);;All files (*)")
        if not name:
            return
        dialog = FairnessRunDialog(Path(name), self.ctx.runner, self)
        if not dialog.exec():
            return
        source, group, outcome, favourable = dialog.choice()
        _, ref = self.test
        self.ctx.long(
            f"Re-performing the fairness review from {source.path.name}",
            lambda db, task: run_fairness(db, ref, source, group, outcome, favourable, task),
        )

    def delete_run(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        question = f"Delete the run of {chosen.result.computed_at} on {chosen.result.figures.source_name}?"
        if QMessageBox.question(self, "Delete fairness run", question) == QMessageBox.StandardButton.Yes:
            self.ctx.write("Fairness run deleted", lambda db: delete_fairness_result(db, chosen.id))
