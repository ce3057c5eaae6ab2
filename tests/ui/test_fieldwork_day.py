"""A day of fieldwork in the app: create, link across frameworks, record a Type 2 test, reopen."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QInputDialog, QMessageBox, QTableWidgetItem
from pytestqt.qtbot import QtBot

from fieldwork.app.domain.judgements import DeviationNature
from fieldwork.app.domain.records import TestPlan
from fieldwork.app.domain.vocabulary import Conclusion, Method, Role, SampleResult, Status, TestKind
from fieldwork.app.services import controls, deviations, testing
from fieldwork.ui.context import Target
from fieldwork.ui.dialogs.deviation import DeviationDialog
from fieldwork.ui.dialogs.new_control import NewControlDialog
from fieldwork.ui.dialogs.new_engagement import NewEngagementWizard
from fieldwork.ui.dialogs.new_test import NewTestDialog
from fieldwork.ui.main_window import MainWindow
from fieldwork.ui.models.navigator import NODE_ROLE
from fieldwork.ui.views.control import ControlView
from fieldwork.ui.views.control_test import ControlTestView
from fieldwork.ui.views.requirement import RequirementView
from fieldwork.ui.workspace import Workspace
from tests.ui.driving import answering, choose

PASSPHRASE = "four unrelated words here"


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Messages the app would show in a dialog, collected instead of blocking the test."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    return shown


@pytest.fixture
def window(qtbot: QtBot, warnings: list[str]) -> MainWindow:
    main = MainWindow(synchronous=True)
    qtbot.addWidget(main)
    main.show()
    return main


def open_demo_copy(window: MainWindow, demo_template: Path, folder: Path) -> None:
    copy = folder / "demo.fieldwork"
    copy.write_bytes(demo_template.read_bytes())
    window.opener.open_path(copy)


def fill_wizard(wizard: NewEngagementWizard, path: Path) -> None:
    wizard.show()
    wizard.client.setText("Lumen Health AI")
    wizard.system.setText("Lumen Triage Assistant")
    wizard.next()
    wizard.type2.setChecked(True)
    wizard.start.setDate(QDate(2026, 1, 1))
    wizard.end.setDate(QDate(2026, 12, 31))
    wizard.next()
    wizard.categories["Availability"].setChecked(True)
    wizard.iso_scope.setPlainText("The AIMS for the triage assistant.")
    wizard.next()
    wizard.add_person()  # the role is chosen from the roles, not typed
    wizard.team_table.setItem(0, 0, QTableWidgetItem("Dana Reyes"))
    choose(wizard.team_table.cellWidget(0, 2), Role.SENIOR)
    wizard.next()
    assert [(m.name, m.initials, m.role) for m in wizard.team] == [("Dana Reyes", "DR", Role.SENIOR)]
    wizard.passphrase_fields.first.setText(PASSPHRASE)
    wizard.passphrase_fields.second.setText(PASSPHRASE)
    wizard.next()
    wizard.file_field.setText(str(path))
    wizard.next()
    assert wizard.currentId() == 6, "every earlier page accepted its answers"
    summary = wizard.summary.text()
    for said in ("Lumen Health AI", "SOC 2 Type 2, 2026-01-01 to 2026-12-31", "Dana Reyes (DR), Senior", str(path)):
        assert said in summary, said
    assert "Encrypted, passphrase kept in this computer's keychain" in summary
    assert wizard.validateCurrentPage()  # what Finish does


def navigator_status(workspace: Workspace, target: Target) -> Status:
    index = workspace._find(target)
    assert index.isValid(), target
    status: Status = index.data(NODE_ROLE).status
    return status


def test_a_day_of_fieldwork(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warnings: list[str]
) -> None:
    path = tmp_path / "lumen.fieldwork"
    wizard = NewEngagementWizard(window)
    fill_wizard(wizard, path)
    assert wizard.details is not None and wizard.path == path and wizard.passphrase == PASSPHRASE
    window.create_from(wizard)
    assert window.db is not None and window.db.encrypted
    assert "Lumen Health AI" in window.windowTitle() and "encrypted" in window.windowTitle()
    workspace = window.workspace
    assert workspace is not None

    # A control created from CC6.1 is linked to it; the crosswalk suggests 7.5.3 (access to documented information).
    workspace.open_target(Target("requirement", "CC6.1"))
    requirement_view = workspace.views["requirement"]
    assert isinstance(requirement_view, RequirementView)
    answering(monkeypatch, NewControlDialog, lambda form: form.title.setText("Quarterly user access review"))
    requirement_view.create_control()
    control_view = workspace.views["control"]
    assert isinstance(control_view, ControlView) and workspace.current is not None
    assert workspace.current.kind == "control"
    row = control_view.suggestions.row_of("7.5.3")
    assert row >= 0, [s.code for s in control_view.suggestions.rows]
    control_view.suggestion_table.selectRow(row)
    control_view.accept_suggestion()
    made = controls.list_controls(window.db)[0]
    assert made.requirements == ("CC6.1", "7.5.3")

    # A Type 2 test with 25 sample items, one of them a deviation.
    answering(monkeypatch, NewTestDialog, lambda form: None)  # the form as it opens: operating, inspection
    control_view.new_test(TestKind.OPERATING)
    test_view = workspace.views["test"]
    assert isinstance(test_view, ControlTestView) and test_view.page is not None
    test_view.population_size.setValue(140)  # 140 leavers in the period, listed outside Fieldwork
    test_view.save_plan()
    assert "Suggested: <b>30</b> (range 20-40)" in test_view.sampling.suggestion.text()
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("Leavers are a low-risk population", True))
    test_view.sampling.record(25)
    assert testing.get_test(window.db, test_view.page.test.id).sample_size == 25
    rows = [f"USR-{n}\t2026-03-{n + 1:02d}\tno exception\ta" for n in range(24)]
    rows.append("USR-99\t2026-04-02\tdeviation\tx\tAccess not removed within 5 days of termination")
    QGuiApplication.clipboard().setText("\n".join(rows))
    test_view.paste_rows()
    assert test_view.items.rowCount() == 25

    def fill_deviation(dialog: DeviationDialog) -> int:
        dialog.description.setPlainText("1 of 25 sampled leavers kept access for 9 days after termination.")
        dialog.response.setPlainText("HR now notifies IT the same day; access is revoked automatically.")
        first = dialog.items.item(0)  # the item marked as a deviation is listed first
        assert first.text().startswith("#25  USR-99")
        first.setCheckState(Qt.CheckState.Checked)
        dialog.nature.load(DeviationNature.ISOLATED)
        dialog.evaluation.setPlainText("Isolated: the leaver's manager was on leave; no access was used.")
        return 1

    monkeypatch.setattr(DeviationDialog, "exec", fill_deviation)
    test_view.add_deviation()
    test_view.conclusion.load(Conclusion.EXCEPTIONS)
    test_view.save_conclusion()
    test_id = test_view.page.test.id
    assert testing.get_test(window.db, test_id).conclusion is Conclusion.EXCEPTIONS
    [recorded] = deviations.list_deviations(window.db, test_id)
    assert (recorded.ref, recorded.rate_label, recorded.nature) == (
        f"{test_view.page.test.ref}.D1",
        "1 of 25 (4.0%)",
        DeviationNature.ISOLATED,
    )

    # The result reaches both frameworks, visibly.
    assert navigator_status(workspace, Target("requirement", "CC6.1")) is Status.EXCEPTIONS
    assert navigator_status(workspace, Target("requirement", "7.5.3")) is Status.EXCEPTIONS
    served = {s.requirement.code: s.status for s in test_view.served.rows}
    assert served == {"CC6.1": Status.EXCEPTIONS, "7.5.3": Status.EXCEPTIONS}

    # Close and reopen: everything is there (the passphrase comes from the keychain).
    window.close()
    again = MainWindow(synchronous=True)
    again.show()
    again.opener.open_path(path)
    assert again.db is not None
    reopened = testing.list_tests(again.db)
    assert len(reopened) == 1 and reopened[0].items_total == 25 and reopened[0].deviation_count == 1
    items = testing.list_sample_items(again.db, reopened[0].id)
    assert [i.result for i in items].count(SampleResult.DEVIATION) == 1
    assert controls.list_controls(again.db)[0].requirements == ("CC6.1", "7.5.3")
    again.close()
    assert warnings == []


def test_a_clean_conclusion_is_refused_when_deviations_exist(
    window: MainWindow, demo_template: Path, tmp_path: Path, warnings: list[str]
) -> None:
    open_demo_copy(window, demo_template, tmp_path)
    assert window.workspace is not None and window.db is not None
    with_deviation = next(t for t in testing.list_tests(window.db) if t.deviation_count)
    window.workspace.open_target(Target("test", with_deviation.id))
    view = window.workspace.views["test"]
    assert isinstance(view, ControlTestView)
    view.conclusion.load(Conclusion.NO_EXCEPTIONS)
    view.save_conclusion()
    assert warnings and "cannot conclude 'No exceptions noted'" in warnings[-1]
    assert testing.get_test(window.db, with_deviation.id).conclusion is Conclusion.EXCEPTIONS
    assert view.conclusion.value() is Conclusion.EXCEPTIONS, "the screen shows what is stored"


def test_did_not_operate_is_offered_for_operating_tests_only(
    window: MainWindow, demo_template: Path, tmp_path: Path, warnings: list[str]
) -> None:
    open_demo_copy(window, demo_template, tmp_path)
    assert window.workspace is not None and window.db is not None
    # The demo's one retirement was tested (C-046.T2); a later window of the period saw none.
    plan = TestPlan(TestKind.OPERATING, "Inspected the registry audit log from September 2026.", (Method.INSPECTION,))
    made = testing.add_test(window.db, "C-046", replace(plan, population="Retirements in September", population_size=0))
    note = "The registry audit log shows no retirement in September 2026: the control did not operate then."
    testing.conclude(window.db, made.id, Conclusion.NOT_OPERATED, note)
    window.workspace.open_target(Target("test", made.id))
    view = window.workspace.views["test"]
    assert isinstance(view, ControlTestView)
    choice = view.conclusion.members.index(Conclusion.NOT_OPERATED)
    assert view.conclusion.value() is Conclusion.NOT_OPERATED and "did not operate" in view.conclusion_note.text()
    assert view.conclusion.model().item(choice).isEnabled()
    assert view.population_size.text() == "0", "an empty population reads 0, not unknown"
    view.save_plan()
    stored = testing.get_test(window.db, made.id)
    assert stored.population_size == 0 and stored.conclusion is Conclusion.NOT_OPERATED
    window.workspace.open_target(Target("test", testing.get_test(window.db, "C-046.T1").id))
    assert not view.conclusion.model().item(choice).isEnabled(), "a test of design cannot find that"
    assert warnings == []


def test_the_filter_narrows_the_navigator_by_control_text(
    window: MainWindow, demo_template: Path, tmp_path: Path
) -> None:
    open_demo_copy(window, demo_template, tmp_path)
    workspace = window.workspace
    assert workspace is not None
    everything = len(workspace.requirement_order())
    workspace.filter.setText("CC6.1")
    assert [t.key for t in workspace.requirement_order()] == ["CC6.1"]
    workspace.filter.setText("bias")  # found in the text of the controls that serve a requirement
    narrowed = workspace.requirement_order()
    assert 0 < len(narrowed) < everything
    workspace.filter.clear()
    assert len(workspace.requirement_order()) == everything


def test_next_and_previous_requirement_walk_the_navigator(
    window: MainWindow, demo_template: Path, tmp_path: Path
) -> None:
    open_demo_copy(window, demo_template, tmp_path)
    workspace = window.workspace
    assert workspace is not None
    workspace.open_target(Target("requirement", "CC1.1"))
    workspace.step_requirement(1)
    assert workspace.current == Target("requirement", "CC1.2")
    workspace.step_requirement(-1)
    assert workspace.current == Target("requirement", "CC1.1")


def test_every_item_model_passes_the_model_tester(
    qtmodeltester, window: MainWindow, demo_template: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    open_demo_copy(window, demo_template, tmp_path)
    workspace = window.workspace
    assert workspace is not None
    qtmodeltester.check(workspace.model)
    workspace.filter.setText("access")
    qtmodeltester.check(workspace.model)
    test = next(t for t in testing.list_tests(window.db) if t.items_total)  # type: ignore[arg-type]
    workspace.open_target(Target("test", test.id))
    view = workspace.views["test"]
    assert isinstance(view, ControlTestView)
    for model in (view.items, view.deviations, view.served):
        qtmodeltester.check(model)
    workspace.open_target(Target("control", test.control_id))
    control_view = workspace.views["control"]
    assert isinstance(control_view, ControlView)
    for model in (control_view.linked, control_view.suggestions, control_view.tests):
        qtmodeltester.check(model)
    assert QModelIndex().isValid() is False


def test_the_navigator_width_is_kept_for_next_time(window: MainWindow, demo_template: Path, tmp_path: Path) -> None:
    open_demo_copy(window, demo_template, tmp_path)
    assert window.workspace is not None
    default = window.workspace.splitter.sizes()[0]
    window.workspace.splitter.setSizes([260, 1000])
    window.workspace.splitter.splitterMoved.emit(260, 1)
    chosen = window.workspace.splitter.sizes()[0]
    assert chosen < default - 100, "narrower than the default"
    window.close()
    again = MainWindow(synchronous=True)
    again.resize(window.size())
    again.show()
    (tmp_path / "again").mkdir()
    open_demo_copy(again, demo_template, tmp_path / "again")
    assert again.workspace is not None
    assert abs(again.workspace.splitter.sizes()[0] - chosen) <= 15
    again.close()
