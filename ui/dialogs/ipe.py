"""Record the assessment of a population or a key report the entity produced: where it came from, how it was
produced, and the completeness and accuracy procedures with their result.

The dialog saves through the service itself and stays open on a refusal (a result without its procedures), saying
why, so nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QFormLayout, QLineEdit, QPlainTextEdit, QWidget

from fieldwork.app.domain.ids import ControlId
from fieldwork.app.domain.ipe import IpeInput, IpeResult, PopulationIpe
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import FieldworkError
from fieldwork.app.services import ipe as service
from fieldwork.ui.context import UiContext
from fieldwork.ui.date_fields import OptionalDateField
from fieldwork.ui.dialogs.foot import Button, dialog_foot
from fieldwork.ui.widgets import ChoiceBox


def _text(value: str, hint: str) -> QPlainTextEdit:
    box = QPlainTextEdit(value)
    box.setTabChangesFocus(True)
    box.setPlaceholderText(hint)
    return box


#: The change to save, made from what the dialog holds (the values, and the control chosen for a new key report).
Save = Callable[[IpeInput, ControlId | None], Callable[[Engagement], Any]]


class IpeDialog(QDialog):
    """`subject` names what is assessed ("C-001.T2 population"); `controls` (reference, title, id) offers the control
    a new key report belongs to, and `report` asks the report's name."""

    def __init__(
        self,
        ctx: UiContext,
        subject: str,
        save: Save,
        existing: IpeInput | None = None,
        *,
        report: bool = False,
        controls: tuple[tuple[str, str, ControlId], ...] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.subject, self.save = ctx, subject, save
        values = existing or IpeInput()
        self.setWindowTitle(f"Information produced by the entity: {subject}")
        form = QFormLayout(self)
        self.controls = controls
        self.control = QComboBox()
        if controls:
            self.control.addItems([f"{ref}  {title}" for ref, title, _ in controls])
            form.addRow("&Control", self.control)
        self.name = QLineEdit(values.name)
        self.name.setPlaceholderText("e.g. Okta application user listing")
        if report:
            form.addRow("Report &name", self.name)
        self.source_system = QLineEdit(values.source_system)
        self.source_system.setPlaceholderText("e.g. Jira, BambooHR, the data warehouse")
        self.report = QLineEdit(values.report)
        self.report.setPlaceholderText("the saved report or the query that produced it")
        self.parameters = QLineEdit(values.parameters)
        self.parameters.setPlaceholderText("dates, filters, environment")
        self.produced_by = QLineEdit(values.produced_by)
        self.produced_on = OptionalDateField()
        self.produced_on.load(values.produced_on, values.produced_on or date.today())
        self.observed = QCheckBox("The auditor &observed it being produced")
        self.observed.setChecked(values.observed)
        self.procedures = _text(
            values.procedures, "e.g. Reperformed the query; agreed the count to the system; traced 5 items each way."
        )
        self.ipe_result = ChoiceBox(IpeResult, none_label="Not assessed yet")
        self.ipe_result.load(values.result)
        form.addRow("&Source system", self.source_system)
        form.addRow("&Query or report", self.report)
        form.addRow("&Parameters", self.parameters)
        form.addRow("Produced &by", self.produced_by)
        form.addRow("Produced o&n", self.produced_on)
        form.addRow("", self.observed)
        form.addRow("Completeness and &accuracy\nprocedures", self.procedures)
        form.addRow("&Result", self.ipe_result)
        self.error, _ = dialog_foot(self, form.addRow, self._save, Button.Save)
        self.resize(620, 460)

    def _save(self) -> None:
        def refused(exc: BaseException) -> None:
            if isinstance(exc, FieldworkError):
                self.error.setText(exc.message)

        work = self.save(self.values(), self.control_id())
        self.ctx.write(f"IPE of {self.subject}", work, lambda _saved: self.accept(), on_error=refused)

    def control_id(self) -> ControlId | None:
        index = self.control.currentIndex()
        return self.controls[index][2] if self.controls and index >= 0 else None

    def values(self) -> IpeInput:
        result = self.ipe_result.value()
        return IpeInput(
            source_system=self.source_system.text(),
            report=self.report.text(),
            parameters=self.parameters.text(),
            produced_by=self.produced_by.text(),
            produced_on=self.produced_on.value(),
            observed=self.observed.isChecked(),
            procedures=self.procedures.toPlainText(),
            result=IpeResult(result) if result else None,
            name=self.name.text(),
        )


def assess_population(ctx: UiContext, parent: QWidget, relied: PopulationIpe) -> None:
    """The dialog for a test's population, saving through the service (the IPE page and the sampling panel)."""
    found = relied.assessment
    dialog = IpeDialog(
        ctx,
        f"{relied.test_ref} population",
        lambda values, _control: lambda db: service.assess_population(db, relied.test_id, values),
        found.values if found else None,
        parent=parent,
    )
    dialog.exec()
