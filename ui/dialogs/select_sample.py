"""Choose how to draw (or extend) a sample from the test's population."""

from __future__ import annotations

import re

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from fieldwork.app.domain.vocabulary import Selection
from fieldwork.app.errors import ValidationError
from fieldwork.ui.dialogs.foot import dialog_foot
from fieldwork.ui.widgets import ChoiceBox

CHOSEN_BY_AUDITOR = (Selection.HAPHAZARD, Selection.TARGETED)


def parse_rows(text: str) -> list[int]:
    """Row numbers typed as "3, 17, 40-42"."""
    rows: list[int] = []
    for part in filter(None, (p.strip() for p in re.split(r"[,\s;]+", text))):
        first, _, last = part.partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise ValidationError(f"'{part}' is not a row number or a range like 40-42.")
        rows.extend(range(int(first), int(last or first) + 1))
    return rows


class SelectSampleDialog(QDialog):
    """A new draw (method, size, seed or rows) or, with `extending`, how many more and why."""

    def __init__(self, suggested: int, method: Selection | None, extending: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Extend the sample" if extending else "Select the sample")
        self.extending = extending
        form = QFormLayout(self)
        self.method = ChoiceBox([m for m in Selection])
        self.method.load(method or Selection.RANDOM)
        self.method.setEnabled(not extending)
        self.count = QSpinBox()
        self.count.setRange(1, 1_000_000)
        self.count.setValue(max(suggested, 1))
        self.seed = QLineEdit()
        self.seed.setPlaceholderText("blank: a new random seed, recorded")
        self.rows = QLineEdit()
        self.rows.setPlaceholderText("population row numbers, e.g. 3, 17, 40-42")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("e.g. 1 deviation in the first 25: extended per methodology")
        form.addRow("&Method", self.method)
        form.addRow("&Items to add" if extending else "Sample &size", self.count)
        form.addRow("S&eed", self.seed)
        form.addRow("&Rows", self.rows)
        form.addRow("Reason" if extending else "Reason (if the size differs from the suggestion)", self.reason)
        self.error, _ = dialog_foot(self, form.addRow, self._accept)
        self.method.chosen.connect(lambda _m: self._fit())
        self._fit()

    def _fit(self) -> None:
        picked = self.method.value()
        by_hand = picked in CHOSEN_BY_AUDITOR
        self.rows.setEnabled(by_hand)
        self.count.setEnabled(not by_hand and picked is not Selection.ALL)
        self.seed.setEnabled(not self.extending and picked in (Selection.RANDOM, Selection.SYSTEMATIC))

    def _accept(self) -> None:
        try:
            self.row_numbers()
            self.seed_value()
        except ValidationError as exc:
            self.error.setText(exc.message)
            return
        if self.extending and not self.reason.text().strip():
            self.error.setText("Say why the sample is extended.")
            return
        self.accept()

    def chosen_method(self) -> Selection:
        return Selection(self.method.value() or Selection.RANDOM)

    def row_numbers(self) -> list[int]:
        return parse_rows(self.rows.text()) if self.chosen_method() in CHOSEN_BY_AUDITOR else []

    def seed_value(self) -> int | None:
        text = self.seed.text().strip()
        if not text:
            return None
        if not text.isdigit():
            raise ValidationError("The seed is a whole number (or leave it blank for a new one).")
        return int(text)
