"""The AI system inventory, its links and impact assessments, and the coverage matrix with its gaps."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldwork.app.domain.ai_systems import (
    AiRole,
    AiSystemInput,
    Component,
    GapKind,
    ImpactAssessmentInput,
    LifeCycleStage,
)
from fieldwork.app.domain.ids import AiSystemId
from fieldwork.app.domain.judgements import FindingInput, FindingKind
from fieldwork.app.domain.records import Control, ControlInput, DeviationInput, TestPlan
from fieldwork.app.domain.vocabulary import Conclusion, Method, Status, TestKind
from fieldwork.app.errors import ValidationError
from fieldwork.app.pages.ai_systems import ai_systems_page
from fieldwork.app.services import ai_systems as inventory
from fieldwork.app.services import controls, deviations, evidence, findings, testing
from fieldwork.app.services.ai_systems import LinkKind
from fieldwork.app.services.history import list_history
from fieldwork.app.services.impact_assessments import add_assessment, update_assessment
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.storage.schema import control_ai_system, impact_assessment, test_ai_system

DEPLOYED = AiSystemInput(
    name="Churn Predictor",
    purpose="Scores customers' likelihood to cancel.",
    roles=(AiRole.DEVELOPER, AiRole.PROVIDER),
    affected="Customers offered retention deals.",
    stage=LifeCycleStage.DEPLOYED,
    design_on=date(2025, 3, 1),
    deployed_on=date(2026, 3, 2),
    models=(Component("Gradient boosting v2", "trained in-house"),),
    datasets=(Component("Billing history", "customer data under the DPA"),),
    owner="Head of Data",
)
APPROVED = ImpactAssessmentInput(
    assessed_on=date(2026, 2, 10), assessor="Responsible AI lead", approved_by="CTO", approved_on=date(2026, 2, 20)
)


def gaps_of(db: EngagementFile, name: str) -> dict[GapKind, str]:
    page = ai_systems_page(db)
    found = next(c for c in page.overview.coverage if c.system.name == name)
    return {gap.kind: gap.text for gap in found.gaps}


def linked(db: EngagementFile, system_id: AiSystemId, *codes: str, title: str = "Control") -> Control:
    """A new control serving `codes`, added to the system's controls (linking sets them all at once)."""
    made = controls.create_control(db, ControlInput(title), codes)
    with db.reading() as conn:
        already = inventory.read_system(conn, system_id).control_ids
    inventory.link_system(db, system_id, LinkKind.CONTROL, [*already, made.id])
    return made


# --- the inventory -------------------------------------------------------------------------------------------


def test_a_system_is_kept_with_every_field_and_recorded(engagement: EngagementFile) -> None:
    made = inventory.create_system(engagement, DEPLOYED)
    assert made.ref == "AI-01" and made.as_input() == DEPLOYED
    again = inventory.create_system(engagement, AiSystemInput("Support Chatbot", in_scope=False, scope_reason="Pilot"))
    assert again.ref == "AI-02" and not again.in_scope
    assert [s.name for s in inventory.list_systems(engagement)] == ["Churn Predictor", "Support Chatbot"]
    created = [e for e in list_history(engagement) if e.item_type == "ai_system" and e.action == "create"]
    assert len(created) == 2 and created[-1].new_values["models"] == [
        {"name": "Gradient boosting v2", "provenance": "trained in-house"}
    ]


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"name": "  "}, "Give the AI system its name."),
        ({"deployed_on": None}, "Give the date Churn Predictor was deployed"),
        (
            {"stage": LifeCycleStage.VERIFICATION},
            "at the verification and validation stage but has a date for deployed",
        ),
        ({"design_on": date(2026, 4, 1)}, "deployed (2026-03-02) cannot come before design (2026-04-01)"),
        ({"in_scope": False}, "Say why Churn Predictor is outside the scope"),
    ],
)
def test_what_cannot_be_right_is_refused_with_a_sentence(
    engagement: EngagementFile, change: dict[str, object], said: str
) -> None:
    with pytest.raises(ValidationError, match=said.replace("(", r"\(").replace(")", r"\)")):
        inventory.create_system(engagement, replace(DEPLOYED, **change))  # type: ignore[arg-type]
    assert inventory.list_systems(engagement) == []


def test_a_name_is_one_system_whatever_its_case(engagement: EngagementFile) -> None:
    made = inventory.create_system(engagement, DEPLOYED)
    with pytest.raises(ValidationError, match="already has an AI system named churn predictor"):
        inventory.create_system(engagement, replace(DEPLOYED, name="churn  predictor"))
    renamed = inventory.update_system(engagement, made.id, replace(DEPLOYED, name="Churn Predictor v2"))
    assert renamed.name == "Churn Predictor v2" and renamed.ref == "AI-01"
    with engagement.reading() as conn:
        assert inventory.find_system(conn, "churn predictor V2") == made.id == inventory.find_system(conn, "ai-01")


