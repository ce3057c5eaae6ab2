"""The opinion on one area (description, design, operating effectiveness): the one recorded beside the one the
file proposes for each framework, and what the proposal rests on.

Saved as it is edited through `record_opinion`. An opinion other than the one proposed needs the reason it
departs, and a modified one its basis; the service says so, under the fields, which keep what was entered.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QLabel, QWidget

from fieldwork.app.domain.judgements import OpinionArea, OpinionJudgement
from fieldwork.app.domain.vocabulary import Opinion, Status
from fieldwork.app.errors import FieldworkError
from fieldwork.app.pages.opinion import AreaRow
from fieldwork.app.services.opinion import record_opinion
from fieldwork.ui.context import UiContext
from fieldwork.ui.status_style import COLOURS
from fieldwork.ui.views.editing import SavesInFlight, problem_note
from fieldwork.ui.widgets import ChoiceBox, CommitTextEdit, note

#: Group titles with their keyboard mnemonic (Alt+D, Alt+S, Alt+O move into the area).
TITLES = {
    OpinionArea.DESCRIPTION: "&Description of the system",
    OpinionArea.DESIGN: "Suitability of de&sign",
    OpinionArea.OPERATION: "&Operating effectiveness",
}


def _text_box(placeholder: str, lines: int) -> CommitTextEdit:
    box = CommitTextEdit()
    box.setPlaceholderText(placeholder)
    box.setFixedHeight(lines * box.fontMetrics().lineSpacing() + 12)
    return box


def proposal_html(row: AreaRow) -> str:
    """Each framework's proposal, modified ones in red with the requirements or misstatements behind them."""
    lines = []
    for proposal in row.proposals:
        modified = proposal.proposed is not Opinion.UNMODIFIED
        colour = COLOURS[Status.EXCEPTIONS if modified else Status.CONCLUDED]
        behind = ", ".join(row.behind.get(proposal.framework, ()))
        lines.append(
            f"{proposal.framework.label}: <b style='color:{colour}'>{proposal.proposed.label}</b>"
            + (f" — {escape(behind)}" if behind else "")
        )
    return "Proposed by the file:<br>" + "<br>".join(lines)


class AreaEditor(QGroupBox):
    def __init__(self, ctx: UiContext, area: OpinionArea, parent: QWidget | None = None) -> None:
        super().__init__(TITLES[area], parent)
        self.ctx = ctx
        self.area = area
        self.row: AreaRow | None = None
        self.saves = SavesInFlight()
        self.proposal = note()
        self.proposal.setMinimumHeight(5 * self.fontMetrics().lineSpacing())  # a wrapped list of requirements fits
        self.proposal.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.kind = ChoiceBox(Opinion)
        self.kind.chosen.connect(lambda _kind: self.save())
        self.pervasive = QCheckBox("The matters are pervasive")
        self.pervasive.setToolTip("Pervasive matters make a qualified proposal adverse, or a disclaimer.")
        self.pervasive.toggled.connect(lambda _on: self.save())
        self.basis = _text_box("The matters that modify the opinion (a modified opinion needs them)", 3)
        self.basis.committed.connect(lambda _text: self.save())
        self.departure_label = QLabel("Why it departs")
        self.departure = _text_box("Why the opinion differs from the one the file proposes", 2)
        self.departure.committed.connect(lambda _text: self.save())
        self.problem = problem_note()
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # three areas side by side: labels above
        form.addRow(self.proposal)
        form.addRow("Recorded", self.kind)
        form.addRow("", self.pervasive)
        form.addRow("Basis", self.basis)
        form.addRow(self.departure_label, self.departure)
        form.addRow(self.problem)

    def show_row(self, row: AreaRow) -> None:
        if self.saves.busy:
            return  # the fields hold what is being saved; the reload after the last save shows it stored
        self.row = row
        recorded = row.recorded
        self.proposal.setText(proposal_html(row))
        self.proposal.setToolTip("\n".join(f"• {m}" for p in row.proposals for m in p.matters))
        self.kind.load(recorded.kind)
        self.pervasive.blockSignals(True)
        self.pervasive.setChecked(recorded.pervasive)
        self.pervasive.blockSignals(False)
        self.basis.load(recorded.basis)
        self.departure.load(recorded.departure_reason)
        self._mark_departure(recorded.kind)
        self.problem.setText("")

    def _mark_departure(self, kind: Opinion) -> None:
        """The reason is asked for when the opinion is not the one proposed."""
        departs = self.row is not None and kind is not self.row.proposed
        self.departure_label.setText("<b>Why it departs</b> (needed)" if departs else "Why it departs")

    def values(self) -> OpinionJudgement:
        return OpinionJudgement(
            area=self.area,
            kind=Opinion(self.kind.value() or Opinion.UNMODIFIED),
            basis=self.basis.toPlainText(),
            pervasive=self.pervasive.isChecked(),
            departure_reason=self.departure.toPlainText(),
        )

    def save(self) -> None:
        if self.row is None:
            return
        judged = self.values()
        self._mark_departure(judged.kind)
        self.saves.started()
        self.ctx.write(
            f"Opinion on {self.area.label.lower()}",
            lambda db: record_opinion(db, judged),
            self.saves.finished,
            on_error=self._refused,
        )

    def _refused(self, exc: BaseException) -> None:
        self.saves.finished()
        if isinstance(exc, FieldworkError):
            self.problem.setText(f"Not recorded: {exc.message}")
