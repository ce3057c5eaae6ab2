"""Conclusions, findings, misstatements and the opinion: the judgements the report rests on."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from fieldwork.app.cli.main import main
from fieldwork.app.domain.ids import ControlId, TestId
from fieldwork.app.domain.judgements import (
    ConclusionInput,
    CriterionConclusion,
    DeviationNature,
    FindingInput,
    FindingKind,
    FindingStatus,
    MisstatementInput,
    OpinionArea,
    OpinionJudgement,
)
from fieldwork.app.domain.records import ControlInput, DeviationInput, SampleItemInput, TestPlan
from fieldwork.app.domain.vocabulary import (
    Conclusion,
    ImplementationStatus,
    Method,
    Opinion,
    SampleResult,
    Status,
    TestKind,
)
from fieldwork.app.errors import ValidationError
from fieldwork.app.services import controls, deviations, findings, soa, status, testing
from fieldwork.app.services.conclusions import get_conclusion, list_conclusions, set_conclusion
from fieldwork.app.services.misstatements import add_misstatement
from fieldwork.app.services.opinion import opinion_worksheet, record_opinion
from fieldwork.app.storage.engagement_file import EngagementFile
from tests.sampling_helpers import assess_population

MET = CriterionConclusion.MET
MET_WITH_EXCEPTIONS = CriterionConclusion.MET_WITH_EXCEPTIONS
NOT_MET = CriterionConclusion.NOT_MET


def control_with_tests(db: EngagementFile, codes: list[str], *, deviation: bool = False) -> tuple[ControlId, TestId]:
    """A control linked to `codes` with a concluded design test and an operating test of 3 items."""
    made = controls.create_control(db, ControlInput("Change approval"), codes)
    design = testing.add_test(db, made.ref, TestPlan(TestKind.DESIGN, "Walkthrough", (Method.INSPECTION,)))
    testing.conclude(db, design.id, Conclusion.NO_EXCEPTIONS)
    test = testing.add_test(db, made.ref, TestPlan(TestKind.OPERATING, "Inspected", (Method.INSPECTION,)))
    results = [SampleResult.NO_EXCEPTION] * 2 + [SampleResult.DEVIATION if deviation else SampleResult.NO_EXCEPTION]
    texts = ["", "", "No approval" if deviation else ""]
    items = [
        SampleItemInput(f"CHG-{n}", result=r, deviation_text=t)
        for n, (r, t) in enumerate(zip(results, texts, strict=True))
    ]
    testing.add_sample_items(db, test.id, items)
    return made.id, test.id


def conclude_clean(db: EngagementFile, test_id: TestId) -> None:
    assess_population(db, test_id)
    testing.conclude(db, test_id, Conclusion.NO_EXCEPTIONS)


# --- conclusions per requirement -----------------------------------------------------------------


def test_met_is_refused_while_a_linked_test_is_open_and_allowed_once_it_concludes(engagement: EngagementFile) -> None:
    _control, test_id = control_with_tests(engagement, ["CC8.1", "A.6.2.5"])
    with pytest.raises(ValidationError, match=r"CC8\.1 cannot be concluded met: C-001\.T2 is not concluded"):
        set_conclusion(engagement, "CC8.1", ConclusionInput(MET, "Tested."))
    conclude_clean(engagement, test_id)
    concluded = set_conclusion(engagement, "CC8.1", ConclusionInput(MET, "C-001 tested without exception."))
    assert (concluded.conclusion, concluded.progress, concluded.controls) == (MET, Status.CONCLUDED, ("C-001",))
    assert concluded.unsupported == ""


def test_met_is_refused_with_deviations_but_met_with_exceptions_cites_them(engagement: EngagementFile) -> None:
    _control, test_id = control_with_tests(engagement, ["CC8.1"], deviation=True)
    found = deviations.add_deviation(engagement, test_id, DeviationInput("1 of 3 changes lacked approval."))
    testing.conclude(engagement, test_id, Conclusion.EXCEPTIONS)
    with pytest.raises(ValidationError, match=r"C-001\.T2\.D1 was found; conclude met with exceptions"):
        set_conclusion(engagement, "CC8.1", ConclusionInput(MET, "Tested."))
    concluded = set_conclusion(engagement, "CC8.1", ConclusionInput(MET_WITH_EXCEPTIONS, "Isolated; reviewed later."))
    assert concluded.deviations == (found.ref,), "the deviations of the linked tests are cited when none are named"


def test_a_conclusion_no_longer_supported_says_why_without_being_changed(engagement: EngagementFile) -> None:
    _control, test_id = control_with_tests(engagement, ["CC8.1"])
    conclude_clean(engagement, test_id)
    set_conclusion(engagement, "CC8.1", ConclusionInput(MET, "Tested."))
    deviations.add_deviation(engagement, test_id, DeviationInput("Found on a second look."))
    later = get_conclusion(engagement, "CC8.1")
    assert later.conclusion is MET and "C-001.T2.D1 was found" in later.unsupported
    worksheet = opinion_worksheet(engagement)
    assert any("CC8.1 is concluded met, but" in reason for reason in worksheet.reasons)


def test_a_soc2_criterion_can_be_not_relevant_with_its_reason_an_iso_requirement_cannot(
    engagement: EngagementFile,
) -> None:
    with pytest.raises(ValidationError, match="why it is not relevant"):
        set_conclusion(engagement, "CC6.4", ConclusionInput(CriterionConclusion.NOT_RELEVANT, ""))
    reason = "The system has no physical premises: it runs entirely at the carved-out subservice organization."
    found = set_conclusion(engagement, "CC6.4", ConclusionInput(CriterionConclusion.NOT_RELEVANT, reason))
    assert (found.conclusion, found.basis) == (CriterionConclusion.NOT_RELEVANT, reason)
    with pytest.raises(ValidationError, match="Only a SOC 2 criterion can be not relevant"):
        set_conclusion(engagement, "7.3", ConclusionInput(CriterionConclusion.NOT_RELEVANT, reason))


def test_an_annex_a_control_is_excluded_in_the_soa_not_by_conclusion(engagement: EngagementFile) -> None:
    soa.set_soa_line(
        engagement,
        "A.10.4",
        included=False,
        justification="No customers use AI outputs.",
        implementation_status=ImplementationStatus.NOT_APPLICABLE,
    )
    found = get_conclusion(engagement, "A.10.4")
    assert found.conclusion is CriterionConclusion.EXCLUDED
    with pytest.raises(ValidationError, match="excluded in the Statement of Applicability"):
        set_conclusion(engagement, "A.10.4", ConclusionInput(NOT_MET, "x"))
    with pytest.raises(ValidationError, match="excluded in the Statement of Applicability"):
        set_conclusion(engagement, "A.9.4", ConclusionInput(CriterionConclusion.EXCLUDED, "x"))


def test_one_conclusion_per_requirement_in_scope(engagement: EngagementFile) -> None:
    found = list_conclusions(engagement)
    codes = [c.code for c in found]
    assert len(codes) == len(set(codes)) == len(status.requirement_statuses(engagement))
    assert {c.conclusion for c in found} == {CriterionConclusion.NOT_CONCLUDED}
    assert "A1.2" in codes and "C1.1" not in codes, "SOC 2 criteria of the categories in scope only"


# --- deviations evaluated ------------------------------------------------------------------------


def test_a_deviation_names_its_sample_items_and_gives_n_of_n(engagement: EngagementFile) -> None:
    _control, test_id = control_with_tests(engagement, ["CC8.1"], deviation=True)
    items = testing.list_sample_items(engagement, test_id)
    evaluated = DeviationInput(
        "1 of 3 changes lacked approval.",
        sample_items=(items[2].id,),
        nature=DeviationNature.OVERRIDE,
        expected_deviations=0,
        extended=True,
        extension_result="5 more changes sampled: no further deviation.",
        evaluation="An override during an incident; isolated.",
    )
    found = deviations.add_deviation(engagement, test_id, evaluated)
    assert (found.sample_items, found.rate_label, found.nature) == (("#3",), "1 of 3 (33.3%)", DeviationNature.OVERRIDE)
    other = control_with_tests(engagement, ["CC8.1"])[1]
    foreign = testing.list_sample_items(engagement, other)[0].id
    with pytest.raises(ValidationError, match="sample items of its own test"):
        deviations.update_deviation(engagement, found.id, replace(evaluated, sample_items=(foreign,)))
    with pytest.raises(ValidationError, match="what the extended sample showed"):
        deviations.update_deviation(engagement, found.id, replace(evaluated, extension_result=""))
    testing.delete_sample_items(engagement, [items[2].id])
    assert deviations.list_deviations(engagement, test_id)[0].sample_items == (), "the link goes with the item"


# --- the findings register -------------------------------------------------------------------------


def test_an_opportunity_for_improvement_never_touches_a_soc2_test(engagement: EngagementFile) -> None:
    _control, test_id = control_with_tests(engagement, ["CC8.1", "8.1"])
    conclude_clean(engagement, test_id)
    findings.create_finding(
        engagement,
        FindingInput(FindingKind.OFI, "Change tickets could link the AI model version.", ("8.1",)),
    )
    assert testing.get_test(engagement, test_id).status is Status.CONCLUDED
    assert testing.get_test(engagement, test_id).conclusion is Conclusion.NO_EXCEPTIONS
    states = status.requirement_statuses(engagement)
    assert states["CC8.1"].status is Status.CONCLUDED and states["8.1"].status is Status.CONCLUDED
    assert set_conclusion(engagement, "8.1", ConclusionInput(MET, "Tested.")).findings == ("F-001",)


def test_a_finding_needs_no_test_counts_once_and_is_raised_against_iso_requirements(
    engagement: EngagementFile,
) -> None:
    raised = findings.create_finding(
        engagement,
        FindingInput(
            FindingKind.MAJOR,
            "No management review was held in the period.",
            ("9.3",),
            objective_evidence="Committee minutes index; inquiry of the CAIO.",
        ),
    )
    assert (raised.ref, raised.requirements, raised.deviations, raised.status) == (
        "F-001",
        ("9.3",),
        (),
        FindingStatus.OPEN,
    )
    assert [c.code for c in list_conclusions(engagement) if c.findings] == ["9.3"], "never rolled up to parents"
    with pytest.raises(ValidationError, match="SOC 2 criterion"):
        findings.create_finding(engagement, FindingInput(FindingKind.MINOR, "x", ("CC8.1",)))
    with pytest.raises(ValidationError, match="requirement"):
        findings.create_finding(engagement, FindingInput(FindingKind.MINOR, "x", ()))


def test_a_nonconformity_moves_through_clause_10_2_only_with_what_each_step_needs(engagement: EngagementFile) -> None:
    opened = findings.create_finding(engagement, FindingInput(FindingKind.MINOR, "Alert not acted on.", ("9.1",)))
    planned = FindingInput(
        FindingKind.MINOR,
        "Alert not acted on.",
        ("9.1",),
        status=FindingStatus.ACTION_PLANNED,
        root_cause="No backup analyst.",
        corrective_action="Name a backup.",
        owner="ML Platform Lead",
    )
    with pytest.raises(ValidationError, match="a due date"):
        findings.update_finding(engagement, opened.id, planned)
    planned = replace(planned, due_date=date(2026, 7, 31))
    findings.update_finding(engagement, opened.id, planned)
    with pytest.raises(ValidationError, match="who verified"):
        findings.update_finding(engagement, opened.id, replace(planned, status=FindingStatus.CLOSED))
    verified = replace(
        planned,
        status=FindingStatus.CLOSED,
        verified_by="Owen Castellano",
        verified_on=date(2026, 10, 16),
        verification="Three later alerts each had a ticket within the SLA.",
    )
    closed = findings.update_finding(engagement, opened.id, verified)
    assert closed.status is FindingStatus.CLOSED and closed.closed_on == date.today() and not closed.open
    with pytest.raises(ValidationError, match="open or closed"):
        findings.create_finding(
            engagement, FindingInput(FindingKind.OBSERVATION, "x", ("9.1",), status=FindingStatus.ACTION_PLANNED)
        )


def test_deleting_a_deviation_removes_it_from_the_findings_and_conclusions_that_cited_it(
    engagement: EngagementFile,
) -> None:
    _control, test_id = control_with_tests(engagement, ["CC8.1", "8.1"], deviation=True)
    found = deviations.add_deviation(engagement, test_id, DeviationInput("1 of 3 lacked approval."))
    testing.conclude(engagement, test_id, Conclusion.EXCEPTIONS)
    raised = findings.create_finding(
        engagement, FindingInput(FindingKind.MINOR, "Change not approved.", ("8.1",), deviations=(found.id,))
    )
    set_conclusion(engagement, "CC8.1", ConclusionInput(MET_WITH_EXCEPTIONS, "Isolated."))
    deviations.delete_deviation(engagement, found.id)
    assert findings.get_finding(engagement, raised.ref).deviations == ()
    assert get_conclusion(engagement, "CC8.1").deviations == ()


# --- the opinion -----------------------------------------------------------------------------------


def test_the_proposal_follows_the_conclusions_and_a_departure_needs_its_reason(engagement: EngagementFile) -> None:
    _control, test_id = control_with_tests(engagement, ["CC8.1"], deviation=True)
    deviations.add_deviation(engagement, test_id, DeviationInput("3 of 3 lacked approval: none was approved."))
    testing.conclude(engagement, test_id, Conclusion.EXCEPTIONS)
    set_conclusion(engagement, "CC8.1", ConclusionInput(NOT_MET, "No change in the sample was approved."))
    worksheet = opinion_worksheet(engagement)
    assert worksheet.proposed(OpinionArea.OPERATION) is Opinion.QUALIFIED
    assert worksheet.proposed(OpinionArea.DESIGN) is Opinion.UNMODIFIED
    assert worksheet.proposed(OpinionArea.DESCRIPTION) is Opinion.UNMODIFIED
    assert any("operating effectiveness: the opinion recorded is unmodified" in r.lower() for r in worksheet.reasons)

    unmodified = OpinionJudgement(OpinionArea.OPERATION, Opinion.UNMODIFIED, "", False, "")
    with pytest.raises(ValidationError, match="proposes qualified on operating effectiveness"):
        record_opinion(engagement, unmodified)
    qualified = OpinionJudgement(OpinionArea.OPERATION, Opinion.QUALIFIED, "CC8.1 was not met.", False, "")
    assert not any("recorded is" in r for r in record_opinion(engagement, qualified).reasons)
    adverse = replace(qualified, kind=Opinion.ADVERSE, pervasive=True)
    after = record_opinion(engagement, adverse)
    assert after.proposed(OpinionArea.OPERATION) is Opinion.ADVERSE, "pervasive matters make it adverse"
    departing = replace(qualified, departure_reason="The engagement partner judged the matter not pervasive.")
    record_opinion(engagement, replace(departing, pervasive=True))


def test_a_scope_limitation_and_a_material_misstatement_modify_their_own_areas(engagement: EngagementFile) -> None:
    set_conclusion(
        engagement,
        "CC7.5",
        ConclusionInput(CriterionConclusion.NOT_CONCLUDED, "The recovery test records were destroyed in a flood."),
    )
    add_misstatement(engagement, MisstatementInput("DC4", "Omits the February outage.", material=True))
    add_misstatement(engagement, MisstatementInput("DC1", "A product name is out of date.", corrected=True))
    worksheet = opinion_worksheet(engagement)
    assert worksheet.proposed(OpinionArea.DESCRIPTION) is Opinion.QUALIFIED
    assert worksheet.proposed(OpinionArea.OPERATION) is Opinion.QUALIFIED
    assert Counter(m.kind for m in worksheet.matters)["misstatement"] == 1, "a corrected one does not weigh"
    record_opinion(engagement, OpinionJudgement(OpinionArea.OPERATION, Opinion.DISCLAIMER, "Records lost.", True, ""))
    assert opinion_worksheet(engagement).proposed(OpinionArea.OPERATION) is Opinion.DISCLAIMER


def test_a_type1_report_has_no_opinion_on_operating_effectiveness(tmp_path: Path) -> None:
    from fieldwork.app.domain.vocabulary import ReportType
    from fieldwork.app.services.engagement import create_engagement
    from tests.conftest import TEAM, type2_details

    db, _ = create_engagement(
        tmp_path / "t1.fieldwork", type2_details(report_type=ReportType.TYPE1, as_of_date=date(2026, 6, 30)), TEAM
    )
    try:
        worksheet = opinion_worksheet(db)
        assert [r.area for r in worksheet.recorded] == [OpinionArea.DESCRIPTION, OpinionArea.DESIGN]
        with pytest.raises(ValidationError, match="no opinion on operating effectiveness"):
            record_opinion(db, OpinionJudgement(OpinionArea.OPERATION, Opinion.QUALIFIED, "x", False, "y"))
    finally:
        db.close()


# --- the demo, as the issue tried it ----------------------------------------------------------------


def test_the_demo_shows_six_deviations_and_each_iso_finding_once(
    demo: EngagementFile, capsys: pytest.CaptureFixture[str]
) -> None:
    demo.close()
    assert main(["info", str(demo.path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["counts"]["deviations"] == 6
    refs = [f["ref"] for f in doc["findings"]]
    assert len(refs) == len(set(refs)) == 7
    late = next(f for f in doc["findings"] if "Interview Summary Assistant" in f["statement"])
    assert (late["kind"], late["requirements"]) == ("major_nonconformity", ["8.4", "A.5.2"])
    assert Counter(f["kind"] for f in doc["findings"])["major_nonconformity"] == 2
    unrelated_to_tests = next(f for f in doc["findings"] if f["requirements"] == ["9.3"])
    assert unrelated_to_tests["deviations"] == []
    conclusions = {c["requirement"]: c for c in doc["conclusions"]}
    assert len(conclusions) == sum(len(v["in_scope"]) + len(v["excluded"]) for v in doc["coverage"].values())
    assert conclusions["9.3"]["conclusion"] == "not_met" and conclusions["A.7.3"]["conclusion"] == "excluded"
    opinion = doc["opinion"]
    assert opinion["supported"] is False and opinion["reasons"][0].startswith("9 tests open")
    assert (opinion["recorded"], opinion["proposed"]) == ("qualified", "qualified")


def test_the_demo_draft_says_what_does_not_support_its_opinion(demo: EngagementFile, tmp_path: Path) -> None:
    from pypdf import PdfReader

    from fieldwork.app.exports.dataset import gather
    from fieldwork.app.exports.pdf_report import write_report
    from fieldwork.app.tasks import Task

    target = tmp_path / "draft.pdf"
    write_report(gather(demo), target, Task())
    cover = " ".join(PdfReader(target).pages[0].extract_text().split())
    assert "Opinion (draft) Qualified [basis not yet supported: 9 tests open" in cover
