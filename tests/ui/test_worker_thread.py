"""The app's own worker thread: reads and saves off the GUI thread, progress with Cancel, and the bug path.

Every other UI test runs operations inline; these run the window as the user starts it, on the real thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from PySide6.QtCore import QModelIndex, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from fieldwork.app.bug_log import log_path
from fieldwork.app.domain.changed import Changed
from fieldwork.app.domain.records import Control, ControlInput
from fieldwork.app.errors import ValidationError
from fieldwork.app.services import controls as control_service
from fieldwork.app.services.evidence_store import ByteProgress
from fieldwork.app.services.verify import verify
from fieldwork.app.storage import schema
from fieldwork.app.storage.engagement_file import EngagementFile, open_engagement
from fieldwork.app.tasks import Task
from fieldwork.ui.context import Target
from fieldwork.ui.main_window import MainWindow
from fieldwork.ui.operations import Runner
from fieldwork.ui.views.control import ControlView
from fieldwork.ui.views.evidence import EvidenceView
from tests.evidence_helpers import MIB, sha256_of, write_file
from tests.reliability_helpers import new_engagement
from tests.ui.test_evidence_views import choose, click, library, receipts
from tests.ui.threaded import (
    PATIENCE_MS,
    Turnstile,
    open_file,
    press_cancel,
    progress_dialog,
    progress_shown,
    settle,
)


@pytest.fixture
def turnstile(monkeypatch: pytest.MonkeyPatch) -> Iterator[Turnstile]:
    """Attaching evidence stops after each chunk it stores (inside its transaction) until the test lets it on."""
    gate = Turnstile()
    advance = ByteProgress.advance

    def held(progress: ByteProgress, count: int, label: str) -> None:
        advance(progress, count, label)
        gate.checkpoint()

    monkeypatch.setattr(ByteProgress, "advance", held)
    yield gate
    gate.let_through(1000)  # a failed test must not leave the worker waiting


@pytest.fixture
def plain_file(tmp_path: Path) -> Path:
    return new_engagement(tmp_path / "acme.fieldwork", passphrase=None)


def threads_of(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """The threads the engagement file's read and write transactions run on, by kind."""
    seen: dict[str, set[str]] = {"reading": set(), "writing": set()}
    for kind in seen:
        original = getattr(EngagementFile, kind)

        def recorded(db: EngagementFile, *, original: Callable[..., Any] = original, kind: str = kind) -> Any:
            seen[kind].add(threading.current_thread().name)
            return original(db)

        monkeypatch.setattr(EngagementFile, kind, recorded)
    return seen


def control_page(qtbot: QtBot, window: MainWindow, ref: str) -> ControlView:
    """Open the control `ref` as the navigator does, and wait until its page shows it."""
    assert window.db is not None and window.workspace is not None
    found = control_service.get_control(window.db, ref)
    return show_control(qtbot, window, Target("control", found.id))


def show_control(qtbot: QtBot, window: MainWindow, target: Target) -> ControlView:
    assert window.workspace is not None
    window.workspace.open_target(target)
    view = window.workspace.views["control"]
    assert isinstance(view, ControlView)
    qtbot.waitUntil(lambda: view.page is not None and view.page.control.id == target.key, timeout=PATIENCE_MS)
    return view


def new_control_page(qtbot: QtBot, window: MainWindow, path: Path) -> tuple[Control, ControlView]:
    """Open `path`, add the control "Backups are taken" (as another page would) and show its page."""
    open_file(qtbot, window, path)
    assert window.db is not None and window.workspace is not None
    made = control_service.create_control(window.db, ControlInput(title="Backups are taken"))
    window.workspace.ctx.changed.emit(Changed(frozenset({"control"})))  # as the service's write would say
    return made, control_page(qtbot, window, made.ref)


def retitle(view: ControlView, title: str) -> None:
    """Type a new title into the control's title field and leave it, as the user does."""
    view.title.setText(title)
    view.title.editingFinished.emit()


def navigator_labels(window: MainWindow) -> list[str]:
    assert window.workspace is not None
    model = window.workspace.model
    labels: list[str] = []

    def walk(parent: QModelIndex) -> None:
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            labels.append(str(index.data()))
            walk(index)

    walk(QModelIndex())
    return labels


