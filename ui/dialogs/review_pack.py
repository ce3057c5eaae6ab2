"""File > Export review pack: where to put it, what to limit it to, and the plain warning that it is not encrypted.

The pack is written on the worker thread (`UiContext.long`) once this dialog is accepted; accepting is the user's
"yes" to an unencrypted copy, so the dialog says so before the button.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from fieldwork.app.exports.review_pack import PackOptions

WARNING = (
    "The review pack is <b>not encrypted</b>: the workpapers and a copy of every evidence file they cite, in a "
    "folder that opens without Fieldwork. Anyone who has the folder can read the client's data. It is written "
    "readable by you only, and the engagement's history records it."
)


class ReviewPackDialog(QDialog):
    def __init__(self, default: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export review pack")
        self.setMinimumWidth(600)  # the warning reads in three lines, the folder's path shows whole
        warning = QLabel(WARNING)
        warning.setWordWrap(True)
        self.folder = QLineEdit(str(default))
        browse = QPushButton("Choose...")
        browse.clicked.connect(self._choose)
        where = QHBoxLayout()
        where.addWidget(self.folder, 1)
        where.addWidget(browse)
        self.key_controls = QCheckBox("Key controls only")
        self.changed = QCheckBox("Only items changed since review or not yet reviewed")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Write unencrypted pack", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(warning)
        form.addRow("New folder", where)
        form.addRow("", self.key_controls)
        form.addRow("", self.changed)
        form.addRow(buttons)

    def _choose(self) -> None:
        parent = QFileDialog.getExistingDirectory(self, "Folder to put the review pack in", str(self.target.parent))
        if parent:
            self.folder.setText(str(Path(parent) / self.target.name))

    @property
    def target(self) -> Path:
        return Path(self.folder.text().strip())

    @property
    def options(self) -> PackOptions:
        return PackOptions(self.key_controls.isChecked(), self.changed.isChecked())
