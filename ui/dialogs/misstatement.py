"""Record or edit a misstatement of the description of the system (DC 200, DC1-DC9): where, what, whether it
is material and whether management corrected it. Uncorrected material ones bear on the opinion."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QPlainTextEdit, QWidget

from fieldwork.app.domain.judgements import Misstatement, MisstatementInput
from fieldwork.app.domain.vocabulary import DESCRIPTION_HEADINGS
from fieldwork.app.engagement import Engagement
from fieldwork.app.services import misstatements as misstatement_service
from fieldwork.ui.context import UiContext
from fieldwork.ui.dialogs.saving import SavingDialog


class MisstatementDialog(SavingDialog):
    def __init__(self, ctx: UiContext, existing: Misstatement | None = None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.existing = existing
        self.setWindowTitle(f"Misstatement {existing.ref}" if existing else "New misstatement of the description")
        self.section = QComboBox()
        for code, title in DESCRIPTION_HEADINGS.items():
            self.section.addItem(f"{code}  {title}", code)
        if existing is not None:
            self.section.setCurrentIndex(max(self.section.findData(existing.section), 0))
        self.description = QPlainTextEdit(existing.description if existing else "")
        self.description.setTabChangesFocus(True)
        self.description.setPlaceholderText("What the description says, and what the examination found instead")
        self.material = QCheckBox("&Material")
        self.material.setChecked(bool(existing and existing.material))
        self.corrected = QCheckBox("&Corrected by management")
        self.corrected.setChecked(bool(existing and existing.corrected))
        form = QFormLayout(self)
        form.addRow("&Section", self.section)
        form.addRow("&What is misstated", self.description)
        form.addRow("", self.material)
        form.addRow("", self.corrected)
        self.add_foot(form.addRow)
        self.resize(560, 320)

    def values(self) -> MisstatementInput:
        return MisstatementInput(
            section=str(self.section.currentData()),
            description=self.description.toPlainText(),
            material=self.material.isChecked(),
            corrected=self.corrected.isChecked(),
        )

    def change(self) -> tuple[str, Callable[[Engagement], Any]]:
        values = self.values()
        if self.existing is None:
            return "New misstatement", lambda db: misstatement_service.add_misstatement(db, values)
        key, ref = self.existing.id, self.existing.ref
        return f"{ref} updated", lambda db: misstatement_service.update_misstatement(db, key, values)
