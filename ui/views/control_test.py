"""A test of a control: the plan, the sample and its results, deviations, and the conclusion.

The conclusion reaches every requirement the control serves, in both frameworks; the
table at the bottom shows them so the auditor sees the effect of each result at once.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fieldwork.app.domain.ids import SampleItemId
from fieldwork.app.domain.over_time import TestRound, TestTiming
from fieldwork.app.domain.reasons import written_out_hint
from fieldwork.app.domain.records import (
    ControlTest,
    Deviation,
    SampleItem,
    SampleItemInput,
    TestPlan,
)
from fieldwork.app.domain.refs import sample_ref
from fieldwork.app.domain.timeline import test_title
from fieldwork.app.domain.vocabulary import Conclusion, Method, SampleResult, Selection, Status, TestKind
from fieldwork.app.errors import FieldworkError, ValidationError
from fieldwork.app.pages.control_test import TestPage, evidence_target, item_target, load_test_page
from fieldwork.app.services import deviations as deviation_service
from fieldwork.app.services import testing as test_service
from fieldwork.app.services.deleting import what_goes_with_deviation, what_goes_with_items
from fieldwork.app.services.pasted_rows import parse_pasted_rows
from fieldwork.app.services.test_windows import set_test_timing
from fieldwork.ui.context import Page, Target, UiContext
from fieldwork.ui.date_fields import OptionalDateField
from fieldwork.ui.delegates import ChoiceDelegate, DateDelegate, HintDelegate
from fieldwork.ui.dialogs.confirm_delete import confirm_delete
from fieldwork.ui.dialogs.deviation import DeviationDialog
from fieldwork.ui.evidence_actions import attach
from fieldwork.ui.evidence_drop import FileDrop
from fieldwork.ui.evidence_panel import EvidencePanel
from fieldwork.ui.fairness_panel import FairnessPanel
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.review_strip import ReviewStrip
from fieldwork.ui.served import served_table
from fieldwork.ui.status_style import icon
from fieldwork.ui.tables import make_table, selected_rows
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.views.control import ask_to_delete_test
from fieldwork.ui.views.sampling_panel import SamplingPanel
from fieldwork.ui.widgets import ChoiceBox, CommitLineEdit, CommitTextEdit, button_row, heading, narrow, note, scrolled

#: The population field's value for "not recorded": below 0, so that 0 (nothing occurred) can be recorded.
UNKNOWN = -1


def _spin(high: int, blank: str) -> QSpinBox:
    """A count field from 0 to `high`, with one step below 0 that reads as `blank` (nothing recorded yet)."""
    spin = QSpinBox()
    spin.setRange(UNKNOWN, high)
    spin.setSpecialValueText(blank)
    return spin


#: The lines a walkthrough narrative's field asks for (the plan scrolls if the window is smaller).
WALKTHROUGH_LINES = 16
#: The first tab's title by kind of test.
PLAN_TAB = {TestKind.OPERATING: "&Plan and sample", TestKind.DESIGN: "&Plan and walkthrough"}


def deviation_html(found: Deviation) -> str:
    """A deviation's text in full, each part under its name (a blank part says so: it is still to be written)."""
    parts = (
        ("What happened", found.description),
        ("Found in", f"{', '.join(found.sample_items)} ({found.rate_label})" if found.sample_items else ""),
        ("Root cause", found.root_cause),
        ("Effect", found.effect),
        ("Management response", found.management_response),
    )
    return f"<b>{html.escape(found.ref)}</b>" + "".join(
        f"<p><b>{name}</b><br>{html.escape(text).replace(chr(10), '<br>') if text else '<i>not recorded</i>'}</p>"
        for name, text in parts
    )


def _as_input(item: SampleItem, **changes: Any) -> SampleItemInput:
    values = SampleItemInput(item.identifier, item.item_date, item.result, item.tickmarks, item.deviation_text)
    return replace(values, **changes)


