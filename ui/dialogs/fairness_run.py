"""Re-perform a fairness review from a decisions file: preview it, then choose the group and outcome columns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QFormLayout, QLayout, QLineEdit, QWidget

from fieldwork.app.domain.sampling import PopulationPreview, PopulationSource
from fieldwork.ui.dialogs.table_preview import TablePreviewDialog, fill
from fieldwork.ui.operations import Runner

GROUP_WORDS = re.compile(r"group|sex|gender|race|ethnic|age|disab", re.IGNORECASE)
OUTCOME_WORDS = re.compile(r"outcome|decision|result|selected|hired|status", re.IGNORECASE)


def _guess(columns: Sequence[str], words: re.Pattern[str], not_this: str | None = None) -> str | None:
    return next((c for c in columns if words.search(c) and c != not_this), None)


class FairnessRunDialog(TablePreviewDialog):
    def __init__(self, path: Path, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(path, runner, "Re-perform a fairness review", parent)
        self.buttons.button(self.buttons.StandardButton.Ok).setText("&Re-perform")

    def add_choices(self) -> QLayout:
        self.group_column = QComboBox()
        self.outcome_column = QComboBox()
        self.favourable = QLineEdit()
        self.favourable.setPlaceholderText("e.g. Advanced, Hired (any case); blank when the outcomes are yes/no or 1/0")
        form = QFormLayout()
        form.addRow("Column naming each person's &group", self.group_column)
        form.addRow("Column holding each &decision", self.outcome_column)
        form.addRow("&Favourable outcomes", self.favourable)
        return form

    def show_columns(self, found: PopulationPreview) -> None:
        group = _guess(found.columns, GROUP_WORDS)
        fill(self.group_column, found.columns, group)
        fill(self.outcome_column, found.columns, _guess(found.columns, OUTCOME_WORDS, group))

    def choice(self) -> tuple[PopulationSource, str, str, list[str]]:
        """The source, the group and outcome columns, and the outcomes named favourable."""
        favourable = [value.strip() for value in self.favourable.text().split(",") if value.strip()]
        return self.source, self.group_column.currentText(), self.outcome_column.currentText(), favourable
