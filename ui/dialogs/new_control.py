"""A new control, described before it is saved: nothing is stored until the auditor confirms."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from fieldwork.app.domain.records import ControlInput
from fieldwork.app.domain.vocabulary import ControlType, Frequency, Nature
from fieldwork.ui.dialogs.foot import Button, dialog_foot
from fieldwork.ui.widgets import ChoiceBox


class NewControlDialog(QDialog):
    """Title (required), description, owner, frequency, nature, type, and whether it is a key control
    (unticked: a control is key because the auditor says so)."""

    def __init__(self, serves: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New control")
        form = QFormLayout(self)
        self.title = QLineEdit()
        self.title.setPlaceholderText("e.g. Quarterly user access review")
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setMaximumHeight(90)
        self.owner = QLineEdit()
        self.frequency = ChoiceBox(Frequency)
        self.nature = ChoiceBox(Nature)
        self.control_type = ChoiceBox(ControlType)
        self.key = QCheckBox("&Key control")
        first = ControlInput("")  # the model's defaults: on occurrence, manual, preventive
        self.frequency.load(first.frequency)
        self.nature.load(first.nature)
        self.control_type.load(first.control_type)
        form.addRow("&Title", self.title)
        form.addRow("&Description", self.description)
        form.addRow("&Owner", self.owner)
        form.addRow("&Frequency", self.frequency)
        form.addRow("&Nature", self.nature)
        form.addRow("T&ype", self.control_type)
        form.addRow("", self.key)
        if serves:
            form.addRow("Serves", QLabel(f"{serves}  (linked when saved)"))
        self.error, _ = dialog_foot(self, form.addRow, self._accept, Button.Save)
        self.resize(520, 0)

    def _accept(self) -> None:
        if not self.title.text().strip():
            self.error.setText("Give the control a short title.")
            return
        self.accept()

    def values(self) -> ControlInput:
        return ControlInput(
            title=self.title.text().strip(),
            description=self.description.toPlainText().strip(),
            owner=self.owner.text().strip(),
            frequency=Frequency(self.frequency.value() or Frequency.ON_OCCURRENCE),
            nature=Nature(self.nature.value() or Nature.MANUAL),
            control_type=ControlType(self.control_type.value() or ControlType.PREVENTIVE),
            is_key=self.key.isChecked(),
        )
