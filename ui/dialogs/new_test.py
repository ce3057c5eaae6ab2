"""A new test of a control, planned before it is saved: nothing is stored until the auditor confirms."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QFormLayout, QHBoxLayout, QPlainTextEdit, QWidget

from fieldwork.app.domain.records import TestPlan
from fieldwork.app.domain.vocabulary import Method, TestKind
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.testing import plan_row
from fieldwork.ui.dialogs.foot import Button, dialog_foot
from fieldwork.ui.widgets import ChoiceBox

#: The methods ticked at first: a walkthrough is inquiry and inspection; operating tests inspect.
FIRST_METHODS = {TestKind.DESIGN: (Method.INQUIRY, Method.INSPECTION), TestKind.OPERATING: (Method.INSPECTION,)}


class NewTestDialog(QDialog):
    """The kind of test, what the auditor will do, and how; the sample is planned on the test's page."""

    def __init__(self, control_ref: str, kind: TestKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"New test of {control_ref}")
        form = QFormLayout(self)
        self.kind = ChoiceBox(TestKind)
        self.kind.load(kind)
        self.procedure = QPlainTextEdit()
        self.procedure.setTabChangesFocus(True)
        self.procedure.setPlaceholderText("What you will do, step by step.")
        methods = QHBoxLayout()
        self.methods: dict[Method, QCheckBox] = {}
        for method in Method:
            self.methods[method] = box = QCheckBox(method.label)
            methods.addWidget(box)
        self.kind.chosen.connect(lambda chosen: self._tick(TestKind(chosen)))
        self._tick(kind)
        form.addRow("&Kind", self.kind)
        form.addRow("&Procedure", self.procedure)
        form.addRow("Methods", methods)
        self.error, _ = dialog_foot(self, form.addRow, self._accept, Button.Save)
        self.resize(560, 0)

    def _tick(self, kind: TestKind) -> None:
        for method, box in self.methods.items():
            box.setChecked(method in FIRST_METHODS[kind])

    def _accept(self) -> None:
        plan = self.plan()
        if not plan.methods:
            self.error.setText("Tick at least one method.")
            return
        try:
            plan_row(plan)  # the service's own checks, before anything is saved
        except ValidationError as exc:
            self.error.setText(exc.message)
            return
        self.accept()

    def plan(self) -> TestPlan:
        return TestPlan(
            TestKind(self.kind.value() or TestKind.OPERATING),
            procedure=self.procedure.toPlainText().strip(),
            methods=tuple(m for m, box in self.methods.items() if box.isChecked()),
        )
