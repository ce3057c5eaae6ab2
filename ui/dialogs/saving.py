"""A dialog whose Save runs the service call and closes only once the change is committed.

The service judges what was typed (a finding's life cycle, a misstatement's section): its refusal is said in
the dialog's foot, in its own words, and the dialog stays open with everything entered, never a message box.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QWidget

from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import FieldworkError
from fieldwork.ui.context import UiContext
from fieldwork.ui.dialogs.foot import Button, dialog_foot


class SavingDialog(QDialog):
    """Subclasses lay out their fields, call `add_foot`, and give `change()`: a label and the service call."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.saved: Any = None

    def add_foot(self, add: Callable[[QWidget], object]) -> None:
        self.error, self.buttons = dialog_foot(self, add, self.save, Button.Save)

    def change(self) -> tuple[str, Callable[[Engagement], Any]]:
        raise NotImplementedError

    def save(self) -> None:
        label, work = self.change()
        self.buttons.setEnabled(False)
        self.ctx.write(label, work, self._saved, on_error=self._refused)

    def _saved(self, result: Any) -> None:
        self.saved = result
        self.buttons.setEnabled(True)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, FieldworkError):
            self.error.setText(exc.message)
