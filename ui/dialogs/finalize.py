"""Finalize…: what stops it (each item), or the report release date and the dates that follow from it.

Finalizing runs the full verification, so it is long work with progress; the service checks again as it
finalizes and its refusal is said in the dialog's foot.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QTreeWidget, QTreeWidgetItem, QWidget

from fieldwork.app.domain.changed import Changed
from fieldwork.app.errors import FieldworkError
from fieldwork.app.pages.review import FinalizingPage, load_finalizing_page
from fieldwork.app.services.finalizing import Finalized, finalize
from fieldwork.app.services.history import recorded
from fieldwork.ui.context import UiContext
from fieldwork.ui.date_fields import DateField
from fieldwork.ui.dialogs.foot import Button, dialog_foot
from fieldwork.ui.widgets import note

#: A check with more problems than this is shown closed (its title counts them); the user opens it.
EXPANDED = 30


class FinalizeDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.page: FinalizingPage | None = None
        self.result_finalized: Finalized | None = None
        self.setWindowTitle("Finalize the engagement")
        self.intro = note("Checking what finalizing needs…")
        self.blockers = QTreeWidget()
        self.blockers.setHeaderHidden(True)
        self.blockers.setWordWrap(True)
        self.release = DateField()
        self.release.load(date.today())
        self.release.dateChanged.connect(lambda _date: self._show_dates())
        self.dates = note()
        form = QFormLayout(self)
        form.addRow(self.intro)
        form.addRow(self.blockers)
        self.release_label = QLabel("Report &release date")
        self.release_label.setBuddy(self.release)
        form.addRow(self.release_label, self.release)
        form.addRow(self.dates)
        self.error, self.buttons = dialog_foot(self, form.addRow, self.start, Button.Ok)
        self.buttons.button(Button.Ok).setText("&Finalize")
        self.resize(640, 420)
        ctx.read("Checking what finalizing needs", load_finalizing_page, self._show)

    def _show(self, page: FinalizingPage) -> None:
        self.page = page
        refused = bool(page.blockers) or page.finalized is not None
        self.blockers.clear()
        for blocker in page.blockers:
            group = QTreeWidgetItem(self.blockers, [blocker.title])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            for problem in blocker.problems:
                QTreeWidgetItem(group, [problem])
            group.setExpanded(len(blocker.problems) <= EXPANDED)
        self.blockers.setVisible(bool(page.blockers))
        for widget in (self.release, self.release_label, self.dates):
            widget.setVisible(not refused)
        self.buttons.button(Button.Ok).setEnabled(not refused)
        if page.finalized is not None:
            self.intro.setText(f"The engagement was finalized on {page.finalized.finalized_at[:10]} already.")
        elif page.blockers:
            self.intro.setText("<b>The engagement cannot be finalized yet.</b> Resolve each of these first:")
        else:
            self.intro.setText(
                "Nothing stops finalizing. Finalizing verifies the whole file, writes a manifest of the evidence and "
                "the history, and makes the file read-only: later changes need an addendum with its reason."
            )
        self._show_dates()

    def _show_dates(self) -> None:
        if self.page is None:
            return
        days = self.page.completion_days
        completed = self.release.value() + timedelta(days=days)
        self.dates.setText(f"The documentation is to be complete by {completed.isoformat()} ({days} days after).")

    def start(self) -> None:
        db, release = self.ctx.db, self.release.value()
        self.buttons.setEnabled(False)
        self.ctx.runner.run(
            "Finalizing the engagement",
            lambda task: recorded(lambda: finalize(db, release, task)),
            self._finished,
            progress=True,
            on_error=self._refused,
        )

    def _finished(self, outcome: tuple[Finalized, Changed]) -> None:
        self.result_finalized, changed = outcome
        self.buttons.setEnabled(True)
        self.accept()
        self.ctx.announce(changed)

    def _refused(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, FieldworkError):
            self.error.setText(exc.message)
        self.ctx.read("Checking what finalizing needs", load_finalizing_page, self._show)
