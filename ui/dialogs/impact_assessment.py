"""Record or edit an AI system impact assessment (A.5): when, by whom, what it considered and found, its approval."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import QDialog, QFormLayout, QLineEdit, QPlainTextEdit, QWidget

from fieldwork.app.domain.ai_systems import ImpactAssessmentInput
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.impact_assessments import assessment_row
from fieldwork.ui.date_fields import DateField, OptionalDateField
from fieldwork.ui.dialogs.foot import Button, dialog_foot

#: Where an unset next review starts when the auditor sets one: assessments are usually reviewed yearly.
REVIEW_CYCLE = timedelta(days=365)


def _text(value: str, hint: str) -> QPlainTextEdit:
    field = QPlainTextEdit(value)
    field.setTabChangesFocus(True)
    field.setPlaceholderText(hint)
    field.setMaximumHeight(70)
    return field


class ImpactAssessmentDialog(QDialog):
    def __init__(self, system: str, existing: ImpactAssessmentInput | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        values = existing or ImpactAssessmentInput(date.today(), "")
        self.setWindowTitle(f"Impact assessment of {system}")
        self.reference = QLineEdit(values.reference)
        self.reference.setPlaceholderText("The client's reference, e.g. IA-2026-007")
        self.assessed_on = DateField()
        self.assessed_on.load(values.assessed_on)
        self.assessor = QLineEdit(values.assessor)
        self.individuals = _text(
            values.individuals, "Individuals and groups whose treatment, rights or safety it considered"
        )
        self.societal = _text(values.societal, "Societal impacts considered (access to employment, environment, ...)")
        self.results = _text(values.results, "What it concluded, and the mitigations it required")
        self.approved_by = QLineEdit(values.approved_by)
        self.approved_on = OptionalDateField()
        self.approved_on.load(values.approved_on, values.assessed_on)
        self.next_review = OptionalDateField()
        self.next_review.load(values.next_review, values.assessed_on + REVIEW_CYCLE)
        form = QFormLayout(self)
        form.addRow("&Reference", self.reference)
        form.addRow("&Performed on", self.assessed_on)
        form.addRow("&Assessor", self.assessor)
        form.addRow("&Individuals and groups", self.individuals)
        form.addRow("&Societal impacts", self.societal)
        form.addRow("Res&ults", self.results)
        form.addRow("Approved &by", self.approved_by)
        form.addRow("Approved &on", self.approved_on)
        form.addRow("&Next review", self.next_review)
        self.error, _ = dialog_foot(self, form.addRow, self._accept, Button.Save)
        self.resize(620, 560)

    def values(self) -> ImpactAssessmentInput:
        return ImpactAssessmentInput(
            assessed_on=self.assessed_on.value(),
            assessor=self.assessor.text(),
            reference=self.reference.text(),
            individuals=self.individuals.toPlainText(),
            societal=self.societal.toPlainText(),
            results=self.results.toPlainText(),
            approved_by=self.approved_by.text(),
            approved_on=self.approved_on.value(),
            next_review=self.next_review.value(),
        )

    def _accept(self) -> None:
        try:
            assessment_row(self.values())
        except ValidationError as exc:
            self.error.setText(exc.message)
            return
        self.accept()
