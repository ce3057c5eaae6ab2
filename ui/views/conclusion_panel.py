"""A requirement's progress and the auditor's conclusion on it, side by side.

Progress is derived from the tests and is never called a conclusion. The conclusion is saved as it is edited
(a choice made, the basis left, a deviation ticked), through `set_conclusion`; a refusal is said under the
fields, which keep what was entered so it can be completed. A conclusion the file no longer supports says why,
in red, above the basis. An Annex A control excluded in the Statement of Applicability shows the SoA's
justification and no editor: it is concluded there.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from fieldwork.app.domain.judgements import ConclusionInput, CriterionConclusion
from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.errors import FieldworkError
from fieldwork.app.pages.requirement import RequirementPage
from fieldwork.app.services.conclusions import set_conclusion
from fieldwork.ui.context import UiContext
from fieldwork.ui.pick_list import PickList
from fieldwork.ui.review_strip import ReviewStrip
from fieldwork.ui.status_style import COLOURS, icon
from fieldwork.ui.views.editing import NoteLine, SavesInFlight, problem_note
from fieldwork.ui.widgets import ChoiceBox, CommitTextEdit, note

#: Conclusions recorded here (excluded is the Statement of Applicability's).
RECORDED = [k for k in CriterionConclusion if k is not CriterionConclusion.EXCLUDED]


def progress_text(page: RequirementPage) -> str:
    state = page.state
    if state is None:
        return "Not in the scope of this engagement."
    if state.status is Status.EXCLUDED:
        return "Excluded in the Statement of Applicability."
    lines = [
        f"{state.controls} control(s), {state.tests} test(s): {state.tests_concluded} concluded, "
        f"{state.tests_with_exceptions} with exceptions."
    ]
    if state.gap:
        lines.append("No control serves this requirement yet.")
    if state.awaiting_note:
        lines.append(f"{state.awaiting_note[0].upper()}{state.awaiting_note[1:]}.")
    return "<br>".join(lines)


class ProgressBox(QGroupBox):
    """What the tests say so far: derived, not the auditor's judgement."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Progress (from the tests)", parent)
        self.symbol = QLabel()
        self.status = QLabel()
        self.detail = note()
        row = QHBoxLayout()
        row.addWidget(self.symbol)
        row.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.detail)
        layout.addStretch()

    def show_page(self, page: RequirementPage) -> None:
        status = page.state.status if page.state else Status.NOT_STARTED
        self.symbol.setPixmap(icon(status).pixmap(16, 16))
        self.status.setText(f"<b style='color:{COLOURS[status]}'>{status.label}</b>")
        self.detail.setText(progress_text(page))


class ConclusionBox(QGroupBox):
    """The auditor's conclusion: the kind, its basis, the deviations considered and compensating controls."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__("Auditor's conclusion", parent)
        self.ctx = ctx
        self.page: RequirementPage | None = None
        self.saves = SavesInFlight()
        self.kind = ChoiceBox(RECORDED)
        self.kind.chosen.connect(lambda _kind: self.save())
        self.unsupported = NoteLine()
        self.unsupported.setStyleSheet(
            f"color: white; background: {COLOURS[Status.EXCEPTIONS]}; padding: 4px; font-weight: bold"
        )
        self.excluded = NoteLine()
        self.basis = CommitTextEdit()
        self.basis.setPlaceholderText(
            "What the conclusion rests on: the tests and their results, the deviations evaluated, compensating "
            "controls, findings."
        )
        line = self.fontMetrics().lineSpacing()
        self.basis.setMinimumHeight(3 * line + 12)
        self.basis.setMaximumHeight(6 * line + 12)
        self.basis.committed.connect(lambda _text: self.save())
        self.deviations = PickList("Filter deviations by reference or text", rows=4)
        self.deviations.setToolTip("Deviations of the linked controls' tests are in bold.")
        self.deviations.changed.connect(self.save)
        self.compensating = PickList("Filter controls by reference or title", rows=4)
        self.compensating.changed.connect(self.save)
        self.problem = problem_note()

        self.editor = QWidget()
        form = QFormLayout(self.editor)
        form.setContentsMargins(0, 0, 0, 0)
        kind_label = QLabel("&Conclusion")
        kind_label.setBuddy(self.kind)
        form.addRow(kind_label, self.kind)
        form.addRow(self.unsupported)
        basis_label = QLabel("&Basis")
        basis_label.setBuddy(self.basis)
        form.addRow(basis_label, self.basis)
        picks = QGridLayout()
        for column, (text, picker) in enumerate(
            (("&Deviations considered", self.deviations), ("Co&mpensating controls", self.compensating))
        ):
            label = QLabel(text)
            label.setBuddy(picker)
            picks.addWidget(label, 0, column)
            picks.addWidget(picker, 1, column)
        form.addRow(picks)
        form.addRow(self.problem)
        self.review = ReviewStrip(ctx)
        layout = QVBoxLayout(self)
        layout.addWidget(self.review)
        layout.addWidget(self.excluded)
        layout.addWidget(self.editor)

    def show_page(self, page: RequirementPage) -> None:
        """Show what is stored (after a save, a reload or another requirement)."""
        same = self.page is not None and self.page.requirement.code == page.requirement.code
        if same and self.saves.busy:
            return  # the fields hold what is being saved; the reload after the last save shows it stored
        self.page = page
        found = page.conclusion
        excluded = found is not None and found.conclusion is CriterionConclusion.EXCLUDED
        self.editor.setVisible(found is not None and not excluded)
        self.excluded.setText(
            f"<b>Excluded</b> in the Statement of Applicability: {page.excluded_because or '(no justification)'}"
            if excluded
            else ""
        )
        self.problem.setText("")
        if found is None or excluded:
            self.unsupported.setText("")
            return
        for kind in RECORDED:
            self.kind.offer(kind, kind in page.kinds)
        self.kind.load(found.conclusion)
        self.basis.load(found.basis)
        self.deviations.set_choices(page.deviations, page.considered)
        self.compensating.set_choices(page.compensating, page.compensating_chosen)
        self.unsupported.setText(
            f"⚠ Concluded {found.conclusion.label.lower()}, but {found.unsupported}." if found.unsupported else ""
        )

    def values(self) -> ConclusionInput:
        return ConclusionInput(
            conclusion=CriterionConclusion(self.kind.value() or CriterionConclusion.NOT_CONCLUDED),
            basis=self.basis.toPlainText(),
            deviations=tuple(self.deviations.chosen()),
            compensating_controls=tuple(self.compensating.chosen()),
        )

    def save(self) -> None:
        if self.page is None or self.page.conclusion is None:
            return
        code, values = self.page.requirement.code, self.values()
        self.saves.started()
        self.ctx.write(
            f"{code} conclusion",
            lambda db: set_conclusion(db, code, values),
            self.saves.finished,
            on_error=lambda exc: self._refused(code, exc),
        )

    def _refused(self, code: str, exc: BaseException) -> None:
        """Say why under the fields, which keep what was entered; elsewhere (the page moved on), in a message."""
        self.saves.finished()
        if not isinstance(exc, FieldworkError):
            return
        if self.page is not None and self.page.requirement.code == code and self.isVisible():
            self.problem.setText(f"Not recorded: {exc.message}")
        else:
            self.ctx.runner.user_error.emit(f"The conclusion on {code} was not recorded: {exc.message}")