# --- links ---------------------------------------------------------------------------------------------------


def test_controls_tests_findings_and_evidence_link_to_a_system(engagement: EngagementFile, tmp_path: Path) -> None:
    system = inventory.create_system(engagement, DEPLOYED)
    other = inventory.create_system(engagement, replace(DEPLOYED, name="Pricing Model"))
    monitoring = controls.create_control(engagement, ControlInput("Drift monitoring"), ["A.6.2.6"])
    test = testing.add_test(engagement, monitoring.ref, TestPlan(TestKind.OPERATING, methods=(Method.INSPECTION,)))
    with pytest.raises(ValidationError, match=f"{test.ref} tests {monitoring.ref}, which is not linked"):
        inventory.link_system(engagement, system.id, LinkKind.TEST, [test.id])
    inventory.link_system(engagement, system.id, LinkKind.CONTROL, [monitoring.id])
    inventory.link_system(engagement, system.id, LinkKind.TEST, [test.id])
    raised = findings.create_finding(
        engagement,
        FindingInput(FindingKind.OBSERVATION, "Drift alerts are not triaged.", ("A.6.2.6",), ai_systems=(system.id,)),
    )
    note = tmp_path / "monitoring dashboard.png"
    note.write_bytes(b"png")
    evidence.attach_files(engagement, [note], [evidence.Link(evidence.LinkKind.AI_SYSTEM, system.id)])

    listed = {s.name: s for s in inventory.list_systems(engagement)}
    found = listed["Churn Predictor"]
    assert found.controls == (monitoring.ref,) and found.tests == (test.ref,) and found.findings == (raised.ref,)
    assert found.evidence == ("E-0001",) and listed["Pricing Model"].controls == ()
    assert raised.ai_systems == ("Churn Predictor",)
    assert evidence.list_evidence(engagement)[0].used_by == ("AI-01",)
    kept = findings.update_finding(
        engagement, raised.id, FindingInput(FindingKind.OBSERVATION, "Reworded.", ("A.6.2.6",))
    )
    assert kept.ai_systems == ("Churn Predictor",), "a caller that does not name systems leaves them as they were"
    moved = findings.update_finding(
        engagement, raised.id, FindingInput(FindingKind.OBSERVATION, "Reworded.", ("A.6.2.6",), ai_systems=(other.id,))
    )
    assert moved.ai_systems == ("Pricing Model",)


def test_unlinking_a_control_takes_its_tests_links_and_deleting_a_system_takes_everything_of_it(
    engagement: EngagementFile, tmp_path: Path
) -> None:
    system = inventory.create_system(engagement, DEPLOYED)
    made = linked(engagement, system.id, "A.6.2.6")
    test = testing.add_test(engagement, made.ref, TestPlan(TestKind.DESIGN, methods=(Method.INSPECTION,)))
    inventory.link_system(engagement, system.id, LinkKind.TEST, [test.id])
    inventory.link_system(engagement, system.id, LinkKind.CONTROL, [])
    assert inventory.list_systems(engagement)[0].tests == ()
    inventory.link_system(engagement, system.id, LinkKind.CONTROL, [made.id])
    add_assessment(engagement, system.id, APPROVED)
    note = tmp_path / "ia.pdf"
    note.write_bytes(b"%PDF")
    evidence.attach_files(engagement, [note], [evidence.Link(evidence.LinkKind.AI_SYSTEM, system.id)])

    inventory.delete_system(engagement, system.id)
    assert inventory.list_systems(engagement) == [] and ai_systems_page(engagement).overview.assessments == ()
    with engagement.reading() as conn:
        for table in (control_ai_system, impact_assessment, test_ai_system):
            assert conn.execute(select(table).where(table.c.deleted_at.is_(None))).first() is None, table.name
    assert evidence.list_evidence(engagement)[0].used_by == (), "the file stays in the library, unlinked"
    deleted = {e.item_type for e in list_history(engagement) if e.action == "delete"}
    assert {"ai_system", "control_ai_system", "impact_assessment", "evidence_link"} <= deleted


# --- impact assessments and the gaps -------------------------------------------------------------------------


