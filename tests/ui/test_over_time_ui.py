"""Engagements over time in the app: roll forward, the control matrix in and out, dates on controls and tests."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from fieldwork.app.domain.over_time import Span, TestRound
from fieldwork.app.domain.records import ControlInput, TestPlan
from fieldwork.app.domain.vocabulary import Method, TestKind
from fieldwork.app.exports.control_matrix import write_control_matrix
from fieldwork.app.services import controls, testing
from fieldwork.app.services.engagement import file_facts, system_description
from fieldwork.app.services.matrix_import import Action
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.tasks import Task
from fieldwork.ui.context import Target
from fieldwork.ui.dialogs.matrix_import import ABSENT, MatrixImportDialog
from fieldwork.ui.dialogs.roll_forward import RollForwardDialog
from fieldwork.ui.main_window import MainWindow
from fieldwork.ui.views.control import ControlView
from fieldwork.ui.views.control_test import ControlTestView
from fieldwork.ui.views.settings import SettingsView
from fieldwork.ui.workspace import Workspace


@pytest.fixture
def window(demo_window: MainWindow) -> MainWindow:
    return demo_window


def test_rolling_forward_from_the_file_menu_writes_and_opens_next_period(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert window.db is not None
    source = window.db.path
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    target = tmp_path / "next.fieldwork"

    def answer(dialog: RollForwardDialog) -> int:
        assert dialog.type2.isChecked() and dialog.start.value() == date(2026, 10, 1)
        assert dialog.end.value() == date(2027, 9, 30), "the next period, as long as this one"
        dialog.path.setText(str(target))
        dialog.new_passphrase.setChecked(False)
        dialog.evidence.setChecked(True)
        dialog._accept()
        return 1

    asked: list[str] = []
    monkeypatch.setattr(RollForwardDialog, "exec", answer)
    monkeypatch.setattr(
        QMessageBox, "question", lambda parent, title, text, *a: asked.append(text) or QMessageBox.StandardButton.Yes
    )
    window.roll_forward()
    assert asked and "Left out: C-080: no longer in operation after 2026-04-08." in asked[0]
    assert window.db is not None and window.db.path == target, "the new engagement is open"
    assert file_facts(window.db).rolled_from_sha256 == before == hashlib.sha256(source.read_bytes()).hexdigest()
    window.workspace.open_target(Target("settings"))  # type: ignore[union-attr]
    settings = window.workspace.views["settings"]  # type: ignore[union-attr]
    assert isinstance(settings, SettingsView)
    assert "to update" in settings.description.headings.item(0).text()


def test_a_plain_engagement_is_not_rolled_into_a_plain_file_by_default(window: MainWindow, tmp_path: Path) -> None:
    assert window.db is not None
    from fieldwork.app.services.engagement import get_details

    dialog = RollForwardDialog(window.db.path, False, get_details(window.db), window)
    dialog.path.setText(str(tmp_path / "next.fieldwork"))
    dialog._accept()
    assert dialog.choice is None and dialog.error.text().startswith("Too short"), "a passphrase is asked for"


def test_the_matrix_dialog_guesses_previews_and_imports(
    qtbot: QtBot, demo: EngagementFile, engagement: EngagementFile, tmp_path: Path
) -> None:
    target = tmp_path / "matrix.xlsx"
    write_control_matrix(demo, target, Task())
    from tests.ui.conftest import shown_workspace

    workspace = shown_workspace(qtbot, engagement)
    dialog = MatrixImportDialog(target, workspace.ctx)
    qtbot.addWidget(dialog)
    assert dialog.controls.boxes["title"].currentText() == "Title"
    assert dialog.tests.boxes["planned_size"].currentText() == "Planned size"
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled(), "preview first"

    dialog.preview()
    assert {line.action for line in dialog.lines.rows} == {Action.ADD}
    assert controls.list_controls(engagement) == [], "a preview writes nothing"
    dialog.take()
    assert dialog.result() == 1 and dialog.outcome is not None and dialog.outcome.written
    assert len(controls.list_controls(engagement)) == len(controls.list_controls(demo))


def test_the_matrix_dialog_refuses_until_the_rows_can_be_taken(
    qtbot: QtBot, engagement: EngagementFile, tmp_path: Path
) -> None:
    from tests.sampling_helpers import write_xlsx
    from tests.ui.conftest import shown_workspace

    path = write_xlsx(
        tmp_path / "client.xlsx",
        {"Controls": [["Control ID", "Control Name", "TSC"], ["AC-1", "Access review", "CC6.2"], ["AC-2", "", "Q"]]},
    )
    workspace = shown_workspace(qtbot, engagement)
    dialog = MatrixImportDialog(path, workspace.ctx)
    qtbot.addWidget(dialog)
    assert dialog.tests.picker.skipped, "no sheet of tests"
    dialog.preview()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled() and "cannot be taken" in dialog.summary.text()
    assert [line.row for line in dialog.lines.rows if line.action is Action.REFUSED] == [3, 3]

    dialog.controls.boxes["title"].setCurrentText(ABSENT)  # a mapping changed: preview again
    dialog.controls.boxes["title"].setCurrentText("Control Name")
    path.unlink()
    write_xlsx(path, {"Controls": [["Control ID", "Control Name", "TSC"], ["AC-1", "Access review", "CC6.2"]]})
    dialog.preview()
    assert ok.isEnabled()
    dialog.take()
    assert dialog.outcome is not None and dialog.outcome.written
    assert [c.ref for c in controls.list_controls(engagement)] == ["AC-1"]


def test_a_controls_dates_and_a_tests_window_are_set_on_their_pages(workspace: Workspace) -> None:
    db = workspace.db
    made = controls.create_control(db, ControlInput("Access review"), ["CC6.2"])
    plan = TestPlan(TestKind.OPERATING, "Inspected", (Method.INSPECTION,))
    test = testing.add_test(db, made.ref, plan)
    workspace.open_target(Target("test", test.id))
    test_view = workspace.views["test"]
    assert isinstance(test_view, ControlTestView) and test_view.timing_row.isVisibleTo(test_view)
    test_view.round.load(TestRound.INTERIM)
    test_view.window_end.is_set.setChecked(True)
    test_view.window_end.picker.load(date(2026, 6, 30))
    test_view.save_timing()
    assert testing.get_test(db, test.id).window == Span(date(2026, 1, 1), date(2026, 6, 30))

    workspace.open_target(Target("control", made.id))
    view = workspace.views["control"]
    assert isinstance(view, ControlView) and view.page is not None
    assert "Coverage: Not tested from 2026-07-01 to 2026-12-31" in view.over_time.text()
    view.effective_from.is_set.setChecked(True)
    view.effective_from.picker.load(date(2026, 3, 1))
    view.save_dates()
    assert controls.get_control(db, made.id).effective_from == date(2026, 3, 1)
    assert view.over_time.text().startswith("Implemented on 2026-03-01.")


def test_the_matrix_exports_from_the_file_menu(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "matrix.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.No)
    window.export_matrix()
    assert target.stat().st_size > 10_000


def test_the_control_page_shows_and_sets_the_control_it_replaced(window: MainWindow) -> None:
    assert window.db is not None and window.workspace is not None
    window.workspace.open_target(Target("control", controls.get_control(window.db, "C-081").id))
    view = window.workspace.views["control"]
    assert isinstance(view, ControlView)
    assert view.replaces.currentText() == "C-080" and view.over_time.text() == "Replaced C-080 on 2026-04-09."
    view.replaces.setCurrentText("(no other control)")
    view.save_dates()
    assert controls.get_control(window.db, "C-081").replaces_ref is None


def test_a_section_carried_forward_keeps_its_mark_until_confirmed(
    qtbot: QtBot, engagement: EngagementFile, tmp_path: Path
) -> None:
    from fieldwork.app.domain.vocabulary import ReportType
    from fieldwork.app.services.engagement import read_sections_to_update, set_description_section
    from fieldwork.app.services.roll_forward import NewPeriod, roll_forward
    from fieldwork.app.storage.read_only import open_read_only
    from tests.ui.conftest import shown_workspace

    set_description_section(engagement, "DC1", "Acme provides model hosting.")
    with open_read_only(engagement.path) as old:
        db, _done = roll_forward(
            old, tmp_path / "next.fieldwork", NewPeriod(ReportType.TYPE1, as_of=date(2027, 6, 30)), None
        )
    try:
        workspace = shown_workspace(qtbot, db)
        workspace.open_target(Target("settings"))
        panel = workspace.views["settings"].description  # type: ignore[attr-defined]
        assert panel.headings.item(0).text().endswith("to update") and not panel.headings.item(1).text().endswith(
            "to update"
        )
        panel.headings.setCurrentRow(0)
        assert panel.still_right.isVisibleTo(panel)
        panel.still_right.click()
        with db.reading() as conn:
            assert read_sections_to_update(conn) == frozenset()
        assert panel.headings.item(0).text() == "DC1  Services provided"
        assert system_description(db)["DC1"] == "Acme provides model hosting.", "the text stays as it was"
    finally:
        db.close()
