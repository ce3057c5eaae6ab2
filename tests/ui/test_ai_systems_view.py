"""The AI systems page and the test page's fairness runs, used the way an auditor does."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from fieldwork.app.domain.ai_systems import LifeCycleStage
from fieldwork.app.domain.records import ControlInput
from fieldwork.app.services import ai_systems, controls, testing
from fieldwork.app.services.ai_inventory_import import InventoryField
from fieldwork.ui.context import Target
from fieldwork.ui.dialogs.ai_system import AiSystemDialog
from fieldwork.ui.dialogs.choose_links import ChooseLinksDialog
from fieldwork.ui.dialogs.fairness_run import FairnessRunDialog
from fieldwork.ui.dialogs.impact_assessment import ImpactAssessmentDialog
from fieldwork.ui.dialogs.inventory_import import InventoryImportDialog
from fieldwork.ui.views.ai_systems import AiSystemsView
from fieldwork.ui.views.control_test import ControlTestView
from fieldwork.ui.views.evidence import EvidenceView
from fieldwork.ui.workspace import Workspace

PAGE = Target("ai_systems")


def ai_view(workspace: Workspace, target: Target = PAGE) -> AiSystemsView:
    workspace.open_target(target)
    view = workspace.views["ai_systems"]
    assert isinstance(view, AiSystemsView)
    return view


def test_the_demo_inventory_shows_the_late_assessment_and_the_matrix(demo_workspace: Workspace, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    node = next(n for n in demo_workspace.model.root.children if n.target == Target("ai_systems"))
    assert [child.label for child in node.children][-1] == "AI-04 Interview Summary Assistant"
    late = ai_systems.list_systems(demo_workspace.db)[3]
    view = ai_view(demo_workspace, Target("ai_systems", late.id))
    for model in (view.systems, view.matrix, view.assessments, view.linked_controls):
        qtmodeltester.check(model)
    assert view.systems.rowCount() == 4 and view.selected() == late, "opened from the navigator, it is chosen"
    assert "1 gap(s) flagged" in view.summary.text()
    assert (
        "In production before its impact assessment." in view.details.text() and "42 days later" in view.details.text()
    )
    assert view.assessments.rows[0].reference == "IA-2026-007"
    shade = view.assessments.data(view.assessments.index(0, 0), Qt.ItemDataRole.BackgroundRole)
    assert shade is not None, "the late approval is highlighted"
    assert view.linked_findings.rows[0].ref == "F-002"
    assert [view.matrix.headerData(n, Qt.Orientation.Horizontal) for n in range(2, 6)] == [
        "Match Score",
        "Résumé Parser",
        "Skills Graph",
        "Interview Summary Assistant",
    ]
    row = view.matrix.row_of("8.4")
    assert view.matrix.index(row, 5).data() == "C-021: Tested, exceptions"
    assert view.matrix.index(row, 2).data() == "C-021: Tested, no exceptions", "the finding names another system"
    assert "42 days later" in view.gap_list.text()


def test_an_auditor_adds_a_system_its_assessment_and_its_controls(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = ai_view(workspace)
    assert view.systems.rowCount() == 0 and not view.detail_tabs.isEnabled()

    def fill(dialog: AiSystemDialog) -> int:
        dialog.name.setText("Churn Predictor")
        dialog.stage.load(LifeCycleStage.DEPLOYED)
        dialog._accept()
        assert "Give the date Churn Predictor was deployed" in dialog.error.text(), "refused in the dialog"
        dialog.dates[LifeCycleStage.DEPLOYED].is_set.setChecked(True)
        dialog.dates[LifeCycleStage.DEPLOYED].picker.load(date(2026, 3, 2))
        dialog._accept()
        return dialog.result()

    monkeypatch.setattr(AiSystemDialog, "exec", fill)
    view.new_system()
    assert [s.name for s in view.systems.rows] == ["Churn Predictor"] and view.selected() is not None
    assert "No approved impact assessment" in view.details.text()

    def assess(dialog: ImpactAssessmentDialog) -> int:
        dialog.assessed_on.load(date(2026, 4, 1))
        dialog.assessor.setText("Risk office")
        dialog.approved_by.setText("CTO")
        dialog.approved_on.is_set.setChecked(True)
        dialog.approved_on.picker.load(date(2026, 4, 3))
        dialog._accept()
        return dialog.result()

    monkeypatch.setattr(ImpactAssessmentDialog, "exec", assess)
    view.add_assessment()
    assert view.assessments.rowCount() == 1 and "32 days later" in view.details.text()

    made = controls.create_control(workspace.db, ControlInput("Drift alerts"), ["A.6.2.6"])
    workspace.reload()  # as after any change made elsewhere in the app

    def tick(dialog: ChooseLinksDialog) -> int:
        dialog.filter.setText("drift")
        shown = [dialog.list.item(n) for n in range(dialog.list.count()) if not dialog.list.item(n).isHidden()]
        assert [item.text() for item in shown] == [f"{made.ref}  Drift alerts"]
        shown[0].setCheckState(Qt.CheckState.Checked)
        return 1

    monkeypatch.setattr(ChooseLinksDialog, "exec", tick)
    view.choose_controls()
    assert [c.ref for c in view.linked_controls.rows] == [made.ref]
    assert "No monitoring" not in view.details.text() and "No human oversight documented" in view.details.text()


def test_the_clients_inventory_is_imported_through_the_preview(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "inventory.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["AI System", "Purpose", "Risk tier", "Go-live date"])
        writer.writerow(["Churn Predictor", "Scores churn.", "High", "2026-03-02"])
        writer.writerow(["Support Chatbot", "Answers tickets.", "Low", ""])
    view = ai_view(workspace)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))

    def confirm(dialog: InventoryImportDialog) -> int:
        assert dialog.shown is not None and dialog.shown.columns == (
            "AI System",
            "Purpose",
            "Risk tier",
            "Go-live date",
        )
        assert dialog.columns[InventoryField.NAME].currentText() == "AI System"
        assert dialog.columns[InventoryField.DEPLOYED_ON].currentText() == "Go-live date"
        assert dialog.columns[InventoryField.OWNER].currentText() == "(not in the file)"
        return 1

    monkeypatch.setattr(InventoryImportDialog, "exec", confirm)
    view.import_inventory()
    assert [(s.name, s.stage) for s in view.systems.rows] == [
        ("Churn Predictor", LifeCycleStage.DEPLOYED),
        ("Support Chatbot", LifeCycleStage.DESIGN),
    ]


def test_the_test_page_shows_its_stored_fairness_runs_and_runs_another(
    demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    test = testing.get_test(demo_workspace.db, "C-022.T2")
    demo_workspace.open_target(Target("test", test.id))
    view = demo_workspace.views["test"]
    assert isinstance(view, ControlTestView)
    panel = view.fairness
    assert panel.runs.count() == 2 and panel.groups.rowCount() in (2, 7)
    panel.runs.setCurrentIndex(next(n for n in range(2) if "race_ethnicity" in panel.runs.itemText(n)))
    panel._show_run()
    assert panel.groups.rows[0].group == "Asian" and "No group is below four fifths" in panel.summary.text()
    assert "Small groups (American Indian or Alaska Native" in panel.summary.text()

    decisions = tmp_path / "decisions.csv"
    with decisions.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Applicant", "Gender", "Decision"])
        writer.writerows([[f"A{n}", "F" if n % 2 else "M", "Advance" if n % 10 == 0 else "Reject"] for n in range(100)])
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(decisions), ""))

    def choose(dialog: FairnessRunDialog) -> int:
        assert dialog.group_column.currentText() == "Gender" and dialog.outcome_column.currentText() == "Decision"
        dialog.favourable.setText("advance")
        return 1

    monkeypatch.setattr(FairnessRunDialog, "exec", choose)
    panel.reperform()
    assert panel.runs.count() == 3 and "decisions.csv" in panel.runs.itemText(0)
    assert [g.group for g in panel.groups.rows] == ["M", "F"] and panel.groups.rows[1].favourable == 0
    assert "Below four fifths of M's rate: F." in panel.summary.text()


def test_a_file_used_by_an_ai_system_says_so_in_the_library_and_opens_it(demo_workspace: Workspace) -> None:
    demo_workspace.open_target(Target("evidence"))
    library = demo_workspace.views["evidence"]
    assert isinstance(library, EvidenceView)
    found = next(f for f in library.model.rows if f.original_name.startswith("2026 bias audit"))
    library.table.selectRow(library.model.row_of(found.id))
    kinds = [library.uses.index(row, 1).data() for row in range(library.uses.rowCount())]
    assert [u.ref for u in library.uses.rows] == ["C-022.T2", "PBC-011", "AI-01"] and kinds[-1] == "AI system"
    library.uses_table.doubleClicked.emit(library.uses.index(2, 0))
    view = demo_workspace.views["ai_systems"]
    assert isinstance(view, AiSystemsView) and demo_workspace.stack.currentWidget() is view
    chosen = view.selected()
    assert chosen is not None and chosen.name == "Match Score" and found.ref in chosen.evidence
