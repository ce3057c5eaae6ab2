"""A client control: its fields (saved as they are edited), its requirements, suggestions and tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QSignalBlocker, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QMessageBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fieldwork.app.domain.over_time import ControlDates, Span
from fieldwork.app.domain.records import ControlInput, ControlTest, Suggestion
from fieldwork.app.domain.timeline import test_title
from fieldwork.app.domain.vocabulary import ControlType, Frequency, Nature, TestKind
from fieldwork.app.errors import FieldworkError
from fieldwork.app.pages.control import ControlPage, evidence_target, load_control_page
from fieldwork.app.services import controls as control_service
from fieldwork.app.services import testing as test_service
from fieldwork.app.services.control_dates import set_control_dates
from fieldwork.app.services.deleting import what_goes_with_control, what_goes_with_test
from fieldwork.ui.context import Page, Target, UiContext
from fieldwork.ui.context_menus import ContextMenu, MenuItem, open_and_copy
from fieldwork.ui.date_fields import OptionalDateField
from fieldwork.ui.dialogs.confirm_delete import confirm_delete
from fieldwork.ui.dialogs.new_test import NewTestDialog
from fieldwork.ui.dialogs.requirement_picker import RequirementPicker
from fieldwork.ui.evidence_drop import FileDrop
from fieldwork.ui.evidence_panel import EvidencePanel
from fieldwork.ui.flow_row import FlowRow, labelled
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.review_strip import ReviewStrip
from fieldwork.ui.served import served_table
from fieldwork.ui.status_style import icon
from fieldwork.ui.tables import make_table
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.widgets import ChoiceBox, CommitLineEdit, CommitTextEdit, heading, narrow, note, section

NOT_REPLACING = "(no other control)"
TAB_TITLES = ("&Requirements", "Cross&walk suggestions", "&Tests", "E&vidence")
#: The tab a control opens on: its tests are what the auditor came for.
TESTS_TAB = 2


def over_time(page: ControlPage) -> str:
    """The control's dates in words, and the part of its time its tests leave untested as a warning."""
    said = page.dates_note + "." if page.dates_note else ""
    gap = page.coverage_gap
    warning = f"<b>Coverage: {gap} (a key control's tests should cover its time in the period).</b>" if gap else ""
    return " ".join(part for part in (said, warning) if part)


def _sample_progress(test: ControlTest) -> str:
    if test.kind is not TestKind.OPERATING:
        return ""
    return f"{test.items_with_result}/{test.sample_size or test.items_total}"


