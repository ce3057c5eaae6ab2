"""What an auditor does with the core records, through the services, without Qt."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from fieldwork.app.domain.records import ControlInput, DeviationInput, SampleItemInput, TestPlan
from fieldwork.app.domain.vocabulary import (
    Conclusion,
    Frequency,
    ImplementationStatus,
    Method,
    ReportType,
    SampleResult,
    Selection,
    Status,
    TestKind,
)
from fieldwork.app.errors import ValidationError
from fieldwork.app.services import controls, deviations, engagement, soa, status, testing
from fieldwork.app.services import engagement as engagement_service
from fieldwork.app.services.history import changes
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.storage.schema import history
from tests.conftest import type2_details
from tests.sampling_helpers import assess_population


def history_count(db: EngagementFile) -> int:
    with db.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(history)).scalar_one())


@pytest.mark.parametrize(
    ("changes_", "message"),
    [
        ({"period_start": date(2026, 6, 1), "period_end": date(2026, 1, 1)}, "ends .* before it starts"),
        ({"client": "  "}, "service organization"),
        ({"tsc_categories": ("Availability",)}, "Security .* always in scope"),
        ({"report_type": ReportType.TYPE1, "as_of_date": None}, "as-of date"),
        ({"tsc_categories": ("Security", "Astrology")}, "Unknown Trust Services category"),
    ],
)
def test_engagement_details_are_validated(changes_: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        engagement.validate_details(engagement.normalized(type2_details(**changes_)))


def test_a_short_type2_period_is_a_warning_not_an_error() -> None:
    warnings = engagement.validate_details(type2_details(period_start=date(2026, 1, 1), period_end=date(2026, 2, 15)))
    assert len(warnings) == 1 and "at least 3 months" in warnings[0]


def test_a_control_linked_to_cc61_is_offered_its_iso_counterparts(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Quarterly access review"), ["CC6.1"])
    assert made.ref == "C-001" and made.requirements == ("CC6.1",)
    offered = controls.suggestions(engagement, made.id)
    assert offered, "the crosswalk links CC6.1 to ISO/IEC 42001 requirements"
    first = offered[0]
    assert first.via == "CC6.1" and first.rationale
    controls.link_requirement(engagement, made.id, first.code)
    assert first.code not in {s.code for s in controls.suggestions(engagement, made.id)}
    if len(offered) > 1:
        controls.dismiss_suggestion(engagement, made.id, offered[1].code)
        assert offered[1].code not in {s.code for s in controls.suggestions(engagement, made.id)}


def test_suggestions_leave_out_categories_not_in_scope(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Data quality checks"), ["A.7.4"])
    codes = {s.code for s in controls.suggestions(engagement, made.id)}
    assert not any(code.startswith(("P", "PI", "C1")) for code in codes), codes


def test_controls_link_only_to_auditable_requirements(engagement: EngagementFile) -> None:
    with pytest.raises(ValidationError, match="clause"):
        controls.create_control(engagement, ControlInput("Too broad"), ["6"])
    assert controls.list_controls(engagement) == []


def record_type2_test(db: EngagementFile, deviations: int) -> tuple[int, int]:
    made = controls.create_control(db, ControlInput("Change approval", frequency=Frequency.MULTIPLE_DAILY), ["CC8.1"])
    controls.link_requirement(db, made.id, "A.6.2.5")
    plan = TestPlan(TestKind.OPERATING, "Inspected approvals", (Method.INSPECTION,), "Merged changes", 312, 25)
    test = testing.add_test(db, made.ref, plan)
    items = [
        SampleItemInput(
            f"CHG-{n}",
            date(2026, 3, 1),
            SampleResult.DEVIATION if n < deviations else SampleResult.NO_EXCEPTION,
            "x" if n < deviations else "a b",
            "No approval recorded" if n < deviations else "",
        )
        for n in range(25)
    ]
    testing.add_sample_items(db, test.id, items)
    assess_population(db, test.id)
    return made.id, test.id


def test_one_test_counts_toward_requirements_in_both_frameworks(engagement: EngagementFile) -> None:
    _control_id, test_id = record_type2_test(engagement, deviations=1)
    deviations.add_deviation(
        engagement,
        test_id,
        DeviationInput("1 of 25 sampled changes lacked approval.", management_response="Retrained."),
    )
    states = status.requirement_statuses(engagement)
    assert states["CC8.1"].status is Status.EXCEPTIONS
    assert states["A.6.2.5"].status is Status.EXCEPTIONS
    assert states["CC6.1"].status is Status.NOT_STARTED and states["CC6.1"].gap


def test_a_clean_test_concludes_both_requirements(engagement: EngagementFile) -> None:
    _control_id, test_id = record_type2_test(engagement, deviations=0)
    concluded = testing.conclude(engagement, test_id, Conclusion.NO_EXCEPTIONS)
    assert concluded.status is Status.CONCLUDED
    states = status.requirement_statuses(engagement)
    assert states["CC8.1"].status is Status.CONCLUDED and states["A.6.2.5"].status is Status.CONCLUDED


def test_a_test_with_deviations_cannot_conclude_clean(engagement: EngagementFile) -> None:
    _control_id, test_id = record_type2_test(engagement, deviations=2)
    with pytest.raises(ValidationError, match="cannot conclude 'No exceptions noted'"):
        testing.conclude(engagement, test_id, Conclusion.NO_EXCEPTIONS)
    assert testing.get_test(engagement, test_id).conclusion is None


def test_a_sample_short_of_its_plan_cannot_conclude(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Backups"), ["A1.2"])
    plan = TestPlan(
        TestKind.OPERATING, "Inspected", (Method.INSPECTION,), "Daily backups", 365, 25, Selection.RANDOM, 4
    )
    test = testing.add_test(engagement, made.ref, plan)
    testing.add_sample_items(engagement, test.id, [SampleItemInput("2026-01-02", result=SampleResult.NO_EXCEPTION)])
    with pytest.raises(ValidationError, match="plans a sample of 25 but holds 1"):
        testing.conclude(engagement, test.id, Conclusion.NO_EXCEPTIONS)


def test_inquiry_alone_is_refused(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Policy"), ["CC1.1"])
    with pytest.raises(ValidationError, match="Inquiry alone"):
        testing.add_test(engagement, made.ref, TestPlan(TestKind.DESIGN, "Asked", (Method.INQUIRY,)))


def test_an_excluded_annex_control_needs_a_justification(engagement: EngagementFile) -> None:
    with pytest.raises(ValidationError, match="needs a justification"):
        soa.set_soa_line(engagement, "A.10.4", included=False, justification=" ", implementation_status=None)
    soa.set_soa_line(
        engagement,
        "A.10.4",
        included=False,
        justification="No customers use the AI system directly.",
        implementation_status=ImplementationStatus.NOT_APPLICABLE,
    )
    line = next(x for x in soa.list_soa(engagement) if x.annex_code == "A.10.4")
    assert not line.included and line.status is Status.EXCLUDED
    assert len(soa.list_soa(engagement)) == 38


def test_every_change_is_in_the_history_with_old_and_new_values(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Access review", owner="CISO"), ["CC6.2"])
    before = history_count(engagement)
    controls.update_control(engagement, made.id, ControlInput("Access review", owner="VP Security"))
    with engagement.reading() as conn:
        last = conn.execute(select(history).order_by(history.c.seq.desc())).mappings().first()
    assert history_count(engagement) == before + 1
    assert last is not None
    assert last["action"] == "update" and last["item_type"] == "control" and last["item_id"] == str(made.id)
    assert last["old_values"] == {"owner": "CISO"} and last["new_values"] == {"owner": "VP Security"}
    assert last["person"] == "Test Auditor (TA)"


def test_a_failed_action_leaves_neither_change_nor_history(engagement: EngagementFile) -> None:
    before = history_count(engagement)
    with pytest.raises(RuntimeError), changes(engagement) as ch:
        from fieldwork.app.storage.schema import control

        ch.insert(
            control,
            {"ref": "C-900", "title": "x", "frequency": "annual", "nature": "manual", "control_type": "preventive"},
        )
        raise RuntimeError("power cut")
    assert history_count(engagement) == before
    assert controls.list_controls(engagement) == []


def test_deleting_a_test_records_each_sample_item(engagement: EngagementFile) -> None:
    _control_id, test_id = record_type2_test(engagement, deviations=0)
    before = history_count(engagement)
    testing.delete_test(engagement, test_id)
    assert history_count(engagement) == before + 27  # 25 items, its population's IPE assessment and the test


def test_deleting_what_evidence_supports_keeps_the_evidence(engagement: EngagementFile, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fieldwork.app.services import evidence

    _control_id, test_id = record_type2_test(engagement, deviations=0)
    item = testing.list_sample_items(engagement, test_id)[0]
    file = tmp_path / "ticket.txt"
    file.write_text("approved by CAB", encoding="utf-8")
    target = evidence.find_link(engagement, evidence.LinkKind.SAMPLE_ITEM, item.id)
    evidence.attach_files(engagement, [file], [target], evidence.Receipt(), None)
    testing.delete_test(engagement, test_id)
    kept = evidence.list_evidence(engagement)
    assert len(kept) == 1 and kept[0].used_by == ()


def test_deleting_a_test_removes_its_population(engagement: EngagementFile) -> None:
    from fieldwork.app.domain.sampling import PopulationItemInput
    from fieldwork.app.services import population

    _control_id, test_id = record_type2_test(engagement, deviations=0)
    population.enter_population(
        engagement, test_id, [PopulationItemInput(f"CHG-{n}", date(2026, 2, n + 1)) for n in range(5)]
    )
    testing.delete_test(engagement, test_id)
    assert testing.list_tests(engagement) == [] and population.get_population(engagement, test_id) is None


def test_a_bulk_insert_that_breaks_a_rule_rolls_back_as_a_wrapped_database_error(engagement: EngagementFile) -> None:
    from sqlalchemy.exc import IntegrityError

    from fieldwork.app.storage.schema import tickmark

    before = history_count(engagement)
    rows = [{"symbol": "z", "meaning": "one"}, {"symbol": "z", "meaning": "the same symbol again"}]
    with pytest.raises(IntegrityError, match="UNIQUE"), changes(engagement) as ch:
        ch.insert_many(tickmark, rows)
    assert history_count(engagement) == before
    assert "z" not in {mark.symbol for mark in engagement_service.list_tickmarks(engagement)}
