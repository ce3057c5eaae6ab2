"""The banner over a finalized engagement: when and by whom, the dates that follow, and how to change it."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from fieldwork.app.services.finalizing import Finalized


def finalized_text(found: Finalized, addendum: str | None) -> str:
    head = (
        f"<b>Finalized</b> on {found.finalized_at[:10]} by {found.member}. Report released "
        f"{found.release_date.isoformat()}; documentation complete by {found.completion_date.isoformat()}; "
        f"kept until {found.retention_until.isoformat()}."
    )
    if addendum:
        return f"{head} <b>Addendum {addendum} is open</b>: changes are recorded under it; nothing can be deleted."
    return f"{head} Nothing in it can be changed. To change it, File &gt; Open addendum… with the reason."


class FinalizedBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("finalizedBanner")
        self.setStyleSheet("#finalizedBanner { background: #e8f0fe; border-left: 6px solid #1a73e8; }")
        self.text = QLabel()
        self.text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.text)
        self.hide()

    def show_state(self, found: Finalized | None, addendum: str | None) -> None:
        self.setVisible(found is not None)
        self.text.setText(finalized_text(found, addendum) if found is not None else "")