def test_an_assessment_needs_its_approval_whole_and_in_order(engagement: EngagementFile) -> None:
    system = inventory.create_system(engagement, DEPLOYED)
    with pytest.raises(ValidationError, match="both who approved the impact assessment and when"):
        add_assessment(engagement, system.id, replace(APPROVED, approved_by=""))
    with pytest.raises(ValidationError, match="cannot be approved before it was performed"):
        add_assessment(engagement, system.id, replace(APPROVED, approved_on=date(2026, 2, 1)))
    with pytest.raises(ValidationError, match="Say who performed"):
        add_assessment(engagement, system.id, replace(APPROVED, assessor=" "))


def test_a_system_in_production_before_its_first_approved_assessment_is_flagged_late(
    engagement: EngagementFile,
) -> None:
    system = inventory.create_system(engagement, DEPLOYED)
    assert GapKind.NO_IMPACT_ASSESSMENT in gaps_of(engagement, "Churn Predictor")
    draft = add_assessment(engagement, system.id, replace(APPROVED, approved_by="", approved_on=None))
    assert "1 recorded, none approved" in gaps_of(engagement, "Churn Predictor")[GapKind.NO_IMPACT_ASSESSMENT]
    update_assessment(
        engagement, draft.id, replace(APPROVED, assessed_on=date(2026, 4, 1), approved_on=date(2026, 4, 12))
    )
    late = gaps_of(engagement, "Churn Predictor")
    assert GapKind.NO_IMPACT_ASSESSMENT not in late
    assert late[GapKind.LATE_IMPACT_ASSESSMENT] == (
        "Churn Predictor reached production on 2026-03-02; its first impact assessment was approved on 2026-04-12, "
        "41 days later."
    )
    add_assessment(engagement, system.id, APPROVED)  # an earlier approval found: it came before production
    assert GapKind.LATE_IMPACT_ASSESSMENT not in gaps_of(engagement, "Churn Predictor")


def test_monitoring_and_human_oversight_are_the_annex_a_controls_they_serve(engagement: EngagementFile) -> None:
    system = inventory.create_system(engagement, DEPLOYED)
    add_assessment(engagement, system.id, APPROVED)
    assert set(gaps_of(engagement, "Churn Predictor")) == {GapKind.NO_MONITORING, GapKind.NO_HUMAN_OVERSIGHT}
    controls.create_control(engagement, ControlInput("Monitoring of every model"), ["A.6.2.6"])
    assert GapKind.NO_MONITORING in gaps_of(engagement, "Churn Predictor"), "a control linked to no system covers none"
    linked(engagement, system.id, "9.1", title="AIMS performance report")
    assert GapKind.NO_MONITORING in gaps_of(engagement, "Churn Predictor"), "9.1 measures the AIMS, not the system"
    linked(engagement, system.id, "A.6.2.6", title="Drift alerts")
    linked(engagement, system.id, "A.9.4", title="Human review before a retention offer")
    assert gaps_of(engagement, "Churn Predictor") == {}


@pytest.mark.parametrize(
    "change",
    [
        {"deployed_on": date(2027, 1, 5)},  # live after the period
        {
            "stage": LifeCycleStage.RETIRED,
            "design_on": None,
            "deployed_on": date(2024, 1, 1),
            "retired_on": date(2025, 6, 30),
        },
        {"stage": LifeCycleStage.DEVELOPMENT, "deployed_on": None},
        {"in_scope": False, "scope_reason": "Internal tool outside the AIMS"},
    ],
    ids=["after the period", "retired before it", "not yet deployed", "out of scope"],
)
def test_only_a_system_in_scope_and_in_production_in_the_period_is_flagged(
    engagement: EngagementFile, change: dict[str, object]
) -> None:
    inventory.create_system(engagement, replace(DEPLOYED, **change))  # type: ignore[arg-type]
    coverage = ai_systems_page(engagement).overview.coverage
    assert all(not found.gaps for found in coverage)
    assert [c.system.name for c in coverage] == ([] if change.get("in_scope") is False else ["Churn Predictor"])


def test_a_system_retired_in_the_period_is_still_judged(engagement: EngagementFile) -> None:
    retired = replace(DEPLOYED, stage=LifeCycleStage.RETIRED, retired_on=date(2026, 8, 27))
    inventory.create_system(engagement, retired)
    page = ai_systems_page(engagement)
    assert page.overview.coverage[0].in_production and GapKind.NO_MONITORING in gaps_of(engagement, "Churn Predictor")


# --- the coverage matrix -------------------------------------------------------------------------------------


