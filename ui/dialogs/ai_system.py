"""Add or edit an AI system of the inventory, all its fields at once.

A dialog rather than fields saved one by one: the stage and its dates depend on each other (a deployed system needs
its deployed date), so they are checked together when the auditor saves (`ai_systems.system_row`).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from fieldwork.app.domain.ai_systems import (
    STAGES,
    AiRole,
    AiSystemInput,
    LifeCycleStage,
    RiskLevel,
    components_text,
    parse_components,
)
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.ai_systems import system_row
from fieldwork.ui.date_fields import OptionalDateField
from fieldwork.ui.dialogs.foot import Button, dialog_foot
from fieldwork.ui.widgets import ChoiceBox

COMPONENTS_HINT = "One per line: name: where it came from (trained in-house, a vendor, a public data set)"


def _text(value: str, hint: str, height: int = 64) -> QPlainTextEdit:
    field = QPlainTextEdit(value)
    field.setTabChangesFocus(True)
    field.setPlaceholderText(hint)
    field.setMaximumHeight(height)
    return field


class AiSystemDialog(QDialog):
    def __init__(self, existing: AiSystemInput | None = None, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        values = existing or AiSystemInput(name="")
        self.setWindowTitle(title or "New AI system")
        self.name = QLineEdit(values.name)
        self.purpose = _text(values.purpose, "What the system does, for whom, and what its outputs are used for")
        self.affected = _text(values.affected, "The individuals and groups its outputs affect")
        self.roles = {role: QCheckBox(role.label) for role in AiRole}
        roles = QHBoxLayout()
        for role, box in self.roles.items():
            box.setChecked(role in values.roles)
            roles.addWidget(box)
        roles.addStretch()
        self.risk = ChoiceBox(RiskLevel, none_label="(not rated)")
        self.risk.load(values.risk_level)
        self.owner = QLineEdit(values.owner)
        self.in_scope = QCheckBox("In the scope of the AI management system")
        self.in_scope.setChecked(values.in_scope)
        self.scope_reason = QLineEdit(values.scope_reason)
        self.scope_reason.setPlaceholderText("Why it is in scope, or (required) why it is not")
        self.stage = ChoiceBox(LifeCycleStage)
        self.stage.load(values.stage)
        self.dates = {stage: OptionalDateField() for stage in STAGES}
        for stage, field in self.dates.items():
            field.load(values.stage_date(stage), date.today())
        self.models = _text(components_text(values.models), COMPONENTS_HINT, 80)
        self.datasets = _text(components_text(values.datasets), COMPONENTS_HINT, 80)

        left, right = QFormLayout(), QFormLayout()
        left.addRow("&Name", self.name)
        left.addRow("&Purpose", self.purpose)
        left.addRow("People &affected", self.affected)
        left.addRow("Organization's role", roles)
        left.addRow("&Risk level", self.risk)
        left.addRow("&Owner", self.owner)
        left.addRow("", self.in_scope)
        left.addRow("Scope reason", self.scope_reason)
        right.addRow("Life cycle &stage", self.stage)
        for stage, field in self.dates.items():
            right.addRow(f"{stage.label}", field)
        right.addRow("&Models", self.models)
        right.addRow("&Data sets", self.datasets)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        self.error, _ = dialog_foot(self, layout.addWidget, self._accept, Button.Save)
        self.resize(940, 520)

    def values(self) -> AiSystemInput:
        risk = self.risk.value()
        return AiSystemInput(
            name=self.name.text(),
            purpose=self.purpose.toPlainText(),
            roles=tuple(role for role, box in self.roles.items() if box.isChecked()),
            affected=self.affected.toPlainText(),
            risk_level=RiskLevel(risk) if risk else None,
            stage=LifeCycleStage(self.stage.value() or LifeCycleStage.DESIGN),
            **{stage.date_field: field.value() for stage, field in self.dates.items()},
            models=parse_components(self.models.toPlainText()),
            datasets=parse_components(self.datasets.toPlainText()),
            owner=self.owner.text(),
            in_scope=self.in_scope.isChecked(),
            scope_reason=self.scope_reason.text(),
        )

    def _accept(self) -> None:
        """Refuse here, with the service's own sentence, what the inventory would refuse."""
        try:
            system_row(self.values())
        except ValidationError as exc:
            self.error.setText(exc.message)
            return
        self.accept()
