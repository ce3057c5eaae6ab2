"""The Edit menu as an auditor uses it: new controls and tests through a form, deletes that say what goes,
and Undo / Redo of what was done."""

from __future__ import annotations

import pytest

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from fieldwork.app.domain.vocabulary import Method, TestKind
from fieldwork.app.services import controls, testing
from fieldwork.ui.context import Target
from fieldwork.ui.dialogs.new_control import NewControlDialog
from fieldwork.ui.dialogs.new_test import NewTestDialog
from fieldwork.ui.main_window import MainWindow
from fieldwork.ui.views.control import ControlView
from fieldwork.ui.views.control_test import ControlTestView
from tests.ui.driving import answering, choose


@pytest.fixture
def window(demo_window: MainWindow) -> MainWindow:
    return demo_window


def confirming(monkeypatch: pytest.MonkeyPatch, said: list[str]) -> None:
    """Answer Yes to the delete question, keeping what it said about what goes with it."""

    def run(box: QMessageBox) -> int:
        said.append(f"{box.text()} | {box.informativeText()}")
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "exec", run)


def test_new_control_opens_a_form_and_saves_only_on_save(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    assert window.db is not None and window.workspace is not None
    before = len(controls.list_controls(window.db))
    answering(monkeypatch, NewControlDialog, None)
    window.new_control()
    assert len(controls.list_controls(window.db)) == before  # cancelled: no placeholder left behind

    answering(monkeypatch, NewControlDialog, lambda d: d.title.setText("Vendor due diligence"))
    window.new_control()
    made = [c for c in controls.list_controls(window.db) if c.title == "Vendor due diligence"]
    assert len(made) == 1 and not made[0].is_key  # key only when the auditor ticks it
    assert window.workspace.current == Target("control", made[0].id)


def test_a_form_refuses_an_empty_title_and_stays_open(qtbot: QtBot) -> None:
    dialog = NewControlDialog()
    qtbot.addWidget(dialog)
    dialog._accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.text() == "Give the control a short title."


def test_ctrl_t_plans_a_test_in_a_form_before_saving_it(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    assert window.db is not None and window.workspace is not None
    control = controls.get_control(window.db, "C-001")
    window.workspace.open_target(Target("control", control.id))
    before = len(testing.list_tests(window.db, control.id))
    new_test = next(a for a in window.menus["&Edit"].actions() if a.shortcut() == QKeySequence("Ctrl+T"))

    answering(monkeypatch, NewTestDialog, None)
    new_test.trigger()
    assert len(testing.list_tests(window.db, control.id)) == before

    def plan(dialog: NewTestDialog) -> None:
        choose(dialog.kind, TestKind.DESIGN)
        dialog.procedure.setPlainText("Walk through one quarterly review with the owner.")

    answering(monkeypatch, NewTestDialog, plan)
    new_test.trigger()
    tests = testing.list_tests(window.db, control.id)
    assert len(tests) == before + 1
    made = tests[-1]
    assert (made.kind, made.methods) == (TestKind.DESIGN, (Method.INQUIRY, Method.INSPECTION))
    assert made.procedure == "Walk through one quarterly review with the owner."


def test_inquiry_alone_is_refused_in_the_form(qtbot: QtBot) -> None:
    dialog = NewTestDialog("C-001", TestKind.OPERATING)
    qtbot.addWidget(dialog)
    for method, box in dialog.methods.items():
        box.setChecked(method is Method.INQUIRY)
    dialog._accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.text().startswith("Inquiry alone is never enough")


def test_a_test_is_deleted_after_saying_what_goes_and_undo_brings_it_back(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert window.db is not None and window.workspace is not None
    test = testing.get_test(window.db, "C-074.T2")
    items = len(testing.list_sample_items(window.db, test.id))
    window.workspace.open_target(Target("test", test.id))
    view = window.workspace.views["test"]
    assert isinstance(view, ControlTestView)
    said: list[str] = []
    confirming(monkeypatch, said)

    view.delete_test()
    question = "Delete C-074.T2 (test of operating effectiveness)?"
    assert said[0].startswith(f"{question} | It also deletes:\n  •  {items} sample items\n")
    assert "brings it all back" in said[0]
    assert "C-074.T2" not in [t.ref for t in testing.list_tests(window.db)]
    assert window.workspace.current == Target("control", test.control_id)
    assert window.undo_actions.undo.text().startswith("&Undo deleting control test C-074.T2 and ")

    window.undo_actions.undo.trigger()
    assert len(testing.list_sample_items(window.db, test.id)) == items
    assert window.undo_actions.redo.isEnabled()
    window.undo_actions.redo.trigger()
    assert "C-074.T2" not in [t.ref for t in testing.list_tests(window.db)]


def test_a_control_with_tests_is_deleted_with_them(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    assert window.db is not None and window.workspace is not None
    control = controls.get_control(window.db, "C-074")
    window.workspace.open_target(Target("control", control.id))
    view = window.workspace.views["control"]
    assert isinstance(view, ControlView)
    said: list[str] = []
    confirming(monkeypatch, said)

    view.delete_control()
    tests = len(view.tests.rows)
    assert f"It also deletes:\n  •  {tests} tests\n" in said[0]
    assert "C-074" not in [c.ref for c in controls.list_controls(window.db)]


def test_undo_and_redo_of_an_edit_on_the_control_page(window: MainWindow) -> None:
    assert window.db is not None and window.workspace is not None
    undo, redo = window.undo_actions.undo, window.undo_actions.redo
    assert undo.shortcut() == QKeySequence("Ctrl+Z")
    assert QKeySequence("Ctrl+Shift+Z") in redo.shortcuts()
    assert not undo.isEnabled()  # nothing done in this session yet: the demo's making is not undone
    control = controls.get_control(window.db, "C-001")
    window.workspace.open_target(Target("control", control.id))
    view = window.workspace.views["control"]
    assert isinstance(view, ControlView)

    view.owner.setText("Head of IT Security")
    view.owner.flush()
    assert undo.isEnabled() and undo.text() == "&Undo editing control C-001"

    undo.trigger()
    assert controls.get_control(window.db, "C-001").owner == control.owner
    assert view.owner.text() == control.owner  # the page shows what is stored again
    assert not undo.isEnabled() and redo.text() == "&Redo editing control C-001"
    redo.trigger()
    assert controls.get_control(window.db, "C-001").owner == "Head of IT Security"


def test_undo_says_why_when_it_cannot(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    assert window.db is not None and window.workspace is not None
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warned.append(text))
    control = controls.get_control(window.db, "C-001")
    window.workspace.open_target(Target("control", control.id))
    view = window.workspace.views["control"]
    assert isinstance(view, ControlView)
    view.owner.setText("Head of IT Security")
    view.owner.flush()
    from fieldwork.app.storage.schema import control as control_table

    with window.db.writing() as conn:
        conn.execute(control_table.update().where(control_table.c.id == control.id).values(owner="Someone else"))

    window.undo_actions.undo.trigger()
    assert warned == [
        "This cannot be undone: control C-001 has been changed since by something else, "
        "and undoing would overwrite that change."
    ]
    assert controls.get_control(window.db, "C-001").owner == "Someone else"
