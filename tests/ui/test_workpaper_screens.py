"""The workpaper screens: the navigator's Workpapers by index, a workpaper's page, the IPE page and the sampling
panel's IPE line, the dashboard's completion items and the settings page's derived stage."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from fieldwork.app.domain.ipe import IpeResult
from fieldwork.app.domain.records import ControlInput, SampleItemInput, TestPlan
from fieldwork.app.domain.vocabulary import Conclusion, Frequency, Method, SampleResult, TestKind
from fieldwork.app.domain.workpapers import Answer
from fieldwork.app.services import controls, testing, workpapers
from fieldwork.app.services import engagement as engagement_service
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.ui.context import Target
from fieldwork.ui.dialogs.ipe import IpeDialog
from fieldwork.ui.models.navigator import NODE_ROLE
from fieldwork.ui.views import ipe as ipe_view
from fieldwork.ui.views.control_test import ControlTestView
from fieldwork.ui.views.dashboard import DashboardView
from fieldwork.ui.views.ipe import IpeView
from fieldwork.ui.views.settings import SettingsView
from fieldwork.ui.views.workpaper import WorkpaperView
from fieldwork.ui.workspace import Workspace


def open_workpaper(workspace: Workspace, db: EngagementFile, ref: str) -> WorkpaperView:
    found = next(w for w in workpapers.list_workpapers(db) if w.ref == ref)
    workspace.open_target(Target("workpaper", found.id))
    view = workspace.views["workpaper"]
    assert isinstance(view, WorkpaperView) and view.page is not None
    return view


def test_the_navigator_lists_the_workpapers_by_index_and_the_ipe_page(demo_workspace: Workspace) -> None:
    section = next(n for n in demo_workspace.model.root.children if n.label == "Workpapers")
    labels = [child.label for child in section.children]
    assert labels[:3] == ["A-100 Acceptance and continuance", "A-200 Independence confirmations",
                          "A-300 Understanding of the system and risk assessment"]  # fmt: skip
    assert labels[-1] == "Information produced by the entity (IPE)"
    assert section.progress == "3/10", "three of the demo's ten workpapers are complete"
    demo_workspace.filter.setText("c-300")
    shown = [node.label for node in demo_workspace.model.root.descendants()]
    assert shown == ["Workpapers", "C-300 Subsequent events"]
    chosen = demo_workspace.model.index_of(demo_workspace.model.root.descendants()[1])
    demo_workspace.tree.setCurrentIndex(chosen)
    assert chosen.data(NODE_ROLE).target.kind == "workpaper" and demo_workspace.current == chosen.data(NODE_ROLE).target


def test_a_workpaper_is_answered_renamed_and_marked_complete_on_its_page(
    workspace: Workspace, engagement: EngagementFile
) -> None:
    view = open_workpaper(workspace, engagement, "A-100")
    assert "8 of 8 item(s) not answered" in view.state.text() and view.tabs.tabText(0) == "Checkli&st (0 of 8)"
    view.mark(True)
    assert view.problem.text().startswith("A-100 is not complete yet")
    for row in range(view.items.rowCount()):
        view.items.setData(view.items.index(row, 2), Answer.YES, Qt.ItemDataRole.EditRole)
    view.items.setData(view.items.index(0, 3), "Partner's experience on file.", Qt.ItemDataRole.EditRole)
    assert view.page is not None and view.page.workpaper.items[0].note == "Partner's experience on file."
    assert "mark it complete" in view.state.text() and view.tabs.tabText(0) == "Checkli&st (8 of 8)"
    view.mark(True)
    assert view.page.workpaper.complete and view.state.text().startswith("<b>Complete</b>")
    assert view.reopen_button.isEnabled() and not view.complete_button.isEnabled()

    view.ref.setText("A-200")
    view.ref.flush()
    assert "A-200 is already the reference of Independence confirmations" in view.problem.text()
    assert view.ref.text() == "A-100", "the page shows what the file holds again"
    view.ref.setText("A-110")
    view.ref.flush()
    assert view.title.text().startswith("A-110") and view.problem.text() == ""


def test_a_letters_signer_and_date_are_asked_and_its_date_checked_against_the_report(
    workspace: Workspace, engagement: EngagementFile
) -> None:
    details = engagement_service.get_details(engagement)
    engagement_service.update_details(engagement, replace(details, report_release_date=date(2027, 1, 15)))
    view = open_workpaper(workspace, engagement, "C-100")
    assert view.signed_by.isVisibleTo(view) and view.date_label.text() == "Signed on"
    view.dated.picker.load(date(2027, 1, 20))
    view.dated.is_set.setChecked(True)  # setting the date saves it
    assert "cannot precede Management's assertion received and signed (C-100), dated 2027-01-20" in view.problem.text()
    assert view.page is not None and view.page.workpaper.fields.dated is None
    other = open_workpaper(workspace, engagement, "A-100")
    assert not other.signed_by.isVisibleTo(other), "a checklist asks no signer"


def test_the_opinion_memo_shows_the_worksheet_and_links_are_typed_by_reference(
    demo_workspace: Workspace, demo: EngagementFile
) -> None:
    view = open_workpaper(demo_workspace, demo, "C-400")
    assert (
        not view.shown_heading.isHidden() and "Operating effectiveness: recorded qualified" in view.shown.toPlainText()
    )
    assert "does not support the opinion recorded" in view.state.text()
    view.controls.setText("C-025, C-999")
    view.controls.flush()
    assert view.problem.text() == "There is no control C-999 in this engagement."
    view.requirements.setText("9.3, CC4.2")
    view.controls.setText("C-025")
    view.controls.flush()
    assert view.page is not None and view.page.workpaper.controls == ("C-025",)
    assert view.page.workpaper.requirements == ("9.3", "CC4.2")


def test_the_sampling_panel_shows_the_ipe_state_and_assesses_it(
    workspace: Workspace, engagement: EngagementFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = controls.create_control(
        engagement, ControlInput("Change approval", frequency=Frequency.ON_OCCURRENCE), ["CC8.1"]
    )
    plan = TestPlan(TestKind.OPERATING, "Inspected", (Method.INSPECTION,), "Merged changes", 120)
    test = testing.add_test(engagement, made.ref, plan)
    testing.add_sample_items(engagement, test.id, [SampleItemInput("CHG-1", result=SampleResult.NO_EXCEPTION)])
    workspace.open_target(Target("test", test.id))
    view = workspace.views["test"]
    assert isinstance(view, ControlTestView)
    assert "not assessed" in view.sampling.ipe.text() and view.sampling.ipe_button.isEnabled()

    monkeypatch.setattr(QMessageBox, "warning", lambda *args: QMessageBox.StandardButton.Ok)
    view.conclusion.load(Conclusion.NO_EXCEPTIONS)
    view.save_conclusion()
    assert testing.get_test(engagement, test.id).conclusion is None, "refused: the population is not assessed"

    def fill(dialog: IpeDialog) -> int:
        dialog.ipe_result.load(IpeResult.RELIABLE)
        dialog._save()
        assert "Record the source system" in dialog.error.text(), "refused in the dialog, what was typed kept"
        dialog.source_system.setText("GitHub")
        dialog.report.setText("Merged pull requests")
        dialog.procedures.setPlainText("Reperformed the query; agreed the count.")
        dialog.observed.setChecked(True)
        dialog._save()
        return 1

    monkeypatch.setattr(IpeDialog, "exec", fill)
    view.sampling.assess_ipe()
    assert "Complete and accurate" in view.sampling.ipe.text() and "production observed" in view.sampling.ipe.text()
    view.conclusion.load(Conclusion.NO_EXCEPTIONS)
    view.save_conclusion()
    assert testing.get_test(engagement, test.id).conclusion is Conclusion.NO_EXCEPTIONS


def test_the_ipe_page_lists_the_populations_and_switches_the_rule_off_with_a_reason(
    demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_workspace.open_target(Target("ipe"))
    view = demo_workspace.views["ipe"]
    assert isinstance(view, IpeView)
    assert view.populations.rowCount() == 48 and view.reports.rowCount() == 3
    assert "44 assessed" in view.summary.text() and view.rule.isChecked()
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *args, **kwargs: ("", False))
    view.rule.click()
    assert view.rule.isChecked(), "cancelled: the rule stays on"
    reason = "Firm policy QM-12 for this engagement."
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *args, **kwargs: (reason, True))
    view.rule.click()
    assert not view.rule.isChecked() and reason in view.rule_reason.text()


def test_the_dashboard_counts_the_completion_items_not_complete_and_settings_show_the_stage(
    demo_workspace: Workspace,
) -> None:
    dashboard = demo_workspace.views["dashboard"]
    assert isinstance(dashboard, DashboardView)
    assert "Stage: <b>Fieldwork</b>" in dashboard.work.text()
    assert "Completion items not complete: <b>7</b> of 7" in dashboard.work.text()
    dashboard.work.linkActivated.emit("workpapers")
    assert demo_workspace.current == Target("workpapers")
    demo_workspace.open_target(Target("settings"))
    settings = demo_workspace.views["settings"]
    assert isinstance(settings, SettingsView)
    assert "<b>Fieldwork</b> (from the file: 9 of 166 tests are not concluded" in settings.stage.text()


def test_the_ipe_summary_names_a_few_tests_still_to_assess_and_counts_the_rest(
    demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All of them made a paragraph of 917 references at `--scale 20`; the table beside it marks each."""
    monkeypatch.setattr(ipe_view, "NAMED", 2)
    demo_workspace.open_target(Target("ipe"))
    view = demo_workspace.views["ipe"]
    assert isinstance(view, IpeView)
    waiting = [p.test_ref for p in view.populations.rows if p.result is not IpeResult.RELIABLE]
    assert len(waiting) == 5  # four not assessed, one assessed not reliable
    assert f"Not assessed or not reliable: {waiting[0]}, {waiting[1]} and 3 more." in view.summary.text()
