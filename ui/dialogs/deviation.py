"""Record or edit a deviation: what happened, why, management's response, the effect, the ISO grade."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QPlainTextEdit, QWidget

from app.domain.records import Deviation, DeviationInput
from app.domain.vocabulary import IsoGrade
from ui.dialogs.foot import Button, dialog_foot
from ui.widgets import ChoiceBox


class DeviationDialog(QDialog):
    def __init__(self, existing: Deviation | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Deviation" if existing else "New deviation")
        form = QFormLayout(self)
        self.description = self._text(existing.description if existing else "")
        self.description.setPlaceholderText("e.g. 2 of 25 sampled changes were deployed without documented approval.")
        self.root_cause = self._text(existing.root_cause if existing else "")
        self.response = self._text(existing.management_response if existing else "")
        self.effect = self._text(existing.effect if existing else "")
        self.grade = ChoiceBox(IsoGrade, none_label="(no ISO finding)")
        self.grade.load(existing.iso_grade if existing else None)
        form.addRow("&What happened", self.description)
        form.addRow("&Root cause", self.root_cause)
        form.addRow("&Management response", self.response)
        form.addRow("&Effect on the criteria", self.effect)
        form.addRow("ISO &grade", self.grade)
        self.error, _ = dialog_foot(self, form.addRow, self._accept, Button.Save)
        self.resize(560, 460)

    def _text(self, value: str) -> QPlainTextEdit:
        edit = QPlainTextEdit(value)
        edit.setTabChangesFocus(True)
        return edit

    def _accept(self) -> None:
        if not self.description.toPlainText().strip():
            self.error.setText("Describe the deviation: what happened, and in how many of the sample.")
            return
        self.accept()

    def values(self) -> DeviationInput:
        grade = self.grade.value()
        return DeviationInput(
            description=self.description.toPlainText(),
            root_cause=self.root_cause.toPlainText(),
            management_response=self.response.toPlainText(),
            effect=self.effect.toPlainText(),
            iso_grade=IsoGrade(grade) if grade else None,
        )
