"""Ask for a passphrase: to open a file, or a new one with a strength hint."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from fieldwork.app.errors import ValidationError
from fieldwork.app.passphrase import check_new_passphrase, strength
from fieldwork.ui.dialogs.foot import dialog_foot


class AskPassphrase(QDialog):
    """The passphrase of an existing file; the message says why it is asked for."""

    def __init__(self, file_name: str, message: str, offer_remember: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Open {file_name}")
        layout = QVBoxLayout(self)
        note = QLabel(message)
        note.setWordWrap(True)
        layout.addWidget(note)
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText("Passphrase")
        layout.addWidget(self.field)
        self.remember = QCheckBox("Remember it in this computer's keychain")
        self.remember.setChecked(offer_remember)
        self.remember.setVisible(offer_remember)
        layout.addWidget(self.remember)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @property
    def passphrase(self) -> str:
        return self.field.text()


class NewPassphraseFields(QWidget):
    """Two fields and a live strength hint; used by the wizard and by "Change passphrase"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.first = QLineEdit()
        self.second = QLineEdit()
        for field in (self.first, self.second):
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.textChanged.connect(self._update_hint)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        form.addRow("Passphrase", self.first)
        form.addRow("Repeat", self.second)
        form.addRow("", self.hint)
        self._update_hint()

    def _update_hint(self) -> None:
        text = self.first.text()
        if not text:
            self.hint.setText("Four or more unrelated words make a strong passphrase that is easy to type.")
            return
        found = strength(text)
        mismatch = " The two entries differ." if self.second.text() and self.second.text() != text else ""
        self.hint.setText(f"Strength: {'●' * found.score}{'○' * (4 - found.score)}  {found.hint}{mismatch}")

    def value(self) -> str:
        """The passphrase, or a ValidationError saying what is wrong with it."""
        if self.first.text() != self.second.text():
            raise ValidationError("The two passphrases differ.")
        check_new_passphrase(self.first.text())
        return self.first.text()


class ChangePassphrase(QDialog):
    def __init__(self, encrypted: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change passphrase" if encrypted else "Encrypt this engagement")
        layout = QVBoxLayout(self)
        explanation = QLabel(
            "The file is re-encrypted under the new passphrase. A complete copy is written first and then "
            "replaces the file, so an interruption leaves it openable with the old passphrase or the new one."
        )
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        self.fields = NewPassphraseFields()
        layout.addWidget(self.fields)
        self.remember = QCheckBox("Remember it in this computer's keychain")
        self.remember.setChecked(True)
        layout.addWidget(self.remember)
        self.error, _ = dialog_foot(self, layout.addWidget, self._accept)
        self.passphrase = ""

    def _accept(self) -> None:
        try:
            self.passphrase = self.fields.value()
        except ValidationError as exc:
            self.error.setText(exc.message)
            return
        self.accept()
