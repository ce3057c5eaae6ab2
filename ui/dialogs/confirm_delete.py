"""Ask before a delete, saying what else goes with it (read from the delete itself, run and rolled back)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from fieldwork.app.engagement import Engagement
from fieldwork.app.services.deleting import WhatGoes
from fieldwork.ui.context import UiContext


def confirm_delete(
    ctx: UiContext,
    parent: QWidget,
    title: str,
    question: str,
    preview: Callable[[Engagement], WhatGoes],
    delete: Callable[[], object],
) -> None:
    """Read what goes with the delete, ask with that count per kind, and `delete` on Yes."""

    def ask(found: WhatGoes) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=parent)
        goes = "".join(f"\n  •  {part}" for part in found.parts())
        said = f"It also deletes:{goes}" if goes else found.sentence()
        box.setInformativeText(f"{said}\n\nEdit > Undo (Ctrl+Z) brings it all back.")
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if box.exec() == QMessageBox.StandardButton.Yes:
            delete()

    ctx.read(f"Reading what goes with it: {title}", preview, ask)