#: The sample grid's column where a deviation is described.
DEVIATION_COLUMN = 5


def _deviation_cell(item: SampleItem) -> str:
    if item.result is SampleResult.DEVIATION and not item.deviation_text:
        return "Describe the deviation here"
    return item.deviation_text


def _conclusion_hint(test: ControlTest, items: Sequence[SampleItem]) -> str:
    """What stands in the way of concluding, said before the auditor tries."""
    bare = [f"#{i.seq}" for i in items if i.result is SampleResult.DEVIATION and not i.deviation_text]
    if bare:
        return f"Describe the deviation in item {', '.join(bare)} before concluding."
    pending = test.items_total - test.items_with_result
    if pending:
        return (
            f"{pending} of {test.items_total} item(s) have no result: record them, or conclude with a note "
            f"({written_out_hint()}) saying why they were not tested."
        )
    return ""


class ControlTestView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.page: TestPage | None = None
        self.describing: SampleItemId | None = None
        outer = QVBoxLayout(self)
        self.title = heading("")
        self.subtitle = note()
        self.subtitle.linkActivated.connect(self._open_control)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        remove = QPushButton("Delete test...")
        remove.clicked.connect(self.delete_test)
        top.addWidget(remove)
        outer.addLayout(top)
        outer.addWidget(self.subtitle)
        self.review = ReviewStrip(ctx)
        outer.addWidget(self.review)
        self.tabs = QTabWidget()
        self.tabs.tabBar().setElideMode(Qt.TextElideMode.ElideMiddle)  # on half a screen all three tabs show
        outer.addWidget(self.tabs, 1)
        plan = QWidget()
        column = QVBoxLayout(plan)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._plan_panel(), 1)
        self.sampling = SamplingPanel(ctx)
        column.addWidget(self.sampling)
        # The plan scrolls above the sample, the user sets the share: the grid and its buttons stay in view.
        self.work = QSplitter(Qt.Orientation.Vertical)
        self.work.setChildrenCollapsible(False)
        self.plan_area = scrolled(plan)
        self.work.addWidget(self.plan_area)
        self.sample = self._sample_panel()
        self.work.addWidget(self.sample)
        self.work.setStretchFactor(1, 1)
        self.work.setSizes([260, 420])  # the grid gets the larger share: it is where the day's work is
        self.tabs.addTab(self.work, PLAN_TAB[TestKind.OPERATING])
        self.tabs.addTab(scrolled(self._findings_panel()), "Fi&ndings and conclusion")
        self.evidence = EvidencePanel(
            ctx, "Drop files on this page to attach them to the test, or on a sample item to attach them to it."
        )
        self.tabs.addTab(self.evidence, "E&vidence")
        FileDrop(self, lambda paths, _row: self.evidence.attach(paths))
        FileDrop(self.item_table, self._dropped_on_item)

    # -- panels ---------------------------------------------------------------------------------------

    def _plan_panel(self) -> QWidget:
        panel = QWidget()
        form = QFormLayout(panel)
        self.procedure = CommitTextEdit(lines=4)
        self.procedure.committed.connect(lambda _t: self.save_plan())
        self.procedure_label = QLabel()
        self.procedure_label.setBuddy(self.procedure)
        form.addRow(self.procedure_label, self.procedure)
        methods = QGridLayout()
        self.methods: dict[Method, QCheckBox] = {}
        for number, method in enumerate(Method):
            box = QCheckBox(method.label)
            box.toggled.connect(lambda _c: self.save_plan())
            self.methods[method] = box
            methods.addWidget(box, number // 3, number % 3)
        form.addRow("Methods", methods)
        self.population = CommitLineEdit()
        self.population.setPlaceholderText("What the items are and where the list came from")
        self.population.committed.connect(lambda _t: self.save_plan())
        self.population_size = _spin(10_000_000, "unknown")
        self.selection = ChoiceBox(Selection, none_label="(not chosen)")
        # Text, not a spin box: a seed may be any whole number up to 2^63 - 1, beyond a spin box's range.
        self.seed = CommitLineEdit()
        self.seed.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,19}"), self.seed))
        self.seed.setPlaceholderText("none")
        self.seed.committed.connect(lambda _t: self.save_plan())
        self.population_size.editingFinished.connect(self.save_plan)
        self.selection.chosen.connect(lambda _v: self.save_plan())
        sizes = QGridLayout()
        sizes.setContentsMargins(0, 0, 0, 0)
        sizes.addWidget(note("Sample drawn outside Fieldwork:"), 0, 0, 1, 4)
        for number, (label, widget) in enumerate(
            (("population of", self.population_size), ("selection", self.selection), ("seed", self.seed))
        ):
            sizes.addWidget(QLabel(label), 1 + number // 2, 2 * (number % 2))
            sizes.addWidget(widget, 1 + number // 2, 2 * (number % 2) + 1)
        sizes.setColumnStretch(4, 1)
        self.population_label = QLabel("Pop&ulation")
        self.population_label.setBuddy(self.population)
        form.addRow(self.population_label, self.population)
        self.sizes_row = QWidget()
        self.sizes_row.setLayout(sizes)
        form.addRow("", self.sizes_row)
        self.timing_row = self._timing_row()
        self.timing_label = QLabel("Covers")
        form.addRow(self.timing_label, self.timing_row)
        self.plan_note = note()
        form.addRow("", self.plan_note)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        return panel

    def _timing_row(self) -> QWidget:
        """The round and the window of a test of operating effectiveness (blank: the period, while in operation)."""
        self.round = ChoiceBox(TestRound, none_label="(the period in one test)")
        self.window_start, self.window_end = OptionalDateField(), OptionalDateField()
        row = QGridLayout()  # two lines, so the plan fits half a screen
        row.setContentsMargins(0, 0, 0, 0)
        placed = (
            ("round", narrow(self.round), 0, 0),
            ("from", self.window_start, 1, 0),
            ("until", self.window_end, 1, 2),
        )
        for label, widget, line, column in placed:
            row.addWidget(QLabel(label), line, column)
            row.addWidget(widget, line, column + 1)
        self.window_label = note()
        row.addWidget(self.window_label, 0, 2, 1, 2)
        row.setColumnStretch(4, 1)
        self.round.chosen.connect(lambda _value: self.save_timing())
        for field in (self.window_start, self.window_end):
            field.committed.connect(lambda _day: self.save_timing())
        widget = QWidget()
        widget.setLayout(row)
        return widget

    def save_timing(self) -> None:
        if self.page is None:
            return
        test_id = self.page.test.id
        chosen = self.round.value()
        timing = TestTiming(TestRound(chosen) if chosen else None, self.window_start.value(), self.window_end.value())
        self.ctx.write(
            f"{self.page.test.ref}: round and window",
            lambda db: set_test_timing(db, test_id, timing),
            on_error=self._timing_refused,
        )

    def _timing_refused(self, exc: BaseException) -> None:
        if isinstance(exc, FieldworkError):
            QMessageBox.warning(self, "Round and window", exc.message)
        self.load()

    def _sample_panel(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        self.sample_heading = heading("Sample")
        layout.addWidget(self.sample_heading)
        self.items = RowTableModel[SampleItem](
            [
                Column("#", lambda i: i.seq),
                Column("Item", lambda i: i.identifier, edit=lambda i, v: self._edit_item(i, identifier=str(v))),
                Column(
                    "Date",
                    lambda i: i.item_date.isoformat() if i.item_date else "",
                    edit=lambda i, v: self._edit_item(i, item_date=v),
                    edit_value=lambda i: i.item_date,
                ),
                Column(
                    "Result",
                    lambda i: i.result.label if i.result else "not yet tested",
                    edit=lambda i, v: self._edit_item(i, result=v),
                    edit_value=lambda i: i.result,
                    icon=lambda i: icon(Status.EXCEPTIONS) if i.result is SampleResult.DEVIATION else None,
                ),
                Column("Tickmarks", lambda i: i.tickmarks, edit=lambda i, v: self._edit_item(i, tickmarks=str(v))),
                Column(
                    "Deviation",
                    _deviation_cell,
                    edit=lambda i, v: self._edit_item(i, deviation_text=str(v)),
                    edit_value=lambda i: i.deviation_text,
                    tooltip=lambda i: i.deviation_text,
                ),
            ],
            key=lambda i: i.id,
            highlight=lambda i: "#fce8e6" if i.result is SampleResult.DEVIATION else None,
        )
        self.item_table = make_table(self.items, editable=True)
        self.item_table.setItemDelegateForColumn(2, DateDelegate(self.item_table))
        self.item_table.setItemDelegateForColumn(
            3, ChoiceDelegate(SampleResult, none_label="not yet tested", parent=self.item_table)
        )
        self.item_table.setItemDelegateForColumn(
            DEVIATION_COLUMN, HintDelegate("What was found in this item (Enter to save)", self.item_table)
        )
        paste = QShortcut(QKeySequence.StandardKey.Paste, self.item_table)
        paste.activated.connect(self.paste_rows)
        layout.addWidget(self.item_table)
        row, buttons = button_row(
            [
                ("&Add item...", self.add_item),
                ("Paste rows", self.paste_rows),
                ("Deviation...", self.record_deviation_for_selected),
                ("Delete items...", self.delete_items),
            ]
        )
        buttons[1].setToolTip("Paste rows copied from a spreadsheet (Ctrl+V in the grid)")
        buttons[2].setToolTip("Record a deviation found in the selected items")
        self.legend = note()
        row.addWidget(self.legend, 1)
        layout.addLayout(row)
        return panel

    def _findings_panel(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        self.deviations = RowTableModel[Deviation](
            [
                Column("Deviation", lambda d: d.ref),
                Column("What happened", lambda d: d.description, tooltip=lambda d: d.description),
                Column("Found", lambda d: d.rate_label),
                Column("Response", lambda d: "recorded" if d.management_response else "missing"),
            ],
            key=lambda d: d.id,
        )
        self.deviation_table = make_table(self.deviations, stretch=1, row_lines=2)
        self.deviation_table.activated.connect(lambda index: self.edit_deviation(self.deviations.row(index)))
        self.deviation_table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._show_deviation())
        # The chosen deviation in full: nothing about it is off to the right or left out.
        self.deviation_text = QTextBrowser()
        self.deviation_text.setMinimumHeight(4 * self.fontMetrics().lineSpacing())
        row, buttons = button_row(
            [("&Record a deviation...", self.add_deviation), ("Edi&t deviation...", self.edit_selected_deviation)],
            trailing=[("Delete deviation...", self.delete_deviation)],
        )
        self.deviation_buttons = buttons[1:]
        listed = QWidget()
        column = QVBoxLayout(listed)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.deviation_table, 1)
        column.addLayout(row)
        found = QSplitter(Qt.Orientation.Vertical)
        found.setChildrenCollapsible(False)
        found.addWidget(listed)
        found.addWidget(self.deviation_text)
        found.setStretchFactor(1, 2)
        found.setSizes([110, 260])  # the list is short; the text of the one chosen is what is read
        layout.addWidget(found, 3)

        conclusion = QFormLayout()
        self.conclusion = ChoiceBox(Conclusion, none_label="Open (not concluded)")
        self.conclusion.chosen.connect(lambda _v: self.save_conclusion())
        self.conclusion_note = CommitLineEdit()
        self.conclusion_note.committed.connect(lambda _t: self.save_conclusion())
        conclusion.addRow("&Conclusion", self.conclusion)
        conclusion.addRow("Conclusion note", self.conclusion_note)
        self.conclusion_hint = note()
        conclusion.addRow("", self.conclusion_hint)
        layout.addLayout(conclusion)

        self.fairness = FairnessPanel(self.ctx)
        layout.addWidget(self.fairness)
        layout.addWidget(heading("Requirements this test serves"))
        self.served, self.served_table = served_table(self.ctx)
        layout.addWidget(self.served_table, 2)
        return panel

    def _show_deviation(self) -> None:
        chosen = self._chosen_deviation()
        for button in self.deviation_buttons:
            button.setEnabled(chosen is not None)
        self.deviation_text.setHtml(deviation_html(chosen) if chosen else "<i>No deviation selected.</i>")

    # -- loading --------------------------------------------------------------------------------------

    def load(self) -> None:
        assert self.target is not None
        test_id = self.target.key
        self.ctx.read("Loading the test", lambda db: load_test_page(db, test_id), self._show)

    def _show(self, page: TestPage) -> None:
        self.page = page
        t, c = page.test, page.control
        self.review.show_review(page.review)
        self.title.setText(f"{t.ref}  {test_title(t)}")
        self.subtitle.setText(
            f"Control <a href='control'>{c.ref} {c.title}</a> · {c.frequency.label} · {c.nature.label} · "
            f"status: <b>{t.status.label}</b>"
        )
        self.procedure.load(t.procedure)
        for method, box in self.methods.items():
            box.blockSignals(True)
            box.setChecked(method in t.methods)
            box.blockSignals(False)
        operating = t.kind is TestKind.OPERATING
        self._arrange(t.kind)
        self.population.load(t.population)
        for widget in (self.population, self.population_label, self.sampling):
            widget.setVisible(operating)
        self.sizes_row.setVisible(operating and not page.population_imported)
        timed = operating and t.window is not None
        for widget in (self.timing_row, self.timing_label):
            widget.setVisible(timed)
        if t.window is not None:
            self.round.load(t.round)
            self.window_start.load(t.window_start, t.window.start)
            self.window_end.load(t.window_end, t.window.end)
            self.window_label.setText(f"= {t.window.label}")
        if operating:
            self.sampling.show_sampling(t.id, page.sampling)
        self.population_size.blockSignals(True)
        self.population_size.setValue(UNKNOWN if t.population_size is None else t.population_size)
        self.population_size.blockSignals(False)
        self.seed.load("" if t.seed is None else str(t.seed))
        self.selection.load(t.selection)
        planned = f" of {t.sample_size} planned" if t.sample_size else ""
        tested = f"{t.items_with_result} tested, {t.items_with_deviation} deviation(s)"
        self.sample_heading.setText(f"Sample: {t.items_total} item(s){planned}, {tested}")
        self.plan_note.setText(
            "" if operating else "A test of design is a walkthrough: describe it and attach what you inspected."
        )
        self.legend.setText("Tickmarks: " + "  ".join(m.symbol for m in page.tickmarks) + "  (hover for meanings)")
        self.legend.setToolTip("\n".join(f"{m.symbol} = {m.meaning}" for m in page.tickmarks))
        self.items.set_rows(page.items)
        self._describe_pending()
        self.deviations.set_rows(page.deviations)
        if page.deviations and not self.deviation_table.selectionModel().hasSelection():
            self.deviation_table.selectRow(0)
        self._show_deviation()
        self.conclusion.offer(Conclusion.NOT_OPERATED, t.kind is TestKind.OPERATING)
        self.conclusion.load(t.conclusion)
        self.conclusion_note.load(t.conclusion_note)
        self.conclusion_hint.setText(_conclusion_hint(t, page.items))
        self.served.set_rows(page.served)
        self.fairness.show_results(t.id, t.ref, list(page.fairness))
        self.evidence.show_files(page.evidence, evidence_target(t.id), t.ref)
        found = (
            f" ({len(page.deviations)} deviation{'s' if len(page.deviations) != 1 else ''})" if page.deviations else ""
        )
        self.tabs.setTabText(1, f"Fi&ndings and conclusion{found}")
        self.tabs.setTabText(2, f"E&vidence ({len(page.evidence)})")

    def _arrange(self, kind: TestKind) -> None:
        """A test of design is a walkthrough: its narrative takes the tab, and there is no sample grid."""
        operating = kind is TestKind.OPERATING
        self.procedure_label.setText("Pr&ocedure" if operating else "&Walkthrough narrative")
        self.procedure.setPlaceholderText(
            "What the auditor did, step by step."
            if operating
            else "Who was interviewed, what was observed and inspected, and how the control is designed to work."
        )
        self.procedure.lines = 4 if operating else WALKTHROUGH_LINES
        self.procedure.updateGeometry()
        self.procedure.setMaximumHeight(self.procedure.sizeHint().height() * 3 if operating else 16_777_215)
        self.sample.setVisible(operating)
        self.tabs.setTabText(0, PLAN_TAB[kind])

    def _dropped_on_item(self, paths: list[Path], row: int) -> None:
        """Files dropped on a sample row support that item; dropped below the rows, the test."""
        if self.page is None or row < 0:
            self.evidence.attach(paths)
            return
        item = self.items.rows[row]
        attach(self.ctx, self, paths, [item_target(item)], sample_ref(self.page.test.ref, item.seq))

    def _open_control(self, _link: str) -> None:
        if self.page is not None:
            self.ctx.open(Target(Page.CONTROL, self.page.control.id))

    # -- saving ---------------------------------------------------------------------------------------

    def _plan(self) -> TestPlan:
        assert self.page is not None
        selection = self.selection.value()
        return TestPlan(
            kind=self.page.test.kind,
            procedure=self.procedure.toPlainText(),
            methods=tuple(m for m, box in self.methods.items() if box.isChecked()),
            population=self.population.text(),
            population_size=None if self.population_size.value() == UNKNOWN else self.population_size.value(),
            sample_size=self.page.test.sample_size,  # recorded by the sampling panel, with its reason
            selection=Selection(selection) if selection else None,
            seed=int(self.seed.text()) if self.seed.text() else None,
        )

    def save_plan(self) -> None:
        if self.page is None:
            return
        test_id, plan = self.page.test.id, self._plan()
        if plan == self._saved_plan():
            return
        self.ctx.write(
            f"{self.page.test.ref} plan",
            lambda db: test_service.update_plan(db, test_id, plan),
            on_error=self._refused("Test plan"),
        )

    def _saved_plan(self) -> TestPlan:
        assert self.page is not None
        t = self.page.test
        return TestPlan(
            t.kind, t.procedure, t.methods, t.population, t.population_size, t.sample_size, t.selection, t.seed
        )

    def _edit_item(self, item: SampleItem, **changes: Any) -> None:
        values = _as_input(item, **changes)
        if values == _as_input(item):
            return
        if values.result is SampleResult.DEVIATION and not values.deviation_text:
            self.describing = item.id  # the choice is kept; the description is typed in the row next
        self.ctx.write(
            f"Sample item {item.identifier}", lambda db: test_service.update_sample_item(db, item.id, values)
        )

    def add_item(self) -> None:
        if self.page is None:
            return
        identifier, ok = QInputDialog.getText(self, "Add sample item", "Identifier (ticket, user, change, date):")
        if ok and identifier.strip():
            test_id = self.page.test.id
            item = SampleItemInput(identifier.strip())
            self.ctx.write("Sample item added", lambda db: test_service.add_sample_items(db, test_id, [item]))

    def paste_rows(self) -> None:
        if self.page is None:
            return
        text = QGuiApplication.clipboard().text()
        try:
            items = parse_pasted_rows(text)
        except ValidationError as exc:
            QMessageBox.warning(self, "Paste rows", exc.message)
            return
        test_id = self.page.test.id
        self.ctx.write(
            f"{len(items)} sample item(s) pasted", lambda db: test_service.add_sample_items(db, test_id, items)
        )

    def delete_items(self) -> None:
        rows = selected_rows(self.item_table)
        if not rows:
            return
        ids = [self.items.rows[row].id for row in rows]
        confirm_delete(
            self.ctx,
            self,
            "Delete sample items",
            f"Delete {len(ids)} sample item(s)?",
            lambda db: what_goes_with_items(db, ids),
            lambda: self.ctx.write(
                f"{len(ids)} sample item(s) deleted", lambda db: test_service.delete_sample_items(db, ids)
            ),
        )

    def delete_test(self) -> None:
        if self.page is not None:
            ask_to_delete_test(self.ctx, self, self.page.test)

    def _describe_pending(self) -> None:
        """Open the Deviation cell of the item just marked as one, to describe it there (no popup)."""
        row = self.items.row_of(self.describing)
        self.describing = None
        if row >= 0:
            index = self.items.index(row, DEVIATION_COLUMN)
            self.item_table.setCurrentIndex(index)
            self.item_table.edit(index)

    def record_deviation_for_selected(self) -> None:
        """A deviation found in the selected items: the form opens with them ticked."""
        rows = selected_rows(self.item_table)
        self.add_deviation([self.items.rows[row] for row in rows])

    def add_deviation(self, found_in: Sequence[SampleItem] | None = None) -> None:
        """Record a deviation; it names the items it was found in: those chosen, else those marked but not yet
        in a deviation of this test."""
        if self.page is None:
            return
        if not found_in:
            named = {item_id for d in self.page.deviations for item_id in d.sample_item_ids}
            found_in = [i for i in self.items.rows if i.result is SampleResult.DEVIATION and i.id not in named]
        dialog = DeviationDialog(self.items.rows, parent=self, found_in=found_in)
        if dialog.exec():
            test_id, values = self.page.test.id, dialog.values()
            self.ctx.write("Deviation recorded", lambda db: deviation_service.add_deviation(db, test_id, values))

    def _chosen_deviation(self) -> Deviation | None:
        rows = self.deviation_table.selectionModel().selectedRows()
        return self.deviations.row(rows[0]) if rows else None

    def edit_selected_deviation(self) -> None:
        if (chosen := self._chosen_deviation()) is not None:
            self.edit_deviation(chosen)

    def edit_deviation(self, existing: Deviation) -> None:
        dialog = DeviationDialog(self.items.rows, existing, parent=self)
        if dialog.exec():
            values = dialog.values()
            self.ctx.write("Deviation updated", lambda db: deviation_service.update_deviation(db, existing.id, values))

    def delete_deviation(self) -> None:
        rows = self.deviation_table.selectionModel().selectedRows()
        if not rows:
            return
        chosen = self.deviations.row(rows[0])
        confirm_delete(
            self.ctx,
            self,
            "Delete deviation",
            f"Delete {chosen.ref}: {chosen.description}?",
            lambda db: what_goes_with_deviation(db, chosen.id),
            lambda: self.ctx.write(
                f"Deleted {chosen.ref}", lambda db: deviation_service.delete_deviation(db, chosen.id)
            ),
        )

    def save_conclusion(self) -> None:
        if self.page is None:
            return
        test_id = self.page.test.id
        value = self.conclusion.value()
        conclusion = Conclusion(value) if value else None
        text = self.conclusion_note.text()
        self.ctx.write(
            f"{self.page.test.ref} conclusion",
            lambda db: test_service.conclude(db, test_id, conclusion, text),
            on_error=self._refused("Conclusion"),
        )

    def _refused(self, title: str) -> Callable[[BaseException], None]:
        """Say why an edit was refused, and put what is stored back on screen (so no later edit resends it)."""

        def show(exc: BaseException) -> None:
            if isinstance(exc, FieldworkError):
                QMessageBox.warning(self, title, exc.message)
            self.load()

        return show
