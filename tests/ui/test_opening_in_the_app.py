"""Opening an engagement through File > Open on the real worker thread: the passphrase, the keychain, refusals."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from fieldwork.app.keychain import KeychainUnavailable, recall, remember
from fieldwork.ui.dialogs.passphrase import AskPassphrase
from fieldwork.ui.main_window import MainWindow
from fieldwork.ui.opening import Opener
from tests.reliability_helpers import PASSPHRASE, hold, new_engagement
from tests.ui.threaded import PATIENCE_MS, settle


@pytest.fixture
def encrypted(tmp_path: Path) -> Path:
    return new_engagement(tmp_path / "acme.fieldwork")


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """What the window says in message boxes, by kind, answered at once; and any bug it would report."""
    shown: dict[str, list[str]] = {"warning": [], "information": [], "bug": []}
    for kind in ("warning", "information"):
        monkeypatch.setattr(QMessageBox, kind, lambda parent, title, text, *a, kind=kind: shown[kind].append(text))
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown["bug"].append(box.detailedText()))
    return shown


def passphrases(monkeypatch: pytest.MonkeyPatch, *answers: str | None, keep: bool = True) -> list[AskPassphrase]:
    """Answer each passphrase dialog in turn with a passphrase (Open) or None (Cancel), ticking "Remember" as
    `keep` says; returns the dialogs."""
    asked: list[AskPassphrase] = []
    queue = list(answers)

    def answer(dialog: AskPassphrase) -> int:
        asked.append(dialog)
        given = queue.pop(0)
        if given is None:
            return QDialog.DialogCode.Rejected
        dialog.field.setText(given)
        dialog.remember.setChecked(keep and dialog.remember.isChecked())
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(AskPassphrase, "exec", answer)
    return asked


def open_through_the_dialog(qtbot: QtBot, window: MainWindow, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """File > Open..., the file chosen in the file dialog; waits until the app has done all it will."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    [action] = [a for a in window.menus["&File"].actions() if a.text() == "&Open..."]
    action.trigger()
    settle(qtbot, window)


def message(dialog: AskPassphrase) -> str:
    return dialog.findChild(QLabel).text()


def test_the_passphrase_typed_into_the_real_dialog_opens_the_file_and_is_remembered(
    qtbot: QtBot, threaded_window: MainWindow, encrypted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed: list[str] = []

    def type_when_asked(tries: int = 0) -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, AskPassphrase):
            if tries < PATIENCE_MS // 20:  # no longer than the test waits
                QTimer.singleShot(20, lambda: type_when_asked(tries + 1))
            return
        typed.append(message(dialog))
        assert dialog.field.echoMode() == dialog.field.EchoMode.Password and dialog.remember.isChecked()
        qtbot.keyClicks(dialog.field, PASSPHRASE)
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)

    QTimer.singleShot(0, type_when_asked)
    open_through_the_dialog(qtbot, threaded_window, encrypted, monkeypatch)
    qtbot.waitUntil(lambda: threaded_window.db is not None, timeout=PATIENCE_MS)

    assert typed == ["acme.fieldwork is encrypted. Enter its passphrase."]
    assert threaded_window.db is not None and threaded_window.db.encrypted
    assert "(encrypted)" in threaded_window.windowTitle()
    assert recall(encrypted) == PASSPHRASE


def test_a_wrong_passphrase_is_said_and_asked_again(
    qtbot: QtBot,
    threaded_window: MainWindow,
    encrypted: Path,
    monkeypatch: pytest.MonkeyPatch,
    said: dict[str, list[str]],
) -> None:
    asked = passphrases(monkeypatch, "correct horse battery stable", PASSPHRASE, keep=False)
    open_through_the_dialog(qtbot, threaded_window, encrypted, monkeypatch)
    qtbot.waitUntil(lambda: threaded_window.db is not None, timeout=PATIENCE_MS)

    assert [message(d) for d in asked] == [
        "acme.fieldwork is encrypted. Enter its passphrase.",
        "acme.fieldwork could not be opened: the passphrase is wrong, or the file is not a Fieldwork engagement. "
        "Try again.",
    ]
    assert said == {"warning": [], "information": [], "bug": []}
    assert recall(encrypted) is None, "not remembered when the box is unticked"


def test_the_keychain_opens_the_file_without_asking(
    qtbot: QtBot,
    threaded_window: MainWindow,
    encrypted: Path,
    monkeypatch: pytest.MonkeyPatch,
    said: dict[str, list[str]],
) -> None:
    remember(encrypted, PASSPHRASE)
    asked = passphrases(monkeypatch)
    open_through_the_dialog(qtbot, threaded_window, encrypted, monkeypatch)
    qtbot.waitUntil(lambda: threaded_window.db is not None, timeout=PATIENCE_MS)
    assert asked == []
    assert threaded_window.db is not None and threaded_window.db.encrypted
    assert said == {"warning": [], "information": [], "bug": []}


