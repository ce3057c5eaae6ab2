"""Opening an engagement from the app: passphrase from the keychain or the user, migration, the demo.

Slow steps (key derivation, migration, creating the demo) run on the worker thread;
questions to the user are asked on the GUI thread between them.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from app.errors import FieldworkError, FileInUseError, PassphraseRequired, WrongPassphrase
from app.keychain import KeychainUnavailable, recall, remember
from app.paths import demo_engagement_path
from app.storage.engagement_file import EngagementFile, open_engagement
from app.storage.fileformat import Encryption, sniff
from app.tasks import Cancelled, Task
from ui.dialogs.passphrase import AskPassphrase
from ui.operations import Runner


class Opener(QObject):
    """Turns "open this path" into an open `EngagementFile`, asking only what it must."""

    opened = Signal(object)
    keychain_warned = False  # the "no keychain" message is said once per session

    def __init__(self, runner: Runner, parent_widget: QWidget | None) -> None:
        super().__init__()
        self.runner = runner
        self.parent_widget = parent_widget

    def open_demo(self) -> None:
        path = demo_engagement_path()
        if path.exists():
            self.open_path(path)
            return
        from app.demo import create_demo  # only the first time: the demo is kept afterwards

        self.runner.run(
            "Creating the demo engagement",
            lambda task: create_demo(path).close(),
            lambda _: self.open_path(path),
            progress=True,
        )

    def open_path(self, path: Path) -> None:
        try:
            encrypted = sniff(path) is Encryption.ENCRYPTED
        except FieldworkError as exc:
            self._refuse(exc.message)
            return
        if not encrypted:
            self._attempt(path, None, remember_after=False)
            return
        self.runner.run(
            "Looking in the keychain", lambda task: self._recall(path), lambda found: self._unlock(path, found)
        )

    def _recall(self, path: Path) -> str | KeychainUnavailable | None:
        try:
            return recall(path)
        except KeychainUnavailable as exc:
            return exc

    def _unlock(self, path: Path, found: str | KeychainUnavailable | None) -> None:
        if isinstance(found, str):
            self._attempt(path, found, remember_after=False, from_keychain=True)
            return
        keychain = not isinstance(found, KeychainUnavailable)
        if not keychain and not Opener.keychain_warned:
            Opener.keychain_warned = True
            QMessageBox.information(
                self.parent_widget,
                "No keychain",
                "This computer has no usable keychain, so Fieldwork cannot remember passphrases here. "
                "You will be asked for the passphrase each time you open an encrypted engagement.",
            )
        self._ask(path, f"{path.name} is encrypted. Enter its passphrase.", keychain)

    def _ask(self, path: Path, message: str, keychain: bool) -> None:
        dialog = AskPassphrase(path.name, message, offer_remember=keychain, parent=self.parent_widget)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            self.runner.status(f"{path.name} was not opened.")
            return
        self._attempt(path, dialog.passphrase, remember_after=keychain and dialog.remember.isChecked())

    def _attempt(
        self,
        path: Path,
        passphrase: str | None,
        remember_after: bool,
        from_keychain: bool = False,
        read_only: bool = False,
    ) -> None:
        def work(task: Task) -> EngagementFile | FieldworkError | Cancelled:
            try:
                db = open_engagement(path, passphrase, read_only=read_only)
            except (WrongPassphrase, PassphraseRequired, FileInUseError) as exc:
                return exc
            if task.cancelled:  # opening has no checkpoint: Cancel, pressed meanwhile, is honoured here
                db.close()
                return Cancelled()
            if remember_after and passphrase is not None:
                with contextlib.suppress(KeychainUnavailable):
                    remember(path, passphrase)
            return db

        def done(result: EngagementFile | FieldworkError | Cancelled) -> None:
            if isinstance(result, Cancelled):
                self.runner.status(f"{path.name} was not opened.")
                return
            if isinstance(result, FileInUseError):
                if self._offer_read_only(result):
                    self._attempt(path, passphrase, remember_after, from_keychain, read_only=True)
                return
            if isinstance(result, EngagementFile):
                self.opened.emit(result)
                return
            reason = (
                "The passphrase in the keychain no longer opens this file. Enter its passphrase."
                if from_keychain
                else f"{result.message} Try again."
            )
            self._ask(path, reason, keychain=True)

        self.runner.run(f"Opening {path.name}", work, done, progress=True)

    def _offer_read_only(self, refused: FileInUseError) -> bool:
        """Someone else has the file open for changes: say who, and offer to read it as it is."""
        answer = QMessageBox.question(
            self.parent_widget,
            "Open read-only?",
            f"{refused.path.name} is open for changes by {refused.who}.\n\n"
            "Open it read-only? You will see the file as it is saved, and cannot change it.",
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Open

    def _refuse(self, message: str) -> None:
        QMessageBox.warning(self.parent_widget, "Cannot open", message)
