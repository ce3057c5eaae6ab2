"""The foot of a dialog that checks what was typed: the line saying why it was refused, then OK and Cancel."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from fieldwork.ui.views.editing import NoteLine, problem_note

Button = QDialogButtonBox.StandardButton


def dialog_foot(
    dialog: QDialog, add: Callable[[QWidget], object], accept: Callable[[], object], ok: Button = Button.Ok
) -> tuple[NoteLine, QDialogButtonBox]:
    """Add the refusal line and the buttons with `add` (a form's `addRow` or a layout's `addWidget`).

    `accept` runs on OK and closes the dialog only if it accepts what was typed."""
    error = problem_note()
    add(error)
    buttons = QDialogButtonBox(ok | Button.Cancel)
    buttons.accepted.connect(accept)
    buttons.rejected.connect(dialog.reject)
    add(buttons)
    return error, buttons
