"""The sample behind a test of operating effectiveness: population, size, and a reproducible draw.

Part of the test page. Every figure comes from the sampling services (the methodology
table in resources/sampling), and every change is one operation: importing and drawing
run off the GUI thread with progress and Cancel.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)

from fieldwork.app.domain.ids import TestId
from fieldwork.app.domain.reasons import is_written_out, written_out_hint
from fieldwork.app.domain.sampling import Population, Risk, SampleDraw, SamplePlan
from fieldwork.app.domain.vocabulary import Selection
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import FieldworkError
from fieldwork.app.pages.ipe import PopulationState
from fieldwork.app.pages.sampling import SamplingState
from fieldwork.app.services import population as population_service
from fieldwork.app.services import sampling
from fieldwork.app.tasks import Task
from fieldwork.ui.context import UiContext
from fieldwork.ui.dialogs.ipe import assess_population
from fieldwork.ui.dialogs.population_import import PopulationImportDialog
from fieldwork.ui.dialogs.select_sample import SelectSampleDialog
from fieldwork.ui.flow_row import FlowRow
from fieldwork.ui.widgets import ChoiceBox, narrow, note


def describe_ipe(state: PopulationState) -> str:
    """Whether the population's completeness and accuracy were assessed, as the sampling panel says it."""
    relied = state.relied
    if relied is None:
        return "IPE: no listing relied on (a population of one, or none)."
    rule = "" if state.required else " (the engagement's IPE rule is off)"
    found = relied.assessment
    if found is None or found.values.result is None:
        return f"IPE: completeness and accuracy of the population <b>not assessed</b>{rule}."
    observed = ", production observed" if found.values.observed else ""
    return f"IPE: <b>{found.values.result.label}</b> ({found.ref}, {found.values.source_system}{observed}){rule}."


def describe_population(found: Population | None, recorded: int | None = None) -> str:
    """The population behind the sample: the list imported, or what the plan records of one drawn elsewhere."""
    if found is None and recorded is not None:
        return (
            f"Population of {recorded:,} recorded on the plan; its list was not imported, so the sample was drawn "
            "outside Fieldwork. Import the list to draw or extend the sample here."
        )
    if found is None:
        return "No population imported: import the list of items the control acted on in the period."
    outside = f"{found.outside_period} dated outside {found.outside_label}"
    flagged = f", <b>{outside}</b> (never drawn)" if found.outside_period else ""
    undated = f", {found.undated} without a date" if found.undated else ""
    digest = f" · SHA-256 {found.source_sha256[:12]}…" if found.source_sha256 else ""
    return f"Population: {found.source_name}, {found.row_count:,} items{flagged}{undated}{digest}"


def describe_draw(plan: SamplePlan, imported: bool) -> str:
    """How the sample was selected; "reproducible" only when it is: drawn here, from the imported list, by seed."""
    if plan.selection is None:
        return "No sample drawn yet."
    if plan.seed is None:  # 0 is a seed like any other
        return f"Selection: {plan.selection.label}"
    if not imported:
        return f"Selection: {plan.selection.label}, seed {plan.seed} as recorded (drawn outside Fieldwork)"
    same = "the same population, size and seed give the same items"
    return f"Selection: {plan.selection.label}, seed {plan.seed} ({same})"


def size_question(plan: SamplePlan, size: int) -> tuple[str, bool]:
    """What to ask when a size departs from the suggestion, and whether it is below the methodology's minimum."""
    found = plan.suggestion
    assert found is not None
    if size < found.minimum:
        return (
            f"The methodology's range for this control is {found.minimum}-{found.maximum} (suggested {found.size}).\n"
            f"A sample of {size} is below its minimum: justify it in {written_out_hint()},\n"
            "saying why fewer items are enough.",
            True,
        )
    return f"The methodology suggests {found.size} (range {found.minimum}-{found.maximum}). Why {size}?", False