def test_a_read_and_a_save_run_on_the_worker_thread_and_the_page_shows_the_result(
    qtbot: QtBot, threaded_window: MainWindow, demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "demo.fieldwork"
    copy.write_bytes(demo_template.read_bytes())
    open_file(qtbot, threaded_window, copy)
    assert threaded_window.db is not None
    old = control_service.get_control(threaded_window.db, "C-001")
    seen = threads_of(monkeypatch)

    view = show_control(qtbot, threaded_window, Target("control", old.id))
    retitle(view, "Access is reviewed every quarter by the system owner")
    qtbot.waitUntil(
        lambda: view.title_label.text() == "C-001  Access is reviewed every quarter by the system owner",
        timeout=PATIENCE_MS,
    )
    qtbot.waitUntil(
        lambda: any(
            label.endswith("Access is reviewed every quarter by the system owner")
            for label in navigator_labels(threaded_window)
        ),
        timeout=PATIENCE_MS,
    )
    settle(qtbot, threaded_window)
    used = {kind: set(threads) for kind, threads in seen.items()}

    main = threading.main_thread().name
    assert used["reading"] and main not in used["reading"], used  # the page, then the navigator and page again
    assert used["writing"] and main not in used["writing"], used
    assert control_service.get_control(threaded_window.db, old.id).title == (
        "Access is reviewed every quarter by the system owner"
    )
    assert "Saved: C-001 updated." in threaded_window.statusBar().currentMessage()
    assert threaded_window.state.text() == "All changes saved"


def open_library(qtbot: QtBot, window: MainWindow, path: Path) -> EvidenceView:
    """Open `path` on the worker and show its evidence library, once everything queued has run."""
    open_file(qtbot, window, path)
    assert window.workspace is not None
    view = library(window.workspace)
    settle(qtbot, window)
    return view


def test_attaching_shows_progress_as_it_moves_and_the_library_lists_the_file(
    qtbot: QtBot,
    threaded_window: MainWindow,
    plain_file: Path,
    tmp_path: Path,
    turnstile: Turnstile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    big = write_file(tmp_path / "Okta export.csv", 6 * MIB)
    view = open_library(qtbot, threaded_window, plain_file)
    choose(monkeypatch, big)
    receipts(monkeypatch, provided_by="CISO")

    click(view, "Attach files...")
    dialog = progress_dialog(qtbot, threaded_window)
    assert dialog.labelText() == "Attaching 1 file"
    assert "Saving..." in threaded_window.state.text() and "(saving...)" in threaded_window.windowTitle()
    for chunks in (2, 3, 4):  # each chunk let through moves the bar
        turnstile.let_through()
        qtbot.waitUntil(lambda chunks=chunks: dialog.value() == chunks * MIB, timeout=PATIENCE_MS)
        assert dialog.maximum() == 6 * MIB
        assert dialog.labelText() == "Attaching 1 file\nOkta export.csv"
    turnstile.let_through(10)
    settle(qtbot, threaded_window)

    assert not progress_shown(threaded_window)
    qtbot.waitUntil(lambda: [f.original_name for f in view.model.rows] == ["Okta export.csv"], timeout=PATIENCE_MS)
    assert view.model.rows[0].sha256 == sha256_of(big)
    assert "Attached E-0001." in threaded_window.statusBar().currentMessage()
    assert threaded_window.state.text() == "All changes saved"


def stored_counts(path: Path) -> dict[str, int]:
    """How many evidence records, blobs and chunks the file on disk holds, read afresh after it was closed."""
    with open_engagement(path, read_only=True) as db, db.reading() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (schema.evidence, schema.evidence_blob, schema.evidence_chunk)
        }


def test_cancel_stops_an_attachment_midway_and_leaves_nothing_of_it_in_the_file(
    qtbot: QtBot,
    threaded_window: MainWindow,
    plain_file: Path,
    tmp_path: Path,
    turnstile: Turnstile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    big = write_file(tmp_path / "Firewall logs.zip", 8 * MIB)
    before = stored_counts(plain_file)
    view = open_library(qtbot, threaded_window, plain_file)
    choose(monkeypatch, big)
    receipts(monkeypatch)

    click(view, "Attach files...")
    dialog = progress_dialog(qtbot, threaded_window)
    turnstile.let_through(2)
    qtbot.waitUntil(lambda: dialog.value() == 3 * MIB, timeout=PATIENCE_MS)  # three chunks written, not committed
    press_cancel(dialog)
    turnstile.let_through()  # the next chunk's checkpoint sees the cancel
    settle(qtbot, threaded_window)

    assert not progress_shown(threaded_window)
    assert threaded_window.statusBar().currentMessage() == "Attaching 1 file: cancelled; nothing was changed."
    assert view.model.rows == []
    assert threaded_window.state.text() == "All changes saved"
    threaded_window.close_engagement()
    assert stored_counts(plain_file) == before == {"evidence": 0, "evidence_blob": 0, "evidence_chunk": 0}
    with open_engagement(plain_file) as db:
        assert all(check.ok for check in verify(db)), [c for c in verify(db) if not c.ok]


@pytest.fixture
def bug_boxes(monkeypatch: pytest.MonkeyPatch) -> list[QMessageBox]:
    """The "something went wrong" boxes the window shows, answered instead of waiting for a click."""
    shown: list[QMessageBox] = []

    def answer(box: QMessageBox) -> int:
        shown.append(box)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "exec", answer)
    return shown


def test_the_gui_thread_keeps_running_while_the_worker_is_inside_a_transaction(
    qtbot: QtBot,
    threaded_window: MainWindow,
    plain_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    bug_boxes: list[QMessageBox],
) -> None:
    """A heartbeat on the GUI thread must tick while the worker holds a write transaction open; the work waits
    for ten beats, so it can only finish if the GUI thread is free (inline, it would wait in vain and fail)."""
    beats: dict[str, int] = {"count": 0}
    ten_beats = threading.Event()

    def beat() -> None:
        beats["count"] += 1
        if "from" in beats and beats["count"] - beats["from"] >= 10:
            ten_beats.set()

    heartbeat = QTimer(interval=5)
    heartbeat.timeout.connect(beat)
    advance = ByteProgress.advance

    def waits_for_the_heartbeat(progress: ByteProgress, count: int, label: str) -> None:
        advance(progress, count, label)  # one chunk written, the transaction open
        if "from" not in beats:
            beats["from"] = beats["count"]
            assert ten_beats.wait(PATIENCE_MS / 1000), "the GUI thread stopped while the worker wrote"

    small = write_file(tmp_path / "Policy.pdf", 2 * MIB)
    view = open_library(qtbot, threaded_window, plain_file)
    monkeypatch.setattr(ByteProgress, "advance", waits_for_the_heartbeat)
    choose(monkeypatch, small)
    receipts(monkeypatch)

    heartbeat.start()
    click(view, "Attach files...")
    settle(qtbot, threaded_window)
    heartbeat.stop()

    assert bug_boxes == []  # a worker that waited in vain would have failed here
    assert ten_beats.is_set()
    qtbot.waitUntil(lambda: [f.original_name for f in view.model.rows] == ["Policy.pdf"], timeout=PATIENCE_MS)


def test_a_bug_in_background_work_is_said_in_one_sentence_logged_without_data_and_the_app_goes_on(
    qtbot: QtBot,
    threaded_window: MainWindow,
    plain_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    bug_boxes: list[QMessageBox],
) -> None:
    made, view = new_control_page(qtbot, threaded_window, plain_file)
    update = control_service.update_control
    failures = iter([KeyError("Acme's secret board minutes")])

    def fails_once(*args: object, **kwargs: object) -> object:
        for failure in failures:
            raise failure
        return update(*args, **kwargs)

    monkeypatch.setattr(control_service, "update_control", fails_once)

    retitle(view, "Backups are taken daily")
    qtbot.waitUntil(lambda: len(bug_boxes) == 1, timeout=PATIENCE_MS)
    settle(qtbot, threaded_window)

    [box] = bug_boxes
    assert box.text() == "Something went wrong inside Fieldwork."
    assert box.informativeText().startswith("Your saved work is safe")
    assert "KeyError" in box.detailedText()
    logged = log_path().read_text(encoding="utf-8")
    assert "builtins.KeyError" in logged and "secret board minutes" not in logged
    qtbot.waitUntil(lambda: view.title.text() == "Backups are taken", timeout=PATIENCE_MS)  # the stored title again

    retitle(view, "Backups are taken every night")  # the app goes on: the same edit again saves
    qtbot.waitUntil(lambda: view.title_label.text().endswith("Backups are taken every night"), timeout=PATIENCE_MS)
    settle(qtbot, threaded_window)
    assert control_service.get_control(threaded_window.db, made.id).title == "Backups are taken every night"
    assert len(bug_boxes) == 1
    assert threaded_window.state.text() == "All changes saved"


def test_a_refusal_in_background_work_is_said_once_in_its_own_sentence(
    qtbot: QtBot,
    threaded_window: MainWindow,
    plain_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    bug_boxes: list[QMessageBox],
) -> None:
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warned.append(text))
    made, view = new_control_page(qtbot, threaded_window, plain_file)

    retitle(view, "   ")  # the service refuses a control without a title
    qtbot.waitUntil(lambda: len(warned) == 1, timeout=PATIENCE_MS)
    settle(qtbot, threaded_window)
    qtbot.waitUntil(lambda: view.title.text() == "Backups are taken", timeout=PATIENCE_MS)

    assert warned[0].endswith(".") and "\n" not in warned[0] and "Traceback" not in warned[0]
    assert bug_boxes == []
    assert control_service.get_control(threaded_window.db, made.id).title == "Backups are taken"

    # Work without its own place to say it goes to the window's message, once, and to the status bar.
    def refuse(task: object) -> None:
        raise ValidationError("The period must end after it starts.")

    threaded_window.runner.run("Checking the period", refuse)
    qtbot.waitUntil(lambda: len(warned) == 2, timeout=PATIENCE_MS)
    settle(qtbot, threaded_window)
    assert warned[1] == "The period must end after it starts."
    assert threaded_window.statusBar().currentMessage() == "The period must end after it starts."
    assert bug_boxes == []


