"""The Statement of Applicability: the 38 Annex A controls in one table, edited in place.

Each edit sends the whole line to `set_soa_line`, so the service judges the line as the
user sees it (an exclusion needs its justification). The edit shows at once; a refused
one is undone by reloading the lines from the file.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from fieldwork.app.domain.records import SoaLine
from fieldwork.app.domain.vocabulary import ImplementationStatus
from fieldwork.app.errors import FieldworkError
from fieldwork.app.services.signables import ItemType
from fieldwork.app.services.soa import list_soa, set_soa_line
from fieldwork.ui.context import Page, Target, UiContext
from fieldwork.ui.delegates import ChoiceDelegate
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.review_strip import ReviewStrip
from fieldwork.ui.status_style import icon
from fieldwork.ui.tables import make_table
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.views.editing import problem_note
from fieldwork.ui.widgets import heading, note

NOT_ASSESSED = "Not assessed"
JUSTIFICATION, IMPLEMENTATION = 3, 4
#: The justification is what the page is read for: below this the table scrolls sideways instead.
JUSTIFICATION_WIDTH = 240


def _status(value: Any) -> ImplementationStatus | None:
    """The cell editor hands back the stored value (Qt keeps a str-based member as a plain string)."""
    return ImplementationStatus(value) if value else None


class SoaView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Statement of Applicability (ISO/IEC 42001 Annex A)"))
        self.summary = note()
        self.problem = problem_note()
        layout.addWidget(self.summary)
        layout.addWidget(self.problem)
        self.model = RowTableModel[SoaLine](
            [
                Column(
                    "Annex A",
                    lambda s: s.annex_code,
                    icon=lambda s: icon(s.status),
                    tooltip=lambda s: f"{s.title}\nResult: {s.status.label}",
                ),
                Column("Control", lambda s: s.title, tooltip=lambda s: s.title, width=150),
                Column(
                    "Included",
                    lambda s: s.included,
                    check=lambda s: s.included,
                    edit=lambda s, on: self.save(s, included=bool(on)),
                ),
                Column(
                    "Justification",
                    lambda s: s.justification,
                    edit=lambda s, text: self.save(s, justification=str(text).strip()),
                    tooltip=lambda s: s.justification,
                ),
                Column(
                    "Implementation",
                    lambda s: s.implementation_status.label if s.implementation_status else NOT_ASSESSED,
                    edit=lambda s, status: self.save(s, implementation_status=_status(status)),
                    edit_value=lambda s: s.implementation_status,
                    width=125,
                ),
                Column(
                    "Client controls",
                    lambda s: ", ".join(s.controls),
                    tooltip=lambda s: ", ".join(s.controls),
                    width=110,
                ),
            ],
            key=lambda s: s.annex_code,
        )
        # Three lines a row: titles and most justifications read in full; the tooltip has the rest.
        self.table = make_table(
            self.model, stretch=JUSTIFICATION, editable=True, row_lines=3, stretch_at_least=JUSTIFICATION_WIDTH
        )
        self.table.setItemDelegateForColumn(
            IMPLEMENTATION, ChoiceDelegate(ImplementationStatus, none_label=NOT_ASSESSED, parent=self.table)
        )
        self.table.activated.connect(self._open_requirement)
        layout.addWidget(self.table, 1)
        self.review = ReviewStrip(ctx)
        layout.addWidget(self.review)
        self.table.selectionModel().currentRowChanged.connect(lambda _current, _previous: self._show_review())

    def load(self) -> None:
        self.ctx.read("Loading the Statement of Applicability", list_soa, self._show)

    def _show(self, lines: list[SoaLine]) -> None:
        self.model.set_rows(lines)
        self._show_review()
        included = sum(line.included for line in lines)
        unassessed = sum(line.included and line.implementation_status is None for line in lines)
        self.summary.setText(
            f"{len(lines)} Annex A controls: <b>{included} included</b>, <b>{len(lines) - included} excluded</b>"
            + (f"; {unassessed} included without an implementation status" if unassessed else "")
            + ". Double-click a control's code to open it."
        )

    def _show_review(self) -> None:
        """The sign-offs of the line the keyboard is on."""
        index = self.table.currentIndex()
        if index.isValid():
            self.review.show_item(ItemType.SOA_LINE, self.model.row(index).annex_code)
        else:
            self.review.clear()

    def show_target(self, target: Target) -> None:
        super().show_target(target)
        row = self.model.row_of(target.key) if target.key else -1
        if row >= 0:
            self.table.setCurrentIndex(self.model.index(row, 0))

    def save(self, line: SoaLine, **change: Any) -> None:
        wanted = replace(line, **change)
        if wanted == line:
            return
        self.model.set_rows([wanted if r.annex_code == line.annex_code else r for r in self.model.rows])
        self.ctx.write(
            f"{line.annex_code} in the Statement of Applicability",
            lambda db: set_soa_line(
                db,
                wanted.annex_code,
                included=wanted.included,
                justification=wanted.justification,
                implementation_status=wanted.implementation_status,
            ),
            lambda _: self.problem.setText(""),
            on_error=lambda exc: self._refused(wanted, exc),
        )

    def _refused(self, wanted: SoaLine, exc: BaseException) -> None:
        self.problem.setText(exc.message if isinstance(exc, FieldworkError) else "")
        self.load()
        if not wanted.included and not wanted.justification:
            # The exclusion needs its reason: put the keyboard on the cell that takes it.
            self.table.setCurrentIndex(self.model.index(self.model.row_of(wanted.annex_code), JUSTIFICATION))

    def _open_requirement(self, index: QModelIndex) -> None:
        """Read-only cells open the Annex A control; on editable ones Enter and double-click edit."""
        if self.model.flags(index) & (Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable):
            return
        self.ctx.open(Target(Page.REQUIREMENT, self.model.row(index).annex_code))
