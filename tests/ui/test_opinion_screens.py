"""The opinion worksheet and the dashboard in the app: record an opinion, see what does not support it, open
what each matter names, keep the description's misstatements."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from fieldwork.app.domain.judgements import CriterionConclusion, FindingKind, OpinionArea
from fieldwork.app.domain.vocabulary import Framework, Opinion, ReportType
from fieldwork.app.services import findings, misstatements, testing
from fieldwork.app.services.conclusions import list_conclusions
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.services.opinion import opinion_worksheet
from fieldwork.ui.context import Target
from fieldwork.ui.views.control_test import ControlTestView
from fieldwork.ui.views.dashboard import DashboardView
from fieldwork.ui.views.findings import FindingsView
from fieldwork.ui.views.opinion import OpinionView
from fieldwork.ui.workspace import Workspace
from tests.conftest import TEAM, type2_details
from tests.ui.conftest import shown_workspace
from tests.ui.driving import choose, open_page, write
from tests.ui.test_evidence_views import click

DEPARTS = "The auditor judges the management review failure severe enough to affect every AI criterion."


def worksheet_page(workspace: Workspace) -> OpinionView:
    return open_page(workspace, Target("opinion"), OpinionView)


def test_an_opinion_that_departs_from_the_proposal_needs_its_reason(demo_workspace: Workspace) -> None:
    db = demo_workspace.ctx.db
    view = worksheet_page(demo_workspace)
    assert "does not support the opinion recorded (3)" in view.reasons.text.text()
    assert "9 tests open" in view.reasons.text.text()
    operation = view.areas[OpinionArea.OPERATION]
    assert (
        "ISO/IEC 42001: <b" in operation.proposal.text() and "Qualified</b> — 9.3, 9.3.1" in operation.proposal.text()
    )

    choose(operation.kind, Opinion.ADVERSE)
    assert operation.problem.text() == (
        "Not recorded: The file proposes qualified on operating effectiveness: record that, "
        "or say why the opinion departs from it."
    )
    assert "(needed)" in operation.departure_label.text()
    assert opinion_worksheet(db).recorded_for(OpinionArea.OPERATION).kind is Opinion.QUALIFIED

    write(operation.departure, DEPARTS)
    recorded = opinion_worksheet(db).recorded_for(OpinionArea.OPERATION)
    assert (recorded.kind, recorded.departure_reason) == (Opinion.ADVERSE, DEPARTS)
    assert operation.problem.text() == ""
    assert "9 tests open" in view.reasons.text.text(), "the open work still leaves the opinion unsupported"
    assert view.summary.text().count("Adverse") == 1, "the opinion recorded overall is the most severe"

    description = view.areas[OpinionArea.DESCRIPTION]
    write(description.departure, "Testing the description found a matter management will correct.")
    choose(description.kind, Opinion.QUALIFIED)
    assert description.problem.text().startswith("Not recorded: A qualified opinion needs its basis")
    assert opinion_worksheet(db).recorded_for(OpinionArea.DESCRIPTION).kind is Opinion.UNMODIFIED


def test_pervasive_matters_change_the_proposal(demo_workspace: Workspace) -> None:
    db = demo_workspace.ctx.db
    view = worksheet_page(demo_workspace)
    operation = view.areas[OpinionArea.OPERATION]
    write(operation.departure, "Pervasive: the AIMS was never reviewed by top management.")
    choose(operation.kind, Opinion.ADVERSE)
    operation.pervasive.setChecked(True)
    worksheet = opinion_worksheet(db)
    assert worksheet.recorded_for(OpinionArea.OPERATION).pervasive
    assert worksheet.proposed(OpinionArea.OPERATION) is Opinion.ADVERSE
    assert "Adverse</b>" in view.areas[OpinionArea.OPERATION].proposal.text()
    assert "(needed)" not in operation.departure_label.text(), "adverse is now what the file proposes"


def test_each_matter_opens_what_it_names(demo_workspace: Workspace, qtmodeltester: ModelTester) -> None:
    db = demo_workspace.ctx.db
    view = worksheet_page(demo_workspace)
    qtmodeltester.check(view.matters)
    qtmodeltester.check(view.misstatements)
    groups = [m.kind.label for m in view.matters.rows]
    assert groups[0] == "Criteria not met" and groups[-1] == "Open major nonconformities"
    row = next(i for i, m in enumerate(view.matters.rows) if m.text.startswith("C-025.T1 is open"))
    view.matter_table.activated.emit(view.matters.index(row, 1))
    page = demo_workspace.views["test"]
    assert isinstance(page, ControlTestView) and page.page is not None
    assert page.page.test.id == testing.get_test(db, "C-025.T1").id

    view = worksheet_page(demo_workspace)
    row = next(i for i, m in enumerate(view.matters.rows) if m.text.startswith("F-007 "))
    view.matter_table.activated.emit(view.matters.index(row, 1))
    register = demo_workspace.views["findings"]
    assert isinstance(register, FindingsView)
    current = register._current()
    assert current is not None and current.finding.ref == "F-007"

    view = worksheet_page(demo_workspace)
    row = next(i for i, m in enumerate(view.matters.rows) if m.text.startswith("9.3 "))
    view.matter_table.activated.emit(view.matters.index(row, 1))
    assert demo_workspace.current == Target("requirement", "9.3")


def test_a_material_misstatement_is_recorded_and_qualifies_the_description(demo_workspace: Workspace) -> None:
    db = demo_workspace.ctx.db
    view = worksheet_page(demo_workspace)
    before = len(view.misstatements.rows)
    click(view, "Add misstatement...")
    dialog = view.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.section.setCurrentIndex(dialog.section.findData("DC3"))
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.isVisible() and dialog.error.text() == "Say what the description misstates."
    dialog.description.setPlainText("The description says every model release is approved by the board; none was.")
    dialog.material.setChecked(True)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert not dialog.isVisible()
    made = next(m for m in misstatements.list_misstatements(db) if m.section == "DC3")
    assert made.material and not made.corrected and len(view.misstatements.rows) == before + 1
    assert view.tabs.tabText(1).endswith(f"({before + 1})")
    description = view.areas[OpinionArea.DESCRIPTION]
    assert "Qualified</b> — " + made.ref in description.proposal.text()
    assert "(needed)" in description.departure_label.text(), "unmodified now departs from the proposal"
    assert any(
        reason.startswith("Description of the system: the opinion recorded is unmodified")
        for reason in (opinion_worksheet(db).reasons)
    )
    row = next(i for i, m in enumerate(view.matters.rows) if m.key == made.id)
    view.matter_table.activated.emit(view.matters.index(row, 1))
    assert view.tabs.currentIndex() == 1
    assert view.misstatement_table.selectionModel().selectedRows()[0].row() == view.misstatements.row_of(made.id)

    click(view, "Edit...")  # the one selected: management corrects it
    assert view.dialog is not None and view.dialog.description.toPlainText() == made.description
    view.dialog.corrected.setChecked(True)
    view.dialog.buttons.button(view.dialog.buttons.StandardButton.Save).click()
    assert next(m for m in misstatements.list_misstatements(db) if m.id == made.id).corrected
    assert made.id not in {m.key for m in view.matters.rows}, "a corrected misstatement no longer bears on it"


def test_the_dashboard_counts_the_judgements_and_opens_the_worksheet(demo_workspace: Workspace) -> None:
    db = demo_workspace.ctx.db
    view = open_page(demo_workspace, Target("dashboard"), DashboardView)
    every = list_conclusions(db)
    iso_met = sum(c.conclusion is CriterionConclusion.MET and c.framework is Framework.ISO42001 for c in every)
    assert f"ISO/IEC 42001: {iso_met} met," in view.conclusion_counts.text()
    not_met = sum(c.conclusion is CriterionConclusion.NOT_MET for c in every)
    assert f"{not_met} not met" in view.conclusion_counts.text()
    majors = sum(f.kind is FindingKind.MAJOR and f.open for f in findings.list_findings(db))
    assert view.open_findings.text().startswith(f"{majors} major nonconformities")
    assert "not supported by the file</b> (3 reasons)" in view.opinion.text()
    view.opinion.linkActivated.emit("opinion")
    assert demo_workspace.current == Target("opinion")
    view.open_findings.linkActivated.emit("findings")
    assert demo_workspace.current == Target("findings")


def test_a_type1_worksheet_has_no_operating_effectiveness(qtbot: QtBot, tmp_path: Path) -> None:
    details = type2_details(report_type=ReportType.TYPE1, as_of_date=date(2026, 6, 30))
    db, _ = create_engagement(tmp_path / "t1.fieldwork", details, TEAM)
    try:
        view = worksheet_page(shown_workspace(qtbot, db))
        assert view.areas[OpinionArea.DESIGN].isVisible()
        assert not view.areas[OpinionArea.OPERATION].isVisible()
        assert "SOC 2 Type 1" in view.summary.text()
    finally:
        db.close()