def buttons(*made: QPushButton) -> FlowRow:
    """Two buttons beside a line of text: one under the other when the test page is narrow."""
    row = FlowRow()
    for button in made:
        row.addWidget(button)
    return row


class SamplingPanel(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.test_id: TestId | None = None
        self.state: SamplingState | None = None
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.population = note()
        self.import_button = QPushButton("&Import population...")
        self.import_button.clicked.connect(self.import_population)
        self.remove_button = QPushButton("Remove population")
        self.remove_button.clicked.connect(self.remove_population)
        grid.addWidget(self.population, 0, 0, 1, 3)
        grid.addLayout(buttons(self.import_button, self.remove_button), 0, 3, 1, 2)

        self.count = QSpinBox()
        self.risk = narrow(ChoiceBox(Risk, none_label="(risk not assessed)"))
        self.risk.chosen.connect(lambda _r: self.record(self.count.value()))
        self.suggestion = note()
        grid.addWidget(QLabel("Risk"), 1, 0)
        grid.addWidget(self.risk, 1, 1)
        grid.addWidget(self.suggestion, 1, 2, 1, 3)

        self.count.setRange(0, 1_000_000)
        self.count.setSpecialValueText("not set")
        self.count.editingFinished.connect(lambda: self.record(self.count.value()))
        self.override = note()
        size_label = QLabel("Planned si&ze")
        size_label.setBuddy(self.count)
        grid.addWidget(size_label, 2, 0)
        grid.addWidget(self.count, 2, 1)
        grid.addWidget(self.override, 2, 2, 1, 3)

        self.draw = note()
        self.select_button = QPushButton("Se&lect sample...")
        self.select_button.clicked.connect(lambda: self.select(extending=False))
        self.extend_button = QPushButton("E&xtend sample...")
        self.extend_button.clicked.connect(lambda: self.select(extending=True))
        grid.addWidget(self.draw, 3, 0, 1, 3)
        grid.addLayout(buttons(self.select_button, self.extend_button), 3, 3, 1, 2)

        self.ipe = note()
        self.ipe_button = QPushButton("Asse&ss IPE...")
        self.ipe_button.clicked.connect(self.assess_ipe)
        grid.addWidget(self.ipe, 4, 0, 1, 4)
        grid.addWidget(self.ipe_button, 4, 4)
        grid.setColumnStretch(2, 1)

    # -- loading ------------------------------------------------------------------------------------

    def show_sampling(self, test_id: TestId, state: SamplingState | None) -> None:
        """Show the test's sampling as its page read it (None: a test of design, which has none)."""
        self.test_id = test_id
        if state is not None:
            self._show(state)

    def _show(self, state: SamplingState) -> None:
        self.state = state
        plan = state.plan
        self.population.setText(describe_population(state.population, state.recorded))
        self.remove_button.setEnabled(state.population is not None)
        self.risk.load(plan.risk)
        found = plan.suggestion
        self.suggestion.setText(
            f"Suggested: <b>{found.size}</b> (range {found.minimum}-{found.maximum}) · {found.reasoning}"
            if found
            else "No suggestion: set the control's frequency and nature."
        )
        self.count.blockSignals(True)
        self.count.setValue(plan.sample_size or 0)
        self.count.blockSignals(False)
        self.override.setText(f"Override: {plan.override_reason}" if plan.override_reason else "")
        self.draw.setText(describe_draw(plan, state.population is not None))
        has_population = state.population is not None
        self.select_button.setEnabled(has_population and state.items == 0)
        self.extend_button.setEnabled(has_population and state.items > 0 and plan.selection is not None)
        self.ipe.setText(describe_ipe(state.ipe))
        self.ipe_button.setEnabled(state.ipe.relied is not None)

    # -- actions --------------------------------------------------------------------------------------

    def record(self, size: int) -> None:
        """Record the size and risk; a size other than the suggestion asks why, and keeps the answer."""
        if self.state is None or self.test_id is None:
            return
        plan, risk, test_id = self.state.plan, self.risk.value(), self.test_id
        size = size or (plan.suggestion.size if plan.suggestion else 0)
        if size <= 0:
            return
        if size == plan.sample_size and risk == plan.risk:
            return
        suggested = plan.suggestion.size if plan.suggestion else None
        reason = None
        if suggested is not None and size != suggested and size != plan.sample_size:
            reason = self._ask_reason(plan, size)
            if reason is None:
                self._show(self.state)
                return
        chosen = Risk(risk) if risk else None
        self.ctx.write(
            "Sample size",
            lambda db: sampling.record_size(db, test_id, size, risk=chosen, reason=reason),
            on_error=self._refused,
        )

    def _ask_reason(self, plan: SamplePlan, size: int) -> str | None:
        """The reason for the size, asked again until a size below the minimum has a real one (None: cancelled)."""
        question, below = size_question(plan, size)
        text = plan.override_reason or ""
        while True:
            text, ok = QInputDialog.getMultiLineText(self, "Sample size", question, text)
            if not ok or not text.strip():
                return None
            if not below or is_written_out(text):
                return text.strip()
            question = size_question(plan, size)[0] + f"\n\n“{text.strip()}” is too short to tell a reviewer why."

    def _refused(self, exc: BaseException) -> None:
        """Say why, and put the recorded plan back on screen."""
        if isinstance(exc, FieldworkError):
            QMessageBox.warning(self, "Sample size", exc.message)
        if self.state is not None:
            self._show(self.state)

    def assess_ipe(self) -> None:
        if self.state is not None and self.state.ipe.relied is not None:
            assess_population(self.ctx, self, self.state.ipe.relied)

    def import_population(self) -> None:
        if self.test_id is None:
            return
        name, _ = QFileDialog.getOpenFileName(self, "Population", "", "Spreadsheets (*.csv *.xlsx);;All files (*)")
        if not name:
            return
        dialog = PopulationImportDialog(Path(name), self.ctx.runner, self)
        if not dialog.exec():
            return
        source, id_column, date_column = dialog.choice()
        test_id = self.test_id

        def work(db: Engagement, task: Task) -> Population:
            return population_service.import_population(db, test_id, source, id_column, date_column, task=task)

        self.ctx.long(f"Importing {source.path.name}", work)

    def remove_population(self) -> None:
        if self.test_id is None or self.state is None or self.state.population is None:
            return
        answer = QMessageBox.question(self, "Remove population", f"Remove {self.state.population.source_name}?")
        if answer == QMessageBox.StandardButton.Yes:
            test_id = self.test_id
            self.ctx.write("Population removed", lambda db: population_service.remove_population(db, test_id))

    def select(self, *, extending: bool) -> None:
        if self.test_id is None or self.state is None:
            return
        plan = self.state.plan
        suggested = plan.sample_size or (plan.suggestion.size if plan.suggestion else 1)
        dialog = SelectSampleDialog(suggested, plan.selection, extending, self)
        if not dialog.exec():
            return
        test_id, method, rows = self.test_id, dialog.chosen_method(), dialog.row_numbers()
        size, seed, reason = dialog.count.value(), dialog.seed_value(), dialog.reason.text().strip() or None

        def work(db: Engagement, task: Task) -> SampleDraw:
            if extending:
                return sampling.extend_sample(db, test_id, count=size, rows=rows, reason=reason or "", task=task)
            return sampling.select_sample(
                db,
                test_id,
                method,
                size=None if method is Selection.ALL else size,
                seed=seed,
                rows=rows,
                reason=reason,
                task=task,
            )

        self.ctx.long("Extending the sample" if extending else "Selecting the sample", work, self._drawn)

    def _drawn(self, draw: SampleDraw) -> None:
        left_out = f"; {draw.left_out} item(s) outside the period were not eligible" if draw.left_out else ""
        seed = f" with seed {draw.seed}" if draw.seed is not None else ""
        self.ctx.runner.status(
            f"{draw.test_ref}: {len(draw.items)} item(s) selected by {draw.method.label}{seed}{left_out}."
        )
