"""A line that says when a newer crosswalk is bundled than the engagement's, with a button to review it.

Shown on the pages that rest on the crosswalk (the readiness page, the engagement settings). The page that
holds it calls `load` when it loads; the banner takes no room while there is nothing to say.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from fieldwork.app.domain.crosswalk import CrosswalkUpdate
from fieldwork.app.services.crosswalk_update import accept_crosswalk, crosswalk_update
from fieldwork.ui.context import UiContext
from fieldwork.ui.dialogs.crosswalk_review import CrosswalkReview


class CrosswalkBanner(QFrame):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.update_found: CrosswalkUpdate | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("CrosswalkBanner { background: #e8f0fe; border: 1px solid #aecbfa; border-radius: 4px; }")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.review = QPushButton("Revie&w...")
        self.review.clicked.connect(self.open_review)
        row.addWidget(self.text, 1)
        row.addWidget(self.review)
        self.hide()

    def load(self) -> None:
        self.ctx.read("Checking the crosswalk", crosswalk_update, self._show)

    def _show(self, update: CrosswalkUpdate) -> None:
        self.update_found = update
        self.setVisible(update.available)
        held = update.held or "an older one"
        self.text.setText(
            f"A newer crosswalk is available ({update.bundled}; this engagement holds {held}): {update.summary}. "
            "The engagement keeps its links until you accept the new ones."
        )

    def open_review(self) -> None:
        if self.update_found is None or not self.update_found.available:
            return
        dialog = CrosswalkReview(self.update_found, self)
        if dialog.exec():
            self.ctx.write(f"Crosswalk {self.update_found.bundled} accepted", accept_crosswalk)
