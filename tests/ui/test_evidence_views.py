"""Evidence and the PBC list in the app: attach, drop, open, cancel, answer a request, export for the client."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QPushButton, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from fieldwork.app.exports.pbc_list import HEADER_ROW
from fieldwork.app.services import evidence as ev
from fieldwork.app.services.evidence_store import Readable
from fieldwork.app.services.history import Changes
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.tasks import Task
from fieldwork.ui.context import Target
from fieldwork.ui.dialogs.pbc_request import PbcRequestDialog
from fieldwork.ui.dialogs.receipt import ReceiptDialog
from fieldwork.ui.main_window import MainWindow
from fieldwork.ui.operations import Operation, Runner
from fieldwork.ui.tables import selected_rows
from fieldwork.ui.views.control import ControlView
from fieldwork.ui.views.control_test import ControlTestView
from fieldwork.ui.views.evidence import EvidenceView
from fieldwork.ui.views.pbc import PbcView
from fieldwork.ui.workspace import Workspace
from tests.evidence_helpers import make_items, row_counts, sha256_of, write_file

MIB = 1 << 20


def click(view: QWidget, text: str) -> None:
    """Press the button labelled `text` (mnemonic ampersands ignored), as the user would."""
    [button] = [b for b in view.findChildren(QPushButton) if b.text().replace("&", "") == text]
    button.click()


def receipts(monkeypatch: pytest.MonkeyPatch, provided_by: str | None = None) -> list[ReceiptDialog]:
    """Accept every "where did these files come from" dialog (optionally typing a provider); returns them."""
    shown: list[ReceiptDialog] = []

    def accept(dialog: ReceiptDialog) -> int:
        shown.append(dialog)
        if provided_by is not None:
            dialog.provided_by.setText(provided_by)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ReceiptDialog, "exec", accept)
    return shown


def choose(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(p) for p in paths], ""))


def messages(runner: Runner) -> tuple[list[str], list[str]]:
    """What the runner would put in the status bar, and the refusals the window would show."""
    status: list[str] = []
    refused: list[str] = []
    runner.status_message.connect(status.append)
    runner.user_error.connect(refused.append)
    return status, refused


def drop(qtbot: QtBot, widget: QWidget, paths: list[Path], at: QPoint, urls: list[QUrl] | None = None) -> bool:
    """Drag files from the file manager onto `widget` and let go at `at`; True when the widget took them."""
    mime = QMimeData()
    mime.setUrls(urls if urls is not None else [QUrl.fromLocalFile(str(p)) for p in paths])
    action, button, keys = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(at, action, mime, button, keys)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    dropped = QDropEvent(QPointF(at), action, mime, button, keys)
    QApplication.sendEvent(widget, dropped)
    qtbot.wait(10)  # the drop is handled once the file manager has been released
    return dropped.isAccepted()


def library(workspace: Workspace) -> EvidenceView:
    workspace.open_target(Target("evidence"))
    view = workspace.views["evidence"]
    assert isinstance(view, EvidenceView)
    return view


def test_attach_two_files_through_the_library(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtmodeltester: ModelTester
) -> None:
    first = write_file(tmp_path / "Okta users Q3.csv", 3000)
    second = write_file(tmp_path / "Access policy.pdf", MIB + 7)
    choose(monkeypatch, first, second)
    shown = receipts(monkeypatch, provided_by="CISO")
    view = library(workspace)
    status, _ = messages(workspace.ctx.runner)

    click(view, "Attach files...")

    assert shown[0].windowTitle() == "Attach 2 files"
    rows = {f.original_name: f for f in view.model.rows}
    assert set(rows) == {"Okta users Q3.csv", "Access policy.pdf"}
    assert rows["Okta users Q3.csv"].sha256 == sha256_of(first)
    assert rows["Access policy.pdf"].sha256 == sha256_of(second)
    assert {(f.provided_by, f.received_date) for f in rows.values()} == {("CISO", date.today())}
    row = view.model.row_of(rows["Access policy.pdf"].id)
    sha = view.model.index(row, [c.title for c in view.model.columns].index("SHA-256"))
    assert sha.data() == sha256_of(second)[:10] + "…"
    assert sha.data(Qt.ItemDataRole.ToolTipRole) == sha256_of(second)
    assert view.model.index(row, [c.title for c in view.model.columns].index("Size")).data() == "1.0 MB"
    assert "Attached E-0001, E-0002." in status
    qtmodeltester.check(view.model)


def header_point(view: EvidenceView, title: str) -> QPoint:
    header = view.table.horizontalHeader()
    section = [c.title for c in view.model.columns].index(title)
    return QPoint(header.sectionViewportPosition(section) + header.sectionSize(section) // 2, header.height() // 2)


def test_the_library_filters_sorts_and_shows_where_a_file_is_used(
    demo_workspace: Workspace, qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    view = library(demo_workspace)
    everything = [f.ref for f in view.model.rows]
    assert everything == sorted(everything) and len(everything) >= 5

    header = view.table.horizontalHeader()
    size_column = [c.title for c in view.model.columns].index("Size")
    for _click in range(2):  # the second click on "Size" turns the order round
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=header_point(view, "Size"))
        sizes = [f.size for f in view.model.rows]
        descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        assert header.sortIndicatorSection() == size_column and sizes == sorted(sizes, reverse=descending)
    assert sizes[0] != sizes[-1] and {descending} != {header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder}
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=header_point(view, "SHA-256"))
    assert [f.size for f in view.model.rows] == sizes, "the library is not sorted by hash"
    assert header.sortIndicatorSection() == size_column

    view.filter.setText("PBC-002")
    view.filter_timer.timeout.emit()
    assert len(view.model.rows) == 2 and all(f.pbc_ref == "PBC-002" for f in view.model.rows)
    view.filter.clear()
    view.unused_only.setChecked(True)
    assert view.model.rows == []  # every demo file supports something
    view.unused_only.setChecked(False)

    on_item = next(f for f in view.model.rows if any("#" in ref for ref in f.used_by))
    view.table.selectRow(view.model.row_of(on_item.id))
    assert [u.ref for u in view.uses.rows] == list(on_item.used_by)
    qtmodeltester.check(view.uses)
    sample_use = next(u for u in view.uses.rows if u.link.kind is ev.LinkKind.SAMPLE_ITEM)
    view.uses_table.doubleClicked.emit(view.uses.index(view.uses.rows.index(sample_use), 0))
    assert demo_workspace.current is not None and demo_workspace.current.kind == "test"
    page = demo_workspace.views["test"]
    assert isinstance(page, ControlTestView) and page.page is not None
    assert page.page.test.ref == sample_use.ref.split(" #")[0]
    assert on_item.ref in [r.file.ref for r in page.evidence.model.rows]

    view = library(demo_workspace)
    view.table.selectRow(view.model.row_of(on_item.id))
    request_use = next(u for u in view.uses.rows if u.link.kind is ev.LinkKind.PBC_REQUEST)
    view.uses_table.doubleClicked.emit(view.uses.index(view.uses.rows.index(request_use), 0))
    requests = demo_workspace.views["pbc"]
    assert isinstance(requests, PbcView) and demo_workspace.stack.currentWidget() is requests
    assert [requests.model.rows[row].ref for row in selected_rows(requests.table)] == [request_use.ref]


def test_unlink_then_delete_and_the_refusal_is_said(
    demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    status, refused = messages(demo_workspace.ctx.runner)
    view = library(demo_workspace)
    found = next(f for f in view.model.rows if len(f.used_by) == 2)
    view.table.selectRow(view.model.row_of(found.id))

    click(view, "Delete...")
    assert refused == [f"{found.ref} still supports {', '.join(found.used_by)}; unlink it first."]

    for _use in found.used_by:
        view.uses_table.selectRow(0)
        click(view, "Unlink from this item")
    now = view.model.rows[view.model.row_of(found.id)]
    assert now.used_by == () and view.uses.rows == []
    click(view, "Delete...")
    assert view.model.row_of(found.id) == -1 and f"Saved: Deleted {found.ref}." in status


def test_drop_a_file_on_a_sample_item_row_links_it_to_that_item(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    items = make_items(workspace.db)
    shown = receipts(monkeypatch)
    workspace.open_target(Target("test", items.operating.id))
    view = workspace.views["test"]
    assert isinstance(view, ControlTestView)
    table = view.item_table
    second_row = table.visualRect(view.items.index(1, 0)).center()
    screenshot = write_file(tmp_path / "UAR-2 sign-off.png", 20_000)

    assert drop(qtbot, table.viewport(), [screenshot], second_row)
    assert selected_rows(table) == [1], "the row the file goes to is shown while dragging"

    assert shown[0].windowTitle() == "Attach 1 file to C-001.T2 #2"
    [stored] = ev.list_evidence(workspace.db)
    assert stored.original_name == "UAR-2 sign-off.png" and stored.used_by == ("C-001.T2 #2",)
    assert [(r.file.ref, [u.ref for u in r.uses]) for r in view.evidence.model.rows] == [("E-0001", ["C-001.T2 #2"])]
    qtmodeltester.check(view.evidence.model)

    link = QUrl("https://example.com/report.pdf")
    assert not drop(qtbot, table.viewport(), [], second_row, urls=[link]), "only local files are evidence"
    assert len(ev.list_evidence(workspace.db)) == 1


def test_drop_files_on_a_control_attaches_them_to_the_control(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    items = make_items(workspace.db)
    receipts(monkeypatch, provided_by="IT Manager")
    workspace.open_target(Target("control", items.control.id))
    view = workspace.views["control"]
    assert isinstance(view, ControlView)
    files = [write_file(tmp_path / f"review {n}.xlsx", 5000) for n in (1, 2)]

    assert drop(qtbot, view, files[:1], QPoint(20, 20))
    assert drop(qtbot, view.description.viewport(), files[1:], QPoint(5, 5)), "a text field does not take files"

    assert {f.used_by for f in ev.list_evidence(workspace.db)} == {("C-001",)}
    assert sorted(r.file.original_name for r in view.evidence.model.rows) == ["review 1.xlsx", "review 2.xlsx"]
    assert view.description.toPlainText() == "" and view.page is not None and view.page.control.description == ""


def test_open_a_private_copy_that_is_removed_when_the_engagement_closes(
    qtbot: QtBot, engagement: EngagementFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_file(tmp_path / "Board minutes.pdf", 70_000)
    ev.attach_files(engagement, [source])
    opened: list[Path] = []

    def system_viewer(url: QUrl) -> bool:
        opened.append(Path(url.toLocalFile()))
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", system_viewer)
    window = MainWindow(synchronous=True)
    qtbot.addWidget(window)
    window.show_engagement(engagement)
    assert window.workspace is not None
    view = library(window.workspace)

    view.table.doubleClicked.emit(view.model.index(0, 1))

    [copy] = opened
    assert copy.name == "Board minutes.pdf" and copy.read_bytes() == source.read_bytes()
    assert copy.parent != source.parent and stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    window.close_engagement()
    assert not copy.exists() and not copy.parent.exists()


def test_a_cancelled_attach_leaves_nothing(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = row_counts(workspace.db)
    files = [write_file(tmp_path / "first.log", 3 * MIB), write_file(tmp_path / "second.log", 3 * MIB)]
    choose(monkeypatch, *files)
    receipts(monkeypatch)
    reported: list[tuple[int, int]] = []

    def press_cancel(operation: Operation, done: int, total: int, step: str) -> None:
        """The user presses Cancel in the progress dialog as soon as it moves."""
        reported.append((done, total))
        operation.task.cancel()

    monkeypatch.setattr(Operation, "_progressed", press_cancel)
    view = library(workspace)
    status, refused = messages(workspace.ctx.runner)

    click(view, "Attach files...")

    assert reported[0][1] == 6 * MIB, "progress counts the bytes of the whole batch"
    assert status == ["Attaching 2 files: cancelled; nothing was changed."] and refused == []
    assert row_counts(workspace.db) == before and view.model.rows == []


def test_a_failed_attach_leaves_nothing(workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = row_counts(workspace.db)
    files = [write_file(tmp_path / "read.csv", 2 * MIB), write_file(tmp_path / "lost.csv", 1000)]
    choose(monkeypatch, *files)
    receipts(monkeypatch)
    stream = ev.attach_stream

    def fail_on_the_second(ch: Changes, source: Readable, name: str, *args: Any) -> int:
        """The disk goes away after the first file is stored."""
        if name == "lost.csv":
            raise OSError(5, "Input/output error")
        return stream(ch, source, name, *args)

    monkeypatch.setattr(ev, "attach_stream", fail_on_the_second)
    view = library(workspace)
    _, refused = messages(workspace.ctx.runner)

    click(view, "Attach files...")

    assert refused == ["Cannot read lost.csv: Input/output error."]
    assert row_counts(workspace.db) == before and view.model.rows == []


def pbc_page(workspace: Workspace) -> PbcView:
    workspace.open_target(Target("pbc"))
    view = workspace.views["pbc"]
    assert isinstance(view, PbcView)
    return view


def fill_request(monkeypatch: pytest.MonkeyPatch, request: str, requested_of: str) -> None:
    def accept(dialog: PbcRequestDialog) -> int:
        dialog.request.setPlainText(request)
        dialog.requested_of.setText(requested_of)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PbcRequestDialog, "exec", accept)


def test_add_a_request_and_evidence_in_answer_marks_it_received(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    view = pbc_page(workspace)
    fill_request(monkeypatch, "Population of production changes", "VP Engineering")
    click(view, "New request...")
    [request] = view.model.rows
    assert (request.ref, request.status, request.evidence_count) == ("PBC-001", "open", 0)
    assert view.model.index(0, 4).data() == "Open"

    view.model.setData(view.model.index(0, 1), "Population of all production changes")
    assert view.model.rows[0].request == "Population of all production changes"

    view.table.selectRow(0)
    choose(monkeypatch, write_file(tmp_path / "changes.csv", 4000))
    shown = receipts(monkeypatch)
    click(view, "Attach evidence in answer...")

    assert shown[0].provided_by.text() == "VP Engineering", "the person asked is who sent it"
    [answered] = view.model.rows
    assert (answered.status, answered.received_date, answered.evidence_count) == ("received", date.today(), 1)
    assert view.model.index(0, 4).data() == "Received" and view.model.index(0, 6).data() == "1"
    [stored] = ev.list_evidence(workspace.db)
    assert stored.pbc_ref == "PBC-001" and stored.provided_by == "VP Engineering"

    fill_request(monkeypatch, "Board minutes", "Company secretary")
    click(view, "New request...")
    minutes = view.table.visualRect(view.model.index(1, 0)).center()
    assert drop(qtbot, view.table.viewport(), [write_file(tmp_path / "minutes.pdf", 900)], minutes)
    assert shown[-1].windowTitle() == "Attach 1 file to PBC-002"
    assert [(r.ref, r.status, r.evidence_count) for r in view.model.rows] == [
        ("PBC-001", "received", 1),
        ("PBC-002", "received", 1),
    ]
    qtmodeltester.check(view.model)


def test_a_refused_edit_is_said_and_undone(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    view = pbc_page(workspace)
    fill_request(monkeypatch, "Board minutes", "Company secretary")
    click(view, "New request...")
    view.model.setData(view.model.index(0, 1), "   ")
    assert view.problem.text() == "Say what the client is asked to provide."
    assert view.model.rows[0].request == "Board minutes"


def test_export_the_pbc_list_for_the_client(
    demo_workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = pbc_page(demo_workspace)
    overdue = view.model.row_of(next(r.id for r in view.model.rows if r.ref == "PBC-013"))
    assert view.model.index(overdue, 4).data() == "Overdue"
    assert view.model.index(overdue, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "for the client"), ""))
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text: asked.append(text))

    click(view, "Export for the client (Excel)...")

    assert asked == ["Wrote for the client.xlsx. Open it now?"]
    sheet = openpyxl.load_workbook(tmp_path / "for the client.xlsx").active
    assert sheet is not None
    rows = {row[0]: row for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    assert len(rows) == len(view.model.rows) == 20
    assert rows["PBC-013"][4] == "Overdue" and rows["PBC-002"][6] == 2


def test_progress_of_a_file_over_2_gib_still_reaches_the_dialog(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[tuple[int, int, str]] = []
    monkeypatch.setattr(Operation, "_progressed", lambda op, done, total, step: shown.append((done, total, step)))
    results: list[str] = []

    def work(task: Task) -> str:
        task.progress(3 * 2**30, 5 * 2**30, "screen recording.mov")  # bytes: more than a C int holds
        return "done"

    Runner(synchronous=True).run("Attaching 1 file", work, results.append, progress=True)
    assert shown == [(600, 1000, "screen recording.mov")] and results == ["done"]