def test_progress_over_a_multi_gigabyte_total_is_shown_in_thousandths(
    qtbot: QtBot, threaded_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Qt counts progress in C ints: bytes of a 6 GB file would overflow, so the dialog counts thousandths."""
    gate = Turnstile()
    total = 6 * 1024**3

    def copy_a_large_file(task: Task) -> str:
        for done in (total // 4, total // 2):
            task.progress(done, total, "Firewall logs.zip")
            gate.checkpoint()
        return "copied"

    results: list[str] = []
    threaded_window.runner.run("Saving a copy", copy_a_large_file, results.append, progress=True)
    try:
        dialog = progress_dialog(qtbot, threaded_window)
        gate.let_through()
        qtbot.waitUntil(lambda: dialog.value() == 500, timeout=PATIENCE_MS)
        assert dialog.maximum() == 1000
    finally:
        gate.let_through(2)
    settle(qtbot, threaded_window)
    assert results == ["copied"] and not progress_shown(threaded_window)


def test_closing_the_engagement_while_a_save_is_queued_keeps_the_save(
    qtbot: QtBot, threaded_window: MainWindow, plain_file: Path
) -> None:
    made, view = new_control_page(qtbot, threaded_window, plain_file)

    retitle(view, "Backups are taken and restored monthly")
    threaded_window.close_engagement()  # at once, as File > Close does while the save is still on the worker
    settle(qtbot, threaded_window)  # the results the worker queued for the GUI thread arrive after the workspace

    assert threaded_window.db is None and threaded_window.pages.currentWidget() is threaded_window.start
    with open_engagement(plain_file) as db:
        assert control_service.get_control(db, made.id).title == "Backups are taken and restored monthly"


def test_the_screen_waits_little_for_python_while_the_worker_reads(qtbot: QtBot) -> None:
    """The GUI thread takes the GIL again at every call into Python; while the worker runs Python (a page being
    read) each of those waited up to Python's 5 ms switch interval: tens of such calls made a 50-90 ms stall. The
    runner makes the worker give way within a fraction of that."""
    runner = Runner()
    started, stop = threading.Event(), threading.Event()

    def busy(_task: object) -> None:
        started.set()
        while not stop.is_set():
            sum(range(100))

    runner.run("", busy)
    qtbot.waitUntil(started.is_set)  # the worker starts at the event loop's next turn (after any repaint)
    trips = 40
    begun = time.perf_counter()
    for _ in range(trips):
        time.sleep(0.0005)  # leaves the GIL, as a call into Qt does, and takes it back
    waited = (time.perf_counter() - begun) / trips - 0.0005
    stop.set()
    qtbot.waitUntil(lambda: not runner.pending)
    assert waited < 0.0025, f"{waited * 1000:.1f} ms a trip"


def test_work_reaches_the_worker_after_the_screen_has_painted(qtbot: QtBot) -> None:
    """A page opened paints (a call into Python for every role of every cell in view) and asks for its read at
    once: begun first, the read held the GIL against each of those calls (the `--scale 20` control matrix painted
    in 30-75 ms beside its read, 15-20 ms before it). The worker starts once what is to be painted has been."""
    events: list[str] = []

    class Page(QWidget):
        def paintEvent(self, _event: object) -> None:
            events.append("painted")

    page = Page()
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    qtbot.wait(50)
    events.clear()
    runner = Runner()
    page.update()  # a page shown: its repaint is queued ...
    runner.run("", lambda _task: events.append("read"))  # ... and its read asked for
    time.sleep(0.05)  # the rest of the page's opening, on the GUI thread
    qtbot.waitUntil(lambda: not runner.pending)
    assert events == ["painted", "read"]


def test_closing_at_once_still_runs_the_work_queued_for_the_worker(qtbot: QtBot) -> None:
    """Work asked for just before closing has not reached the worker yet (it waits for the event loop's next
    turn); waiting for the worker, as closing does, starts it first: no save is lost."""
    runner = Runner()
    saved: list[str] = []
    runner.run("Saving", lambda _task: saved.append("saved"))
    assert runner.wait()
    assert saved == ["saved"]