def test_a_stale_passphrase_in_the_keychain_is_said_and_replaced_by_the_one_typed(
    qtbot: QtBot,
    threaded_window: MainWindow,
    encrypted: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    remember(encrypted, "the passphrase before it was changed")
    asked = passphrases(monkeypatch, PASSPHRASE)
    open_through_the_dialog(qtbot, threaded_window, encrypted, monkeypatch)
    qtbot.waitUntil(lambda: threaded_window.db is not None, timeout=PATIENCE_MS)
    assert [message(d) for d in asked] == [
        "The passphrase in the keychain no longer opens this file. Enter its passphrase."
    ]
    assert recall(encrypted) == PASSPHRASE


def test_without_a_keychain_the_user_is_told_once_and_asked_each_time(
    qtbot: QtBot,
    threaded_window: MainWindow,
    encrypted: Path,
    monkeypatch: pytest.MonkeyPatch,
    said: dict[str, list[str]],
) -> None:
    def no_keychain(path: Path) -> str | None:
        raise KeychainUnavailable("The system keychain is not available (NoKeyringError).")

    monkeypatch.setattr("fieldwork.app.opening.recall", no_keychain)
    monkeypatch.setattr(Opener, "keychain_warned", False)
    asked = passphrases(monkeypatch, PASSPHRASE, PASSPHRASE)
    for _ in range(2):
        open_through_the_dialog(qtbot, threaded_window, encrypted, monkeypatch)
        qtbot.waitUntil(lambda: threaded_window.db is not None, timeout=PATIENCE_MS)
        threaded_window.close_engagement()

    assert len(asked) == 2 and not any(d.remember.isVisibleTo(d) for d in asked)
    assert len(said["information"]) == 1 and said["information"][0].startswith("This computer has no usable keychain")
    assert recall(encrypted) is None


def test_cancelling_the_passphrase_leaves_the_start_screen_and_the_file_as_they_were(
    qtbot: QtBot,
    threaded_window: MainWindow,
    encrypted: Path,
    monkeypatch: pytest.MonkeyPatch,
    said: dict[str, list[str]],
) -> None:
    before = encrypted.read_bytes()
    passphrases(monkeypatch, None)
    open_through_the_dialog(qtbot, threaded_window, encrypted, monkeypatch)
    assert threaded_window.db is None
    assert threaded_window.pages.currentWidget() is threaded_window.start
    assert threaded_window.statusBar().currentMessage() == "acme.fieldwork was not opened."
    assert encrypted.read_bytes() == before
    assert said == {"warning": [], "information": [], "bug": []}


def not_ours(folder: Path) -> Path:
    """A SQLite database some other program made."""
    path = folder / "budget.fieldwork"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE budget (line TEXT, amount REAL)")
        conn.execute("INSERT INTO budget VALUES ('travel', 1200)")
    conn.close()
    return path


def damaged(folder: Path) -> Path:
    """An engagement that lost one of its tables."""
    path = new_engagement(folder / "damaged.fieldwork", passphrase=None)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE tickmark")
    conn.close()
    return path


def text_file(folder: Path) -> Path:
    path = folder / "notes.fieldwork"
    path.write_text("Meeting notes, not an engagement.\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make", "sentence"),
    [
        (text_file, "notes.fieldwork is not a Fieldwork engagement: "),
        (not_ours, "budget.fieldwork "),
        (damaged, "damaged.fieldwork is damaged: it lacks "),
    ],
)
def test_a_file_that_is_not_a_sound_engagement_is_refused_in_one_sentence(
    qtbot: QtBot,
    threaded_window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    said: dict[str, list[str]],
    make: Callable[[Path], Path],
    sentence: str,
) -> None:
    path = make(tmp_path)
    before = path.read_bytes()
    asked = passphrases(monkeypatch)
    open_through_the_dialog(qtbot, threaded_window, path, monkeypatch)

    [refusal] = said["warning"]
    assert refusal.startswith(sentence) and refusal.endswith(".") and "\n" not in refusal, refusal
    assert "Traceback" not in refusal and said["bug"] == [] and asked == []
    assert threaded_window.db is None and threaded_window.pages.currentWidget() is threaded_window.start
    assert path.read_bytes() == before


