"""Information produced by the entity: a clean conclusion needs its population assessed (unless the rule is switched
off, with the reason), the imported population file is kept as evidence, and key reports are assessed too."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from fieldwork.app.domain.ipe import IpeInput, IpeResult, IpeSubject
from fieldwork.app.domain.records import ControlInput, SampleItemInput, TestPlan
from fieldwork.app.domain.sampling import PopulationSource
from fieldwork.app.domain.vocabulary import Conclusion, Method, SampleResult, TestKind
from fieldwork.app.errors import ValidationError
from fieldwork.app.services import controls, ipe, population, testing
from fieldwork.app.services import evidence as ev
from fieldwork.app.services.history import list_history
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.tasks import Cancelled, Task
from tests.sampling_helpers import RELIABLE, operating_test, write_csv

UNASSESSED = "cannot conclude 'No exceptions noted' while the completeness and accuracy of its population"


def sampled_test(db: EngagementFile, population_size: int | None = 40) -> int:
    """An operating test with a clean sample of three, ready to conclude."""
    test_id = operating_test(db)
    plan = TestPlan(TestKind.OPERATING, "Inspected approvals", (Method.INSPECTION,), "Merged changes", population_size)
    testing.update_plan(db, test_id, plan)
    items = [SampleItemInput(f"CHG-{n}", result=SampleResult.NO_EXCEPTION) for n in range(3)]
    testing.add_sample_items(db, test_id, items)
    return test_id


def test_a_clean_conclusion_is_refused_until_the_population_is_assessed(engagement: EngagementFile) -> None:
    test_id = sampled_test(engagement)
    with pytest.raises(ValidationError, match=UNASSESSED):
        testing.conclude(engagement, test_id, Conclusion.NO_EXCEPTIONS)
    assert testing.get_test(engagement, test_id).conclusion is None
    testing.conclude(engagement, test_id, Conclusion.EXCEPTIONS, "Exceptions need no reliance on the listing.")
    assessed = ipe.assess_population(engagement, test_id, RELIABLE)
    assert assessed.assessed and assessed.subject is IpeSubject.POPULATION and assessed.ref == "IPE-001"
    concluded = testing.conclude(engagement, test_id, Conclusion.NO_EXCEPTIONS)
    assert concluded.conclusion is Conclusion.NO_EXCEPTIONS


def test_a_population_found_not_complete_and_accurate_cannot_support_a_clean_conclusion(
    engagement: EngagementFile,
) -> None:
    test_id = sampled_test(engagement)
    ipe.assess_population(engagement, test_id, replace(RELIABLE, result=IpeResult.NOT_RELIABLE))
    with pytest.raises(ValidationError, match="population found not complete and accurate"):
        testing.conclude(engagement, test_id, Conclusion.NO_EXCEPTIONS)


def test_switching_the_rule_off_needs_the_reason_and_records_it(engagement: EngagementFile) -> None:
    test_id = sampled_test(engagement)
    with pytest.raises(ValidationError, match="Say why tests may conclude without assessing their populations"):
        ipe.set_rule(engagement, False, "  ")
    reason = "Firm policy QM-12: populations below 50 items are agreed in full to the source system instead."
    rule = ipe.set_rule(engagement, False, reason)
    assert not rule.required and rule.reason == reason
    change = list_history(engagement, 1)[0]
    assert change.item_type == "engagement" and change.new_values == {
        "require_ipe": False,
        "require_ipe_reason": reason,
    }
    assert testing.conclude(engagement, test_id, Conclusion.NO_EXCEPTIONS).conclusion is Conclusion.NO_EXCEPTIONS
    register = ipe.register(engagement)
    [shown] = register.populations
    assert not shown.assessed and shown.concluded_clean, "concluded without an assessment: shown, not hidden"
    assert ipe.set_rule(engagement, True, "ignored when on").reason == ""


def test_an_assessment_a_clean_conclusion_rests_on_is_not_cleared_or_deleted(engagement: EngagementFile) -> None:
    test_id = sampled_test(engagement)
    found = ipe.assess_population(engagement, test_id, RELIABLE)
    testing.conclude(engagement, test_id, Conclusion.NO_EXCEPTIONS)
    for attempt in (
        lambda: ipe.assess_population(engagement, test_id, replace(RELIABLE, result=None)),
        lambda: ipe.delete_assessment(engagement, found.id),
    ):
        with pytest.raises(ValidationError, match="concluded 'No exceptions noted' on this assessment"):
            attempt()
    testing.conclude(engagement, test_id, None)
    ipe.delete_assessment(engagement, found.id)
    assert ipe.register(engagement).populations[0].assessment is None


def test_a_result_needs_the_source_the_report_and_the_procedures(engagement: EngagementFile) -> None:
    test_id = sampled_test(engagement)
    bare = IpeInput(result=IpeResult.RELIABLE)
    with pytest.raises(ValidationError, match="Record the source system, the query or report and the completeness"):
        ipe.assess_population(engagement, test_id, bare)
    draft = ipe.assess_population(engagement, test_id, IpeInput(source_system="Jira"))
    assert not draft.assessed and draft.values.source_system == "Jira", "work in progress is kept without a result"


def test_only_a_listing_is_information_to_assess(engagement: EngagementFile) -> None:
    annual = sampled_test(engagement, population_size=1)
    testing.conclude(engagement, annual, Conclusion.NO_EXCEPTIONS)  # one occurrence: no listing relied on
    design = testing.add_test(engagement, "C-001", TestPlan(TestKind.DESIGN, "Walkthrough", (Method.INSPECTION,)))
    with pytest.raises(ValidationError, match="is a test of design"):
        ipe.assess_population(engagement, design.id, RELIABLE)
    unknown = sampled_test(engagement, population_size=None)
    assert [p.test_id for p in ipe.register(engagement).populations] == [unknown], "size not known: relied on"


def test_the_imported_population_file_is_kept_as_evidence_in_the_same_change(
    engagement: EngagementFile, tmp_path: Path
) -> None:
    test_id = operating_test(engagement)
    path = write_csv(tmp_path / "changes.csv", ["Ticket", "Opened"], [("CHG-1", "2026-03-01"), ("CHG-2", "2026-03-02")])
    found = population.import_population(engagement, test_id, PopulationSource(path), "Ticket", "Opened")
    [kept] = ev.list_evidence(engagement)
    assert kept.original_name == "changes.csv" and kept.sha256 == found.source_sha256
    assert kept.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    [assessment] = ipe.register(engagement).populations
    assert assessment.assessment is not None and not assessment.assessed
    assert set(kept.used_by) == {testing.get_test(engagement, test_id).ref, assessment.assessment.ref}
    assert assessment.assessment.evidence == (kept.ref,)

    again = population.import_population(engagement, test_id, PopulationSource(path), "Ticket", "Opened")
    assert again.source_sha256 == found.source_sha256 and len(ev.list_evidence(engagement)) == 1, "not stored twice"


def test_replacing_an_assessed_population_asks_for_its_assessment_again(
    engagement: EngagementFile, tmp_path: Path
) -> None:
    test_id = operating_test(engagement)
    first = write_csv(tmp_path / "first.csv", ["Ticket"], [("CHG-1",), ("CHG-2",)])
    population.import_population(engagement, test_id, PopulationSource(first), "Ticket")
    ipe.assess_population(engagement, test_id, RELIABLE)
    second = write_csv(tmp_path / "second.csv", ["Ticket"], [("CHG-1",), ("CHG-2",), ("CHG-3",)])
    population.import_population(engagement, test_id, PopulationSource(second), "Ticket")
    [state] = ipe.register(engagement).populations
    assert not state.assessed and state.assessment is not None
    assert state.assessment.values.procedures == RELIABLE.procedures, "what was done stays, to be redone"
    assert len(state.assessment.evidence) == 2, "both files, each the evidence of what it was"


def test_a_cancelled_import_keeps_neither_the_rows_nor_the_file(engagement: EngagementFile, tmp_path: Path) -> None:
    test_id = operating_test(engagement)
    rows = [(f"CHG-{n}", "x" * 100) for n in range(20_000)]  # over 1 MiB: the file is stored in chunks
    path = write_csv(tmp_path / "big.csv", ["Ticket", "Notes"], rows)
    task = Task(lambda done, total, label: task.cancel() if "big.csv" in label else None)
    with pytest.raises(Cancelled):
        population.import_population(engagement, test_id, PopulationSource(path), "Ticket", task=task)
    assert population.get_population(engagement, test_id) is None
    assert ev.list_evidence(engagement) == [] and ipe.register(engagement).populations[0].assessment is None


def test_a_key_report_is_assessed_and_goes_with_its_control(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Quarterly access review"), ["CC6.2"])
    with pytest.raises(ValidationError, match="Name the report the control relies on"):
        ipe.add_key_report(engagement, made.id, RELIABLE)
    report = ipe.add_key_report(engagement, made.id, replace(RELIABLE, name="Okta user listing"))
    assert report.subject is IpeSubject.REPORT and report.label == f"{made.ref}: Okta user listing"
    assert ipe.register(engagement).reports == (report,)
    controls.delete_control(engagement, made.id)
    assert ipe.register(engagement).reports == ()


def test_the_demo_has_most_populations_assessed_and_its_clean_tests_rest_on_them(demo: EngagementFile) -> None:
    register = ipe.register(demo)
    assert register.rule.required and len(register.populations) == 48
    assert register.assessed == 44 and len(register.reports) == 3
    clean = [p for p in register.populations if p.concluded_clean]
    assert clean and all(p.result is IpeResult.RELIABLE for p in clean), "the demo holds nothing the rule refuses"
    assert [p.test_ref for p in register.populations if p.result is IpeResult.NOT_RELIABLE] == ["C-068.T2"]