def test_a_cell_is_covered_tested_and_resulted_by_the_systems_own_controls_and_tests(
    engagement: EngagementFile,
) -> None:
    churn = inventory.create_system(engagement, DEPLOYED)
    pricing = inventory.create_system(engagement, replace(DEPLOYED, name="Pricing Model"))
    gate = controls.create_control(engagement, ControlInput("Release gate"), ["8.1", "A.6.2.5"])
    for system in (churn, pricing):
        inventory.link_system(engagement, system.id, LinkKind.CONTROL, [gate.id])
    plan = TestPlan(TestKind.DESIGN, methods=(Method.INSPECTION,))
    design = testing.add_test(engagement, gate.ref, plan)
    testing.conclude(engagement, design.id, Conclusion.NO_EXCEPTIONS)
    of_pricing = testing.add_test(engagement, gate.ref, plan)
    inventory.link_system(engagement, pricing.id, LinkKind.TEST, [of_pricing.id])
    deviations.add_deviation(engagement, of_pricing.id, DeviationInput("The pricing release skipped the gate."))

    matrix = {c.system.name: c for c in ai_systems_page(engagement).overview.coverage}
    cell = matrix["Churn Predictor"].cell("A.6.2.5")
    assert cell.controls == (gate.ref,) and cell.tests == (design.ref,) and cell.status is Status.CONCLUDED
    assert cell.result == "Tested, no exceptions", "a test naming another system does not count for this one"
    priced = matrix["Pricing Model"].cell("A.6.2.5")
    assert priced.tests == (design.ref, of_pricing.ref) and priced.status is Status.EXCEPTIONS
    assert matrix["Pricing Model"].with_exceptions == 2 and matrix["Churn Predictor"].with_exceptions == 0
    untouched = matrix["Churn Predictor"].cell("A.6.2.6")
    assert not untouched.covered and untouched.result == "Not covered"
    assert [r.code for r in ai_systems_page(engagement).overview.requirements][:4] == ["8.1", "8.2", "8.3", "8.4"]


def test_exceptions_a_finding_attributes_to_another_system_are_not_this_ones(engagement: EngagementFile) -> None:
    churn = inventory.create_system(engagement, DEPLOYED)
    pricing = inventory.create_system(engagement, replace(DEPLOYED, name="Pricing Model"))
    gate = controls.create_control(engagement, ControlInput("Impact assessment before release"), ["8.4"])
    for system in (churn, pricing):
        inventory.link_system(engagement, system.id, LinkKind.CONTROL, [gate.id])
    test = testing.add_test(engagement, gate.ref, TestPlan(TestKind.DESIGN, methods=(Method.INSPECTION,)))
    found = deviations.add_deviation(engagement, test.id, DeviationInput("Pricing Model went live unassessed."))
    testing.conclude(engagement, test.id, Conclusion.EXCEPTIONS)
    statement = FindingInput(FindingKind.MAJOR, "No assessment before release.", ("8.4",), deviations=(found.id,))
    both = {c.system.name: c.cell("8.4").status for c in ai_systems_page(engagement).overview.coverage}
    assert both == {"Churn Predictor": Status.EXCEPTIONS, "Pricing Model": Status.EXCEPTIONS}
    findings.create_finding(engagement, replace(statement, ai_systems=(pricing.id,)))
    after = {c.system.name: c.cell("8.4").status for c in ai_systems_page(engagement).overview.coverage}
    assert after == {"Churn Predictor": Status.CONCLUDED, "Pricing Model": Status.EXCEPTIONS}


# --- the demo ------------------------------------------------------------------------------------------------


def test_the_demo_has_its_four_systems_one_late_and_one_retired(demo: EngagementFile) -> None:
    page = ai_systems_page(demo)
    systems = {s.name: s for s in page.systems}
    assert list(systems) == ["Match Score", "Résumé Parser", "Skills Graph", "Interview Summary Assistant"]
    assert systems["Skills Graph"].stage is LifeCycleStage.RETIRED and systems["Skills Graph"].retired_on == date(
        2026, 8, 27
    )
    gaps = {(c.system.name, gap.kind) for c in page.overview.coverage for gap in c.gaps}
    assert gaps == {("Interview Summary Assistant", GapKind.LATE_IMPACT_ASSESSMENT)}
    late = page.coverage_of(systems["Interview Summary Assistant"].id)
    assert late is not None and late.assessment.late_by_days == 42
    assert late.assessment.first_approved_on == date(2026, 4, 28) and late.in_production
    assert all(c.in_production for c in page.overview.coverage), "the Skills Graph ran until August 2026"
    assert "Interview Summary Assistant" in page.overview.systems_concerned("8.4")
    f002 = next(f for f in page.findings if f.ref == "F-002")
    assert f002.id in systems["Interview Summary Assistant"].finding_ids
    skills = systems["Skills Graph"]
    assert [t.ref for t in page.tests_for(skills)][:2] == ["C-021.T1", "C-021.T2"] and skills.tests == ("C-046.T2",)
