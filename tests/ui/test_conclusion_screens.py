"""Concluding a requirement in the app: progress beside the conclusion, refusals said in place, the navigator."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from fieldwork.app.domain.ids import TestId
from fieldwork.app.domain.judgements import CriterionConclusion
from fieldwork.app.domain.records import ControlInput, DeviationInput, SampleItemInput, TestPlan
from fieldwork.app.domain.vocabulary import Conclusion, Method, SampleResult, TestKind
from fieldwork.app.services import controls, deviations, findings, soa, testing
from fieldwork.app.services.conclusions import get_conclusion
from fieldwork.ui.context import Target
from fieldwork.ui.models.navigator import NODE_ROLE
from fieldwork.ui.views.findings import FindingsView
from fieldwork.ui.views.requirement import RequirementView
from fieldwork.ui.workspace import Workspace
from tests.sampling_helpers import assess_population
from tests.ui.driving import choose, open_page, write

MET = CriterionConclusion.MET
MET_WITH_EXCEPTIONS = CriterionConclusion.MET_WITH_EXCEPTIONS


def change_approval(workspace: Workspace, *, deviation: bool = False) -> TestId:
    """C-001 serving CC8.1: a concluded test of design and an open operating test of three items."""
    db = workspace.ctx.db
    made = controls.create_control(db, ControlInput("Change approval"), ["CC8.1"])
    design = testing.add_test(db, made.ref, TestPlan(TestKind.DESIGN, "Walkthrough", (Method.INSPECTION,)))
    testing.conclude(db, design.id, Conclusion.NO_EXCEPTIONS)
    test = testing.add_test(db, made.ref, TestPlan(TestKind.OPERATING, "Inspected", (Method.INSPECTION,)))
    last = SampleResult.DEVIATION if deviation else SampleResult.NO_EXCEPTION
    items = [
        SampleItemInput("CHG-1", result=SampleResult.NO_EXCEPTION),
        SampleItemInput("CHG-2", result=last, deviation_text="No approval" if deviation else ""),
    ]
    testing.add_sample_items(db, test.id, items)
    return test.id


def requirement_page(workspace: Workspace, code: str) -> RequirementView:
    workspace.reload()  # the set-up above went around the app
    return open_page(workspace, Target("requirement", code), RequirementView)


def navigator_conclusion(workspace: Workspace, code: str) -> str:
    index = workspace._find(Target("requirement", code))
    text: str = index.siblingAtColumn(2).data()
    return text


def test_met_is_refused_in_place_while_a_test_is_open_then_recorded(workspace: Workspace) -> None:
    db = workspace.ctx.db
    test_id = change_approval(workspace)
    view = requirement_page(workspace, "CC8.1")
    box = view.conclusion
    assert "In progress" in view.progress.status.text() and "1 concluded" in view.progress.detail.text()

    choose(box.kind, MET)
    assert box.problem.text() == "Not recorded: Write its basis for CC8.1."
    write(box.basis, "C-001 tested on 2 changes without exception.")
    assert box.problem.text() == "Not recorded: CC8.1 cannot be concluded met: C-001.T2 is not concluded."
    assert box.kind.value() is MET and box.basis.toPlainText().startswith("C-001 tested"), "what was entered stays"
    assert get_conclusion(db, "CC8.1").conclusion is CriterionConclusion.NOT_CONCLUDED

    assess_population(db, test_id)
    testing.conclude(db, test_id, Conclusion.NO_EXCEPTIONS)
    view = requirement_page(workspace, "CC8.1")
    choose(view.conclusion.kind, MET)
    write(view.conclusion.basis, "C-001 tested on 2 changes without exception.")
    stored = get_conclusion(db, "CC8.1")
    assert (stored.conclusion, stored.basis) == (MET, "C-001 tested on 2 changes without exception.")
    assert view.conclusion.problem.text() == "" and view.conclusion.unsupported.text() == ""
    assert navigator_conclusion(workspace, "CC8.1") == "Met"


def test_met_with_exceptions_cites_the_deviation_ticked_and_a_later_one_is_flagged(workspace: Workspace) -> None:
    db = workspace.ctx.db
    test_id = change_approval(workspace, deviation=True)
    found = deviations.add_deviation(db, test_id, DeviationInput("1 of 2 changes lacked approval."))
    testing.conclude(db, test_id, Conclusion.EXCEPTIONS)
    other = controls.create_control(db, ControlInput("Post-deployment review"), ["CC7.1"])
    box = requirement_page(workspace, "CC8.1").conclusion
    assert box.deviations.refs() == [found.ref]
    assert [c.ref for c in box.page.compensating] == [other.ref] if box.page else False

    write(box.basis, "Isolated; the change was reviewed after deployment by C-002.")
    choose(box.kind, MET_WITH_EXCEPTIONS)
    box.deviations.tick(found.ref)
    box.compensating.tick(other.ref)
    stored = get_conclusion(db, "CC8.1")
    assert (stored.conclusion, stored.deviations, stored.compensating_controls) == (
        MET_WITH_EXCEPTIONS,
        (found.ref,),
        (other.ref,),
    )
    assert box.deviations.chosen_refs() == [found.ref], "the page shows what is stored"

    # Met is refused while the deviation stands.
    choose(box.kind, MET)
    assert "C-001.T2.D1 was found; conclude met with exceptions" in box.problem.text()
    assert get_conclusion(db, "CC8.1").conclusion is MET_WITH_EXCEPTIONS


def test_a_conclusion_the_file_no_longer_supports_is_flagged_on_the_page_and_in_the_navigator(
    demo_workspace: Workspace, qtmodeltester: ModelTester
) -> None:
    db = demo_workspace.ctx.db
    assert navigator_conclusion(demo_workspace, "CC1.2") == "Met"
    test = next(t for t in testing.list_tests(db) if t.control_ref == "C-002" and t.kind is TestKind.OPERATING)
    deviations.add_deviation(db, test.id, DeviationInput("A board meeting's minutes were not approved."))
    view = requirement_page(demo_workspace, "CC1.2")
    assert view.conclusion.unsupported.text() == (
        "⚠ Concluded met, but C-002.T2.D1 was found; conclude met with exceptions."
    )
    assert navigator_conclusion(demo_workspace, "CC1.2") == "⚠ Met"
    index = demo_workspace._find(Target("requirement", "CC1.2"))
    assert "Not supported: C-002.T2.D1 was found" in index.data(Qt.ItemDataRole.ToolTipRole)
    qtmodeltester.check(demo_workspace.model)
    demo_workspace.filter.setText("unsupported")
    assert [t.key for t in demo_workspace.requirement_order()] == ["CC1.2"], "the filter finds unsupported ones"


def test_an_excluded_annex_a_control_shows_its_justification_and_no_editor(demo_workspace: Workspace) -> None:
    line = next(s for s in soa.list_soa(demo_workspace.ctx.db) if not s.included)
    view = requirement_page(demo_workspace, line.annex_code)
    assert line.justification in view.conclusion.excluded.text()
    assert not view.conclusion.editor.isVisible()
    assert navigator_conclusion(demo_workspace, line.annex_code) == "Excluded"


def test_the_iso_findings_raised_against_a_requirement_open_in_the_register(
    demo_workspace: Workspace, qtmodeltester: ModelTester
) -> None:
    view = requirement_page(demo_workspace, "8.4")
    assert [(f.ref, f.kind.label) for f in view.findings.rows] == [("F-002", "Major nonconformity")]
    assert view.tabs.isTabVisible(2) and view.tabs.tabText(2).endswith("(1)")
    qtmodeltester.check(view.findings)
    view.findings_table.activated.emit(view.findings.index(0, 0))
    register = demo_workspace.views["findings"]
    assert isinstance(register, FindingsView) and demo_workspace.stack.currentWidget() is register
    current = register._current()
    assert current is not None and current.finding.ref == "F-002", "the finding is selected"
    assert demo_workspace.tree.currentIndex().data(NODE_ROLE).label == "Findings register"
    soc2 = requirement_page(demo_workspace, "CC8.1")
    assert not soc2.tabs.isTabVisible(2), "SOC 2 results are deviations, not findings"
    assert findings.list_findings(demo_workspace.ctx.db)


def test_a_reload_read_before_the_last_save_does_not_undo_what_was_just_ticked(workspace: Workspace) -> None:
    db = workspace.ctx.db
    test_id = change_approval(workspace, deviation=True)
    found = deviations.add_deviation(db, test_id, DeviationInput("1 of 2 changes lacked approval."))
    testing.conclude(db, test_id, Conclusion.EXCEPTIONS)
    view = requirement_page(workspace, "CC8.1")
    stale = view.page
    assert stale is not None
    box = view.conclusion
    box.saves.started()  # a save the worker has not answered yet
    box.deviations.tick(found.ref)  # saved and reloaded at once here; the reload leaves the tick alone
    box.show_page(stale)  # a reload read before the save in flight
    assert box.deviations.chosen_refs() == [found.ref] and box.saves.busy
    box.saves.finished()
    box.show_page(stale)
    assert box.deviations.chosen_refs() == [], "once nothing is in flight, the page shows what is stored"
