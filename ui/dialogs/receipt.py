"""Where a batch of files came from, asked once per attach: received on, provided by, in answer to which request.

The defaults (received today, from nobody named, not in answer to a request) let a quick drop go through with
Enter; choosing a request fills "provided by" with the person it was asked of, who is nearly always the sender.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from fieldwork.app.domain.records import PbcRequest
from fieldwork.app.services.evidence import Receipt
from fieldwork.ui.date_fields import DateField

#: File names listed in the dialog before "and N more".
LISTED = 6
#: Characters of a request shown in the list of requests (the text can be a paragraph).
REQUEST_CHARS = 70


def files_count(count: int) -> str:
    return f"{count} file" + ("s" if count != 1 else "")


def _shortened(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class ReceiptDialog(QDialog):
    def __init__(
        self,
        paths: Sequence[Path],
        place: str,
        requests: Sequence[PbcRequest],
        request_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Attach {files_count(len(paths))}" + (f" to {place}" if place else ""))
        names = [_shortened(p.name, REQUEST_CHARS) for p in paths[:LISTED]]
        if len(paths) > LISTED:
            names.append(f"and {len(paths) - LISTED} more")
        files = QLabel("\n".join(names))
        files.setWordWrap(True)
        self.received = DateField()
        self.received.load(date.today())
        self.provided_by = QLineEdit()
        self.provided_by.setPlaceholderText("Who at the client sent them, e.g. IT Manager")
        self.requests = list(requests)
        self.request = QComboBox()
        self.request.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.request.setMinimumContentsLength(40)
        self.request.addItem("(not in answer to a request)")
        for request in self.requests:
            self.request.addItem(f"{request.ref}  {_shortened(request.request, REQUEST_CHARS)}")
        chosen = next((n for n, r in enumerate(self.requests, start=1) if r.id == request_id), 0)
        self.request.setCurrentIndex(chosen)
        self._fill_provider(chosen)
        self.request.currentIndexChanged.connect(self._fill_provider)

        form = QFormLayout(self)
        form.addRow("Files", files)
        form.addRow("&Received on", self.received)
        form.addRow("&Provided by", self.provided_by)
        form.addRow("In a&nswer to", self.request)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        attach = buttons.addButton("&Attach", QDialogButtonBox.ButtonRole.AcceptRole)
        attach.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(520)

    def _chosen(self, index: int) -> PbcRequest | None:
        return self.requests[index - 1] if index > 0 else None

    def _fill_provider(self, index: int) -> None:
        request = self._chosen(index)
        if request is not None and not self.provided_by.text().strip():
            self.provided_by.setText(request.requested_of)

    def receipt(self) -> Receipt:
        request = self._chosen(self.request.currentIndex())
        return Receipt(self.received.value(), self.provided_by.text(), request.id if request else None)
