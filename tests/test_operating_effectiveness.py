"""A Type 2 examination tests operating effectiveness: design work alone never concludes a control, and a
control that did not operate in the period is concluded as such, on evidence, and reported in SOC 2 words."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from fieldwork.app.domain.records import ControlInput, DeviationInput, SampleItemInput, TestPlan
from fieldwork.app.domain.sampling import PopulationSource
from fieldwork.app.domain.vocabulary import Conclusion, Method, ReportType, SampleResult, Status, TestKind
from fieldwork.app.errors import ValidationError
from fieldwork.app.exports.dataset import gather
from fieldwork.app.exports.report.figures import NOT_OPERATED
from fieldwork.app.services import controls, deviations, status, testing
from fieldwork.app.services.engagement import get_details, update_details
from fieldwork.app.services.population import import_population
from fieldwork.app.storage.engagement_file import EngagementFile
from tests.test_pdf_report import body_of, flat
from tests.xlsx_reading import export as export_workbook
from tests.xlsx_reading import records

DESIGN = TestPlan(TestKind.DESIGN, "Walked one retirement through the checklist.", (Method.INQUIRY, Method.INSPECTION))
EMPTY_POPULATION = TestPlan(
    TestKind.OPERATING,
    "Inspected the model registry audit log for the period for any retirement.",
    (Method.INSPECTION,),
    "AI systems retired in the period, per the model registry audit log",
    0,
)
WHY = "The registry audit log for the whole period shows no retirement."


def designed_control(db: EngagementFile) -> int:
    """A control linked to CC6.5 and A.6.1.3 whose test of design has concluded clean; returns its id."""
    made = controls.create_control(db, ControlInput("AI system retirement procedure"), ["CC6.5", "A.6.1.3"])
    test = testing.add_test(db, made.ref, DESIGN)
    testing.conclude(db, test.id, Conclusion.NO_EXCEPTIONS)
    return made.id


def control_status(db: EngagementFile, control_id: int) -> Status:
    with db.reading() as conn:
        return status.control_statuses(conn, get_details(db).report_type)[control_id]


def test_a_type2_control_tested_for_design_only_is_not_concluded(engagement: EngagementFile) -> None:
    control_id = designed_control(engagement)
    assert control_status(engagement, control_id) is Status.IN_PROGRESS
    states = status.requirement_statuses(engagement)
    for code in ("CC6.5", "A.6.1.3"):
        assert states[code].status is Status.IN_PROGRESS and states[code].tests_concluded == 1
        assert states[code].awaiting_operating_test == 1
        assert "awaiting a test of operating effectiveness" in states[code].awaiting_note


def test_in_a_type1_examination_design_alone_concludes(engagement: EngagementFile) -> None:
    control_id = designed_control(engagement)
    type1 = replace(get_details(engagement), report_type=ReportType.TYPE1, as_of_date=date(2026, 6, 30))
    update_details(engagement, type1)
    assert control_status(engagement, control_id) is Status.CONCLUDED
    state = status.requirement_statuses(engagement)["CC6.5"]
    assert state.status is Status.CONCLUDED and state.awaiting_operating_test == 0 and state.awaiting_note == ""


def test_a_control_that_did_not_operate_concludes_on_an_empty_population(engagement: EngagementFile) -> None:
    control_id = designed_control(engagement)
    ref = controls.get_control(engagement, control_id).ref
    test = testing.add_test(engagement, ref, EMPTY_POPULATION)
    concluded = testing.conclude(engagement, test.id, Conclusion.NOT_OPERATED, WHY)
    assert concluded.conclusion is Conclusion.NOT_OPERATED and concluded.status is Status.CONCLUDED
    assert control_status(engagement, control_id) is Status.CONCLUDED
    state = status.requirement_statuses(engagement)["A.6.1.3"]
    assert state.status is Status.CONCLUDED and state.awaiting_operating_test == 0


@pytest.mark.parametrize(
    ("kind", "population", "note", "message"),
    [
        (TestKind.DESIGN, None, WHY, "only a test of operating effectiveness"),
        (TestKind.OPERATING, 14, WHY, "records a population of 14"),
        (TestKind.OPERATING, None, WHY, "record the population as 0 items first"),
        (TestKind.OPERATING, 0, "  ", "how you established that the control did not operate"),
    ],
)
def test_did_not_operate_is_refused_where_it_cannot_hold(
    engagement: EngagementFile, kind: TestKind, population: int | None, note: str, message: str
) -> None:
    made = controls.create_control(engagement, ControlInput("Retirement"), ["CC6.5"])
    plan = DESIGN if kind is TestKind.DESIGN else replace(EMPTY_POPULATION, population_size=population)
    test = testing.add_test(engagement, made.ref, plan)
    with pytest.raises(ValidationError, match=message):
        testing.conclude(engagement, test.id, Conclusion.NOT_OPERATED, note)
    assert testing.get_test(engagement, test.id).conclusion is None


def test_did_not_operate_is_refused_while_the_test_holds_sample_items(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Retirement"), ["CC6.5"])
    test = testing.add_test(engagement, made.ref, EMPTY_POPULATION)
    testing.add_sample_items(engagement, test.id, [SampleItemInput("RET-1")])
    with pytest.raises(ValidationError, match=r"holds 1 sample item\(s\), so the control did operate"):
        testing.conclude(engagement, test.id, Conclusion.NOT_OPERATED, WHY)


def not_operated_test(db: EngagementFile) -> int:
    made = controls.create_control(db, ControlInput("Retirement"), ["CC6.5"])
    test = testing.add_test(db, made.ref, EMPTY_POPULATION)
    testing.conclude(db, test.id, Conclusion.NOT_OPERATED, WHY)
    return test.id


def reopened(db: EngagementFile, test_id: int) -> bool:
    found = testing.get_test(db, test_id)
    return found.conclusion is None and found.conclusion_note == WHY


def test_a_sample_item_added_later_reopens_the_conclusion(engagement: EngagementFile) -> None:
    test_id = not_operated_test(engagement)
    testing.add_sample_items(engagement, test_id, [SampleItemInput("RET-1", result=SampleResult.NO_EXCEPTION)])
    assert reopened(engagement, test_id) and testing.get_test(engagement, test_id).status is Status.IN_PROGRESS


def test_a_population_recorded_later_reopens_the_conclusion(engagement: EngagementFile) -> None:
    test_id = not_operated_test(engagement)
    testing.update_plan(engagement, test_id, replace(EMPTY_POPULATION, population_size=3))
    assert reopened(engagement, test_id)


def test_a_population_imported_later_reopens_the_conclusion(engagement: EngagementFile, tmp_path: Path) -> None:
    test_id = not_operated_test(engagement)
    source = tmp_path / "retirements.csv"
    source.write_text("System,Retired on\nScreen v1,2026-03-02\n", encoding="utf-8")
    import_population(engagement, test_id, PopulationSource(source), "System")
    assert reopened(engagement, test_id) and testing.get_test(engagement, test_id).population_size == 1


def test_a_change_to_a_test_of_design_reopens_the_conclusion(engagement: EngagementFile) -> None:
    test_id = not_operated_test(engagement)
    testing.update_plan(engagement, test_id, replace(EMPTY_POPULATION, kind=TestKind.DESIGN))
    assert reopened(engagement, test_id)


def test_a_deviation_found_later_reopens_it_and_shows_exceptions(engagement: EngagementFile) -> None:
    test_id = not_operated_test(engagement)
    deviations.add_deviation(engagement, test_id, DeviationInput("One retirement in March skipped the checklist."))
    assert reopened(engagement, test_id) and testing.get_test(engagement, test_id).status is Status.EXCEPTIONS


def test_a_design_deficiency_is_not_awaiting_an_operating_test(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Retirement"), ["CC6.5"])
    test = testing.add_test(engagement, made.ref, DESIGN)
    deviations.add_deviation(engagement, test.id, DeviationInput("The checklist omits customer notice."))
    assert control_status(engagement, made.id) is Status.EXCEPTIONS
    assert status.requirement_statuses(engagement)["CC6.5"].awaiting_operating_test == 0


def test_the_report_says_the_control_did_not_operate_and_flags_design_only_work(
    engagement: EngagementFile, tmp_path: Path
) -> None:
    control_id = designed_control(engagement)
    pending = controls.create_control(engagement, ControlInput("Quarterly access review"), ["CC6.2"])
    pending_test = testing.add_test(engagement, pending.ref, DESIGN)
    testing.conclude(engagement, pending_test.id, Conclusion.NO_EXCEPTIONS)
    ref = controls.get_control(engagement, control_id).ref
    test = testing.add_test(engagement, ref, EMPTY_POPULATION)
    testing.conclude(engagement, test.id, Conclusion.NOT_OPERATED, WHY)
    text = body_of(gather(engagement), tmp_path / "report.pdf")
    assert f"{test.ref}: {flat(NOT_OPERATED)}" in text
    assert "Sample: none, as the population is empty" in text and "MISSING: sample size" not in text
    assert text.count("MISSING: test of operating effectiveness") == 1


def test_the_workbook_counts_design_only_controls_on_the_coverage_sheet(
    engagement: EngagementFile, tmp_path: Path
) -> None:
    designed_control(engagement)
    _, book = export_workbook(engagement, tmp_path)
    coverage = {row["Requirement"].value: row for row in records(book["Coverage"])}
    assert coverage["CC6.5"]["Controls awaiting an operating test"].value == 1
    assert coverage["CC6.5"]["Progress"].value == Status.IN_PROGRESS.label
    assert coverage["CC6.5"]["Conclusion"].value == "Not concluded"
    control = records(book["Controls"])[0]
    assert control["Operating effectiveness"].value == "Not tested" and control["Status"].value == "In progress"