class ControlView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.page: ControlPage | None = None
        outer = QVBoxLayout(self)
        self.title_label = heading("")
        outer.addWidget(self.title_label)
        self.review = ReviewStrip(ctx)
        outer.addWidget(self.review)

        split = QSplitter(Qt.Orientation.Vertical)  # the fields above, the lists below: the user sets the share
        split.setChildrenCollapsible(False)
        split.addWidget(self._fields())
        self.tabs = QTabWidget()
        self.evidence = EvidencePanel(ctx, "Drop files on this page to attach them to the control.")
        panels = (self._requirements_panel(), self._suggestions_panel(), self._tests_panel(), self.evidence)
        for panel, text in zip(panels, TAB_TITLES, strict=True):
            self.tabs.addTab(panel, text)
        self.tabs.setCurrentIndex(TESTS_TAB)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        outer.addWidget(split, 1)
        FileDrop(self, lambda paths, _row: self.evidence.attach(paths))

    def _fields(self) -> QWidget:
        """The control's own fields; the description wraps and takes the height there is."""
        self.title = CommitLineEdit()
        self.description = CommitTextEdit(lines=5)
        self.owner = CommitLineEdit()
        self.frequency = ChoiceBox(Frequency)
        self.nature = ChoiceBox(Nature)
        self.control_type = ChoiceBox(ControlType)
        for box in (self.frequency, self.nature, self.control_type):
            narrow(box)
        self.key = QCheckBox("&Key control")
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        rows = (
            (("T&itle", self.title),),
            (("&Description", self.description),),
            (("&Owner", self.owner), ("Fre&quency", self.frequency)),
            (("&Nature", self.nature), ("T&ype", self.control_type)),
        )
        for row, pairs in enumerate(rows):
            for column, (text, field) in enumerate(pairs):
                label = QLabel(text)
                label.setBuddy(field)
                grid.addWidget(label, row, 2 * column, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(field, row, 2 * column + 1, 1, 3 if len(pairs) == 1 else 1)
        grid.setRowStretch(1, 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.effective_from, self.effective_to = OptionalDateField(), OptionalDateField()
        self.replaces = QComboBox()
        narrow(self.replaces)
        at = len(rows)
        dates = FlowRow()  # the two dates one under the other on half a screen
        for text, widget in (("from", self.effective_from), ("until", self.effective_to)):
            dates.addWidget(labelled(text, widget))
        grid.addWidget(QLabel("In operation"), at, 0)
        grid.addLayout(dates, at, 1, 1, 3)
        grid.addWidget(QLabel("Replacing"), at + 1, 0)
        grid.addWidget(self.replaces, at + 1, 1)
        grid.addWidget(self.key, at + 1, 2, 1, 2)
        self.over_time = note()
        grid.addWidget(self.over_time, at + 2, 1, 1, 3)
        for field in (self.effective_from, self.effective_to):
            field.committed.connect(lambda _day: self.save_dates())
        self.replaces.activated.connect(lambda _i: self.save_dates())
        for field in (self.title, self.owner, self.description):
            field.committed.connect(lambda _text: self.save())
        for box in (self.frequency, self.nature, self.control_type):
            box.chosen.connect(lambda _value: self.save())
        self.key.toggled.connect(lambda _checked: self.save())
        fields = QWidget()
        fields.setLayout(grid)
        return fields

    def _requirements_panel(self) -> QWidget:
        self.linked, self.linked_table = served_table(self.ctx)
        return section(
            "",
            self.linked_table,
            [("&Link requirement...", self.link_requirement), ("&Unlink", self.unlink_requirement)],
        )

    def _suggestions_panel(self) -> QWidget:
        self.suggestions = RowTableModel[Suggestion](
            [
                Column("Requirement", lambda s: s.code),
                Column("Title", lambda s: s.title),
                Column("Because it serves", lambda s: s.via),
                Column("Relationship", lambda s: s.relationship.label),
                Column("Rationale", lambda s: s.rationale, tooltip=lambda s: s.rationale),
            ],
            key=lambda s: s.code,
        )
        self.suggestion_table = make_table(self.suggestions)
        return section(
            "",
            self.suggestion_table,
            [("&Accept suggestion", self.accept_suggestion), ("Dis&miss", self.dismiss_suggestion)],
        )

    def _tests_panel(self) -> QWidget:
        self.tests = RowTableModel[ControlTest](
            [
                Column("Test", lambda t: t.ref, icon=lambda t: icon(t.status)),
                Column("Kind", test_title),
                Column("Covers", lambda t: t.window.label if t.window and t.kind is TestKind.OPERATING else ""),
                Column("Status", lambda t: t.status.label),
                Column("Sample", _sample_progress),
                Column("Deviations", lambda t: t.deviation_count or ""),
                Column("Conclusion", lambda t: t.conclusion.label if t.conclusion else "Open"),
            ],
            key=lambda t: t.id,
        )
        self.test_table = make_table(self.tests, stretch=1)
        self.test_table.doubleClicked.connect(self.open_test)
        ContextMenu(self.test_table, self._test_menu)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.test_table)
        delete.activated.connect(self.delete_test)
        return section(
            "",
            self.test_table,
            [
                ("New de&sign test", lambda: self.new_test(TestKind.DESIGN)),
                ("New o&perating test", lambda: self.new_test(TestKind.OPERATING)),
            ],
            trailing=[("Delete control...", self.delete_control)],
        )

    def _test_menu(self, index: QModelIndex) -> list[MenuItem]:
        """Open, Copy reference, and Delete test... (a test's own page has its Delete button too)."""
        items = open_and_copy(index, lambda: self.open_test(index), lambda: self.tests.row(index).ref)
        if items:
            items.append(("Delete test...", lambda: ask_to_delete_test(self.ctx, self, self.tests.row(index))))
        return items

    def open_test(self, index: QModelIndex) -> None:
        self.ctx.open(Target(Page.TEST, self.tests.row(index).id))

    def load(self) -> None:
        assert self.target is not None
        control_id = self.target.key
        self.ctx.read("Loading the control", lambda db: load_control_page(db, control_id), self._show)

    def _show(self, page: ControlPage) -> None:
        self.page = page
        c = page.control
        self.review.show_review(page.review)
        self.title_label.setText(f"{c.ref}  {c.title}")
        self.title.load(c.title)
        self.description.load(c.description)
        self.owner.load(c.owner)
        self.frequency.load(c.frequency)
        self.nature.load(c.nature)
        self.control_type.load(c.control_type)
        self.key.blockSignals(True)
        self.key.setChecked(c.is_key)
        self.key.blockSignals(False)
        fallback = page.period or Span(date.today(), date.today())
        self.effective_from.load(c.effective_from, fallback.start)
        self.effective_to.load(c.effective_to, fallback.end)
        with QSignalBlocker(self.replaces):
            self.replaces.clear()
            self.replaces.addItems([NOT_REPLACING, *page.others])  # one call: 1,640 controls at `--scale 20`
            self.replaces.setCurrentIndex(max(0, self.replaces.findText(c.replaces_ref)) if c.replaces_ref else 0)
        self.over_time.setText(over_time(page))
        self.over_time.setVisible(bool(self.over_time.text()))
        self.linked.set_rows(page.linked)
        self.suggestions.set_rows(page.suggestions)
        self.tests.set_rows(page.tests)
        self.evidence.show_files(page.evidence, evidence_target(c.id), c.ref)
        counts = (len(page.linked), len(page.suggestions), len(page.tests), len(page.evidence))
        for index, (text, count) in enumerate(zip(TAB_TITLES, counts, strict=True)):
            self.tabs.setTabText(index, f"{text} ({count})")

    def _replaced(self) -> str | None:
        """The reference of the control this one replaces, or None (the first choice says it replaces none)."""
        return self.replaces.currentText() if self.replaces.currentIndex() > 0 else None

    def _values(self) -> ControlInput:
        return ControlInput(
            title=self.title.text(),
            description=self.description.toPlainText(),
            owner=self.owner.text(),
            frequency=Frequency(self.frequency.value() or Frequency.ON_OCCURRENCE),
            nature=Nature(self.nature.value() or Nature.MANUAL),
            control_type=ControlType(self.control_type.value() or ControlType.PREVENTIVE),
            is_key=self.key.isChecked(),
        )

    def save(self) -> None:
        if self.page is None:
            return
        control_id, values = self.page.control.id, self._values()
        self.ctx.write(
            f"{self.page.control.ref} updated",
            lambda db: control_service.update_control(db, control_id, values),
            on_error=self._refused,
        )

    def save_dates(self) -> None:
        if self.page is None:
            return
        control_id = self.page.control.id
        dates = ControlDates(self.effective_from.value(), self.effective_to.value(), self._replaced())
        self.ctx.write(
            f"{self.page.control.ref}: in operation",
            lambda db: set_control_dates(db, control_id, dates),
            on_error=self._refused,
        )

    def _refused(self, exc: BaseException) -> None:
        """Say why, and put the stored control back on screen (an empty title must not stay shown as if saved)."""
        if isinstance(exc, FieldworkError):
            QMessageBox.warning(self, "Control", exc.message)
        self.load()

    def _selected(self, table: QTableView, model: RowTableModel[Any]) -> Any:
        rows = table.selectionModel().selectedRows()
        return model.row(rows[0]) if rows else None

    def link_requirement(self) -> None:
        """Tick the requirements in a searchable tree; all of them are linked as one action."""
        if self.page is None:
            return
        c = self.page.control
        picker = RequirementPicker(c.ref, self.page.scope, [r.code for r in self.page.choices], c.requirements, self)
        if not picker.exec():
            return
        codes, control_id = picker.chosen(), c.id
        self.ctx.write(
            f"Linked {', '.join(codes)}", lambda db: control_service.link_requirements(db, control_id, codes)
        )

    def unlink_requirement(self) -> None:
        chosen = self._selected(self.linked_table, self.linked)
        if self.page is None or chosen is None:
            return
        code, control_id = chosen.requirement.code, self.page.control.id
        self.ctx.write(f"Unlinked {code}", lambda db: control_service.unlink_requirement(db, control_id, code))

    def accept_suggestion(self) -> None:
        chosen = self._selected(self.suggestion_table, self.suggestions)
        if self.page is None or chosen is None:
            return
        code, control_id = chosen.code, self.page.control.id
        self.ctx.write(f"Linked {code}", lambda db: control_service.link_requirement(db, control_id, code))

    def dismiss_suggestion(self) -> None:
        chosen = self._selected(self.suggestion_table, self.suggestions)
        if self.page is None or chosen is None:
            return
        code, control_id = chosen.code, self.page.control.id
        self.ctx.write(f"Dismissed {code}", lambda db: control_service.dismiss_suggestion(db, control_id, code))

    def new_test(self, kind: TestKind) -> None:
        """Plan a new test in a form; it is saved only when the auditor confirms it."""
        if self.page is None:
            return
        ref = self.page.control.ref
        dialog = NewTestDialog(ref, kind, self)
        if not dialog.exec():
            return
        plan = dialog.plan()
        self.ctx.write(
            f"New test for {ref}",
            lambda db: test_service.add_test(db, ref, plan),
            lambda made: self.ctx.open(Target(Page.TEST, made.id)),
        )

    def delete_test(self) -> None:
        chosen = self._selected(self.test_table, self.tests)
        if chosen is not None:
            ask_to_delete_test(self.ctx, self, chosen)

    def delete_control(self) -> None:
        if self.page is None:
            return
        control = self.page.control
        confirm_delete(
            self.ctx,
            self,
            "Delete control",
            f"Delete {control.ref} {control.title}?",
            lambda db: what_goes_with_control(db, control.id),
            lambda: self.ctx.write(
                f"Deleted {control.ref}",
                lambda db: control_service.delete_control(db, control.id),
                lambda _: self.ctx.open(Target(Page.DASHBOARD)),
            ),
        )


def ask_to_delete_test(ctx: UiContext, parent: QWidget, test: ControlTest) -> None:
    """Delete a test after saying what goes with it; its control's page is shown afterwards."""
    confirm_delete(
        ctx,
        parent,
        "Delete test",
        f"Delete {test.ref} ({test.kind.label.lower()})?",
        lambda db: what_goes_with_test(db, test.id),
        lambda: ctx.write(
            f"Deleted {test.ref}",
            lambda db: test_service.delete_test(db, test.id),
            lambda _: ctx.open(Target(Page.CONTROL, test.control_id)),
        ),
    )