def test_random_bytes_that_look_encrypted_are_refused_as_the_passphrase_is(
    qtbot: QtBot,
    threaded_window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    said: dict[str, list[str]],
) -> None:
    from fieldwork.app.storage.database import PAGE_SIZE

    path = tmp_path / "scrambled.fieldwork"
    path.write_bytes(bytes(range(256)) * (PAGE_SIZE * 2 // 256))
    asked = passphrases(monkeypatch, PASSPHRASE, None)
    open_through_the_dialog(qtbot, threaded_window, path, monkeypatch)
    assert message(asked[1]).startswith("scrambled.fieldwork could not be opened: the passphrase is wrong, or the file")
    assert threaded_window.db is None and said["bug"] == []


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.Open, QMessageBox.StandardButton.Cancel])
def test_a_file_another_writer_holds_is_offered_read_only(
    qtbot: QtBot,
    threaded_window: MainWindow,
    encrypted: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: QMessageBox.StandardButton,
) -> None:
    offered: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *a: offered.append(text) or answer)
    passphrases(monkeypatch, PASSPHRASE)
    holder = hold(encrypted, PASSPHRASE)
    try:
        open_through_the_dialog(qtbot, threaded_window, encrypted, monkeypatch)
        if answer == QMessageBox.StandardButton.Open:
            qtbot.waitUntil(lambda: threaded_window.db is not None, timeout=PATIENCE_MS)
    finally:
        holder.communicate("")
    [question] = offered
    assert question.startswith("acme.fieldwork is open for changes by Test Auditor (TA) on ")
    if answer == QMessageBox.StandardButton.Open:
        assert threaded_window.db is not None and threaded_window.db.read_only == "opened read-only"
        assert threaded_window.state.text() == "Read-only: nothing can be changed"
        assert threaded_window.workspace is not None and threaded_window.workspace.model.rowCount() > 0
    else:
        assert threaded_window.db is None and threaded_window.pages.currentWidget() is threaded_window.start


def test_a_file_from_an_earlier_version_is_upgraded_and_the_user_told_where_the_old_one_is_kept(
    qtbot: QtBot,
    threaded_window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    said: dict[str, list[str]],
) -> None:
    from tests.test_migrations import make_old_file

    path = tmp_path / "last year.fieldwork"
    make_old_file(path, "0011_ai_systems", PASSPHRASE)
    passphrases(monkeypatch, PASSPHRASE)
    open_through_the_dialog(qtbot, threaded_window, path, monkeypatch)
    qtbot.waitUntil(lambda: threaded_window.db is not None, timeout=PATIENCE_MS)

    assert threaded_window.db is not None and threaded_window.db.backup is not None
    kept = threaded_window.db.backup
    assert kept.exists() and kept.parent == tmp_path
    assert f"the previous version is kept as {kept.name}" in threaded_window.statusBar().currentMessage()
    assert said["bug"] == [] and said["warning"] == []


def test_the_demo_is_made_on_the_worker_the_first_time_with_progress(
    qtbot: QtBot, threaded_window: MainWindow, said: dict[str, list[str]]
) -> None:
    from fieldwork.app.paths import demo_engagement_path

    assert not demo_engagement_path().exists()
    labels: list[str] = []
    threaded_window.runner.busy_changed.connect(
        lambda busy: labels.extend(op.label for op in threaded_window.runner.pending)
    )
    threaded_window.start.demo_requested.emit()
    qtbot.waitUntil(lambda: threaded_window.db is not None, timeout=PATIENCE_MS)
    settle(qtbot, threaded_window)

    assert labels[0] == "Creating the demo engagement"
    assert threaded_window.db is not None and threaded_window.db.path == demo_engagement_path()
    assert threaded_window.workspace is not None and threaded_window.workspace.model.rowCount() > 0

    threaded_window.close_engagement()  # the second time, the demo kept from the first opens
    labels.clear()
    threaded_window.start.demo_requested.emit()
    qtbot.waitUntil(lambda: threaded_window.db is not None, timeout=PATIENCE_MS)
    settle(qtbot, threaded_window)
    assert labels and "Creating the demo engagement" not in labels
    assert said["bug"] == [] and said["warning"] == []


def test_cancel_while_the_file_opens_leaves_it_closed(
    qtbot: QtBot,
    threaded_window: MainWindow,
    encrypted: Path,
    monkeypatch: pytest.MonkeyPatch,
    said: dict[str, list[str]],
) -> None:
    """Opening can take a while (key derivation, an upgrade): the progress dialog's Cancel must be honoured even
    though opening has no checkpoint, by closing the file once it is open instead of showing it."""
    from fieldwork.app.opening import open_for_changes
    from fieldwork.app.storage.engagement_file import open_engagement
    from tests.ui.threaded import Turnstile, press_cancel, progress_dialog

    gate = Turnstile()

    def slow_open(path: Path, passphrase: str | None) -> object:
        opened = open_for_changes(path, passphrase)
        gate.checkpoint()
        return opened

    monkeypatch.setattr("fieldwork.ui.opening.open_for_changes", slow_open)
    passphrases(monkeypatch, PASSPHRASE)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(encrypted), ""))
    try:
        threaded_window.choose_file()
        dialog = progress_dialog(qtbot, threaded_window)
        assert dialog.labelText() == "Opening acme.fieldwork"
        press_cancel(dialog)
    finally:
        gate.let_through()
    settle(qtbot, threaded_window)

    assert threaded_window.db is None and threaded_window.pages.currentWidget() is threaded_window.start
    assert threaded_window.statusBar().currentMessage() == "acme.fieldwork was not opened."
    assert said["bug"] == []
    open_engagement(encrypted, PASSPHRASE).close()  # closed again: no lock left behind
