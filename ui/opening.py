"""Opening an engagement from the app: `app.opening`'s sequence, with its questions asked in dialogs; the demo.

Each step of the sequence (the keychain, key derivation, migration, creating the demo) runs on the worker thread;
questions to the user are asked on the GUI thread between them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import FieldworkError, FileInUseError
from fieldwork.app.opening import Ask, Unlocking, open_for_changes, open_to_read
from fieldwork.app.paths import demo_engagement_path
from fieldwork.app.tasks import Cancelled, Task
from fieldwork.ui.dialogs.passphrase import AskPassphrase
from fieldwork.ui.operations import Runner

#: One step of the sequence: starting it, or answering what it asked (run again read-only if the file is in use).
Attempt = Callable[[Unlocking[Engagement]], Engagement | Ask]


class Opener(QObject):
    """Turns "open this path" into an open `Engagement`, asking only what it must."""

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
        from fieldwork.app.demo import create_demo  # only the first time: the demo is kept afterwards

        self.runner.run(
            "Creating the demo engagement",
            lambda task: create_demo(path).close(),
            lambda _: self.open_path(path),
            progress=True,
        )

    def open_path(self, path: Path) -> None:
        self._step(Unlocking(path, open_for_changes), lambda unlocking: unlocking.start())

    def _step(self, unlocking: Unlocking[Engagement], attempt: Attempt) -> None:
        """Run one attempt of the sequence off the GUI thread; what it needs from the person is asked here."""

        def work(task: Task) -> Engagement | Ask | FileInUseError | Cancelled:
            try:
                result = attempt(unlocking)
            except FileInUseError as exc:
                return exc
            if task.cancelled and not isinstance(result, Ask):  # opening has no checkpoint: Cancel is honoured here
                result.close()
                return Cancelled()
            return result

        def done(result: Engagement | Ask | FileInUseError | Cancelled) -> None:
            if isinstance(result, Cancelled):
                self.runner.status(f"{unlocking.path.name} was not opened.")
            elif isinstance(result, FileInUseError):
                if self._offer_read_only(result):
                    self._step(Unlocking(unlocking.path, open_to_read), attempt)
            elif isinstance(result, Ask):
                self._ask(unlocking, result)
            else:
                self.opened.emit(result)  # the window's "Opened" message says where an upgrade kept the old file

        self.runner.run(f"Opening {unlocking.path.name}", work, done, progress=True, on_error=self._refused)

    def _ask(self, unlocking: Unlocking[Engagement], asked: Ask) -> None:
        if not asked.keychain and not Opener.keychain_warned:
            Opener.keychain_warned = True
            QMessageBox.information(
                self.parent_widget,
                "No keychain",
                "This computer has no usable keychain, so Fieldwork cannot remember passphrases here. "
                "You will be asked for the passphrase each time you open an encrypted engagement.",
            )
        name = unlocking.path.name
        dialog = AskPassphrase(name, asked.question, offer_remember=asked.keychain, parent=self.parent_widget)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            self.runner.status(f"{name} was not opened.")
            return
        typed, keep = dialog.passphrase, asked.keychain and dialog.remember.isChecked()
        self._step(unlocking, lambda again: again.answer(typed, remember_it=keep))

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

    def _refused(self, exc: BaseException) -> None:
        """A file that cannot be opened says why (a bug is reported by the runner as every bug is)."""
        if isinstance(exc, FieldworkError):
            QMessageBox.warning(self.parent_widget, "Cannot open", exc.message)
