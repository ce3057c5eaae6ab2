"""Record or edit a deviation and the auditor's evaluation of it (JUDGEMENTS.md section 2).

What happened, the sample items it was found in (n of N follows), its nature and root cause, how many
deviations the sample expected, whether the sample was extended and what that showed, management's response,
the effect on the criteria and the evaluation. ISO/IEC 42001 grades belong to the findings register.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from fieldwork.app.domain.ids import SampleItemId
from fieldwork.app.domain.judgements import DeviationNature
from fieldwork.app.domain.records import Deviation, DeviationInput, SampleItem
from fieldwork.app.domain.vocabulary import SampleResult
from fieldwork.ui.dialogs.foot import Button, dialog_foot
from fieldwork.ui.widgets import ChoiceBox

NO_EXPECTATION = -1


class DeviationDialog(QDialog):
    def __init__(
        self,
        items: Sequence[SampleItem],
        existing: Deviation | None = None,
        parent: QWidget | None = None,
        found_in: Sequence[SampleItem] = (),
    ) -> None:
        """`found_in`: for a new deviation, the items ticked at first, their own notes its first description."""
        super().__init__(parent)
        self.setWindowTitle(f"Deviation {existing.ref}" if existing else "New deviation")
        form = QFormLayout(self)
        noted = "\n".join(f"#{i.seq} {i.identifier}: {i.deviation_text}" for i in found_in if i.deviation_text)
        self.description = self._text(existing.description if existing else noted)
        self.description.setPlaceholderText("e.g. 2 of 25 sampled changes were deployed without documented approval.")
        ticked = set(existing.sample_item_ids) if existing else {i.id for i in found_in}
        self.items = self._item_list(items, ticked)
        self.nature = ChoiceBox(DeviationNature, none_label="(not yet evaluated)")
        self.nature.load(existing.nature if existing else None)
        self.expected = QSpinBox()
        self.expected.setRange(NO_EXPECTATION, 10_000)
        self.expected.setSpecialValueText("(not stated)")
        stated = existing.expected_deviations if existing else 0
        self.expected.setValue(NO_EXPECTATION if stated is None else stated)
        self.extended = QCheckBox("The sample was e&xtended")
        self.extended.setChecked(bool(existing and existing.extended))
        self.extension = self._text(existing.extension_result if existing else "")
        self.extension.setPlaceholderText("What the extended sample showed")
        self.extended.toggled.connect(self.extension.setEnabled)
        self.extension.setEnabled(self.extended.isChecked())
        self.root_cause = self._text(existing.root_cause if existing else "")
        self.response = self._text(existing.management_response if existing else "")
        self.effect = self._text(existing.effect if existing else "")
        self.evaluation = self._text(existing.evaluation if existing else "")
        self.evaluation.setPlaceholderText("Isolated or systematic, compensating controls, effect on the criterion")
        form.addRow("&What happened", self.description)
        form.addRow("&Sample items", self.items)
        form.addRow("&Nature", self.nature)
        form.addRow("Deviations e&xpected", self.expected)
        form.addRow("", self.extended)
        form.addRow("Extension &result", self.extension)
        form.addRow("&Root cause", self.root_cause)
        form.addRow("&Management response", self.response)
        form.addRow("&Effect on the criteria", self.effect)
        form.addRow("E&valuation", self.evaluation)
        self.error, _ = dialog_foot(self, form.addRow, self._accept, Button.Save)
        self.resize(640, 720)

    def _text(self, value: str) -> QPlainTextEdit:
        edit = QPlainTextEdit(value)
        edit.setTabChangesFocus(True)
        return edit

    def _item_list(self, items: Sequence[SampleItem], chosen: set[SampleItemId]) -> QListWidget:
        """The test's sample items to tick; those marked as deviations come first."""
        listing = QListWidget()
        ordered = sorted(items, key=lambda i: (i.result is not SampleResult.DEVIATION, i.seq))
        for item in ordered:
            entry = QListWidgetItem(f"#{item.seq}  {item.identifier}  {item.result.label if item.result else ''}")
            entry.setData(Qt.ItemDataRole.UserRole, item.id)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Checked if item.id in chosen else Qt.CheckState.Unchecked)
            listing.addItem(entry)
        listing.setMaximumHeight(120)
        return listing

    def _accept(self) -> None:
        if not self.description.toPlainText().strip():
            self.error.setText("Describe the deviation: what happened, and in how many of the sample.")
            return
        if self.extended.isChecked() and not self.extension.toPlainText().strip():
            self.error.setText("Say what the extended sample showed.")
            return
        self.accept()

    def chosen_items(self) -> tuple[SampleItemId, ...]:
        found = (self.items.item(row) for row in range(self.items.count()))
        return tuple(i.data(Qt.ItemDataRole.UserRole) for i in found if i.checkState() == Qt.CheckState.Checked)

    def values(self) -> DeviationInput:
        nature = self.nature.value()
        expected = self.expected.value()
        return DeviationInput(
            description=self.description.toPlainText(),
            root_cause=self.root_cause.toPlainText(),
            management_response=self.response.toPlainText(),
            effect=self.effect.toPlainText(),
            sample_items=self.chosen_items(),
            nature=DeviationNature(nature) if nature else None,
            expected_deviations=None if expected == NO_EXPECTATION else expected,
            extended=self.extended.isChecked(),
            extension_result=self.extension.toPlainText(),
            evaluation=self.evaluation.toPlainText(),
        )
