"""Add or edit a PBC request in full, including what the table cannot do: clear a due date."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import QDialog, QFormLayout, QLineEdit, QPlainTextEdit, QWidget

from fieldwork.app.domain.records import PbcRequest
from fieldwork.app.services.pbc import PbcRequestInput, PbcStatus
from fieldwork.ui.date_fields import DateField, OptionalDateField
from fieldwork.ui.dialogs.foot import Button, dialog_foot
from fieldwork.ui.widgets import ChoiceBox

#: What an unset due date starts from when the auditor sets one: the usual turnaround for a request.
TURNAROUND = timedelta(days=14)


class PbcRequestDialog(QDialog):
    def __init__(self, existing: PbcRequest | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"PBC request {existing.ref}" if existing else "New PBC request")
        self.request = QPlainTextEdit(existing.request if existing else "")
        self.request.setTabChangesFocus(True)
        self.request.setPlaceholderText("e.g. Population of production changes deployed 1 Jan - 31 Dec 2026")
        self.requested_of = QLineEdit(existing.requested_of if existing else "")
        self.requested_of.setPlaceholderText("Who at the client provides it")
        self.due = OptionalDateField()
        self.due.load(existing.due_date if existing else None, date.today() + TURNAROUND)
        self.status = ChoiceBox(PbcStatus)
        self.status.load(PbcStatus(existing.status) if existing else PbcStatus.OPEN)
        self.received = DateField()
        self.received.load(existing.received_date if existing and existing.received_date else date.today())
        self.status.currentIndexChanged.connect(self._status_changed)
        self._status_changed()

        form = QFormLayout(self)
        form.addRow("&Request", self.request)
        form.addRow("Requested &of", self.requested_of)
        form.addRow("&Due", self.due)
        form.addRow("&Status", self.status)
        form.addRow("Recei&ved on", self.received)
        self.error, _ = dialog_foot(self, form.addRow, self._accept, Button.Save)
        self.resize(520, 320)

    def _status_changed(self) -> None:
        self.received.setEnabled(self.status.value() is PbcStatus.RECEIVED)

    def _accept(self) -> None:
        if not self.request.toPlainText().strip():
            self.error.setText("Say what the client is asked to provide.")
            return
        self.accept()

    def values(self) -> PbcRequestInput:
        status = PbcStatus(self.status.value() or PbcStatus.OPEN)
        return PbcRequestInput(
            request=self.request.toPlainText(),
            requested_of=self.requested_of.text(),
            due_date=self.due.value(),
            status=status,
            received_date=self.received.value() if status is PbcStatus.RECEIVED else None,
        )
