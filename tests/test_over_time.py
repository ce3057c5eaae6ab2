"""Controls over time: dates in operation, replacement, test windows and rounds, and what they limit.

The engagement fixture's period is 2026-01-01 to 2026-12-31; its tickets are dated one a day from 2026-01-01.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from fieldwork.app.domain.over_time import ControlDates, Span, TestRound, TestTiming, uncovered
from fieldwork.app.domain.records import ControlInput, SampleItemInput, TestPlan
from fieldwork.app.domain.sampling import Risk
from fieldwork.app.domain.timeline import control_notes, coverage_gaps, window_note
from fieldwork.app.domain.vocabulary import Frequency, Method, Selection, TestKind
from fieldwork.app.errors import FieldworkError, ValidationError
from fieldwork.app.services import controls, population, sampling, testing
from fieldwork.app.services.control_dates import set_control_dates
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.services.test_windows import set_test_timing
from fieldwork.app.storage.engagement_file import EngagementFile
from tests.conftest import TEAM, type2_details
from tests.sampling_helpers import enter_tickets, operating_test

PERIOD = Span(date(2026, 1, 1), date(2026, 12, 31))
OPERATING = TestPlan(TestKind.OPERATING, "Inspected the approvals", (Method.INSPECTION,))


def test_uncovered_days_are_the_gaps_between_windows() -> None:
    windows = [Span(date(2026, 3, 1), date(2026, 6, 30)), Span(date(2026, 6, 1), date(2026, 8, 31))]
    assert uncovered(PERIOD, windows) == [
        Span(date(2026, 1, 1), date(2026, 2, 28)),
        Span(date(2026, 9, 1), date(2026, 12, 31)),
    ]
    assert uncovered(PERIOD, [PERIOD]) == []


def test_a_control_implemented_mid_period_has_its_tests_cover_its_days_only(engagement: EngagementFile) -> None:
    test_id = operating_test(engagement, Frequency.DAILY)
    control_id = testing.get_test(engagement, test_id).control_id
    made = set_control_dates(engagement, control_id, ControlDates(effective_from=date(2026, 7, 1)))
    assert control_notes(made, PERIOD) == ["Implemented on 2026-07-01"]
    found = testing.get_test(engagement, test_id)
    assert found.window == Span(date(2026, 7, 1), date(2026, 12, 31))
    assert window_note(found, PERIOD) == "Tested from 2026-07-01 to 2026-12-31"

    enter_tickets(engagement, test_id, 365)
    held = population.get_population(engagement, test_id)
    assert held is not None and held.outside_period == 181, "January to June: before the control existed"
    assert held.outside_label == "the test's window (2026-07-01 to 2026-12-31)"
    draw = sampling.select_sample(engagement, test_id, Selection.ALL, reason="every item")
    assert len(draw.items) == 184 and min(item.item_date for item in draw.items) == date(2026, 7, 1)


def test_the_eligible_items_are_those_in_the_tests_own_window(engagement: EngagementFile) -> None:
    test_id = operating_test(engagement, Frequency.DAILY)
    enter_tickets(engagement, test_id, 365)
    set_test_timing(engagement, test_id, TestTiming(TestRound.INTERIM, window_end=date(2026, 9, 30)))
    with pytest.raises(ValidationError, match=r"outside the test's window \(2026-01-01 to 2026-09-30\)"):
        reason = (
            "Targeted: the two tickets raised during the outage, one of them after the window."  # below the minimum
        )
        sampling.select_sample(engagement, test_id, Selection.TARGETED, rows=[12, 300], reason=reason)
    draw = sampling.select_sample(engagement, test_id, Selection.RANDOM, size=20, seed=7, reason="interim")
    assert draw.eligible == 273 and all(item.item_date <= date(2026, 9, 30) for item in draw.items)


def test_the_size_suggestion_is_pro_rated_on_the_window(engagement: EngagementFile) -> None:
    test_id = operating_test(engagement, Frequency.DAILY)
    whole = sampling.suggested_size(engagement, test_id, Risk.MODERATE)
    set_test_timing(engagement, test_id, TestTiming(TestRound.UPDATE, date(2026, 10, 1), date(2026, 12, 31)))
    update = sampling.suggested_size(engagement, test_id, Risk.MODERATE)
    assert whole.size == 30 and update.size < whole.size
    assert (update.minimum, update.maximum) == (6, 11), "20-40 pro-rated on 92 of 365 days"
    assert "92-day test window (2026-10-01 to 2026-12-31)" in update.reasoning


def test_an_update_test_starts_the_day_after_the_interim_and_together_they_cover_the_period(
    engagement: EngagementFile,
) -> None:
    made = controls.create_control(engagement, ControlInput("Access review", frequency=Frequency.QUARTERLY), ["CC6.2"])
    interim = testing.add_test(engagement, made.ref, OPERATING)
    set_test_timing(engagement, interim.id, TestTiming(TestRound.INTERIM, window_end=date(2026, 8, 31)))
    gaps = coverage_gaps(controls.list_controls(engagement), testing.list_tests(engagement), PERIOD)
    assert gaps == {made.id: [Span(date(2026, 9, 1), date(2026, 12, 31))]}, "the interim alone leaves a gap"

    update = testing.add_test(engagement, made.ref, OPERATING)
    found = set_test_timing(engagement, update.id, TestTiming(TestRound.UPDATE))
    assert found.window == Span(date(2026, 9, 1), date(2026, 12, 31))
    assert coverage_gaps(controls.list_controls(engagement), testing.list_tests(engagement), PERIOD) == {}


def test_a_non_key_control_or_one_without_operating_tests_raises_no_coverage_warning(
    engagement: EngagementFile,
) -> None:
    key = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    minor = controls.create_control(engagement, ControlInput("Poster", is_key=False), ["CC1.1"])
    for made in (key, minor):
        test = testing.add_test(engagement, made.ref, OPERATING)
        set_test_timing(engagement, test.id, TestTiming(TestRound.INTERIM, window_end=date(2026, 6, 30)))
    untested = controls.create_control(engagement, ControlInput("Backups"), ["A1.2"])
    gaps = coverage_gaps(controls.list_controls(engagement), testing.list_tests(engagement), PERIOD)
    assert list(gaps) == [key.id] and untested.id not in gaps


def test_a_replacement_ends_the_control_it_replaced_and_both_are_worded(engagement: EngagementFile) -> None:
    old = controls.create_control(engagement, ControlInput("Manual escalation"), ["CC1.4"])
    new = controls.create_control(engagement, ControlInput("Automated escalation"), ["CC1.4"])
    made = set_control_dates(engagement, new.id, ControlDates(date(2026, 4, 9), replaces=old.ref))
    ended = controls.get_control(engagement, old.id)
    assert ended.effective_to == date(2026, 4, 8) and ended.replaced_by_ref == new.ref
    assert control_notes(made, PERIOD) == [f"Replaced {old.ref} on 2026-04-09"]
    assert control_notes(ended, PERIOD) == [f"In operation until 2026-04-08; replaced by {new.ref}"]
    with pytest.raises(ValidationError, match="follows from"):
        set_control_dates(engagement, old.id, ControlDates(date(2026, 1, 1), date(2026, 4, 8), replaces=new.ref))


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (ControlDates(date(2026, 5, 1), date(2026, 4, 1)), "before it starts"),
        (ControlDates(date(2027, 2, 1)), "any day of the period"),
        (ControlDates(replaces="C-001"), "cannot replace itself"),
        (ControlDates(replaces="C-999"), "no control C-999"),
    ],
)
def test_control_dates_that_cannot_be_right_are_refused(
    engagement: EngagementFile, dates: ControlDates, message: str
) -> None:
    made = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    with pytest.raises(FieldworkError, match=message):
        set_control_dates(engagement, made.id, dates)
    assert controls.get_control(engagement, made.id).effective_from is None


def test_dates_that_would_strand_tested_items_are_refused(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    test = testing.add_test(engagement, made.ref, OPERATING)
    testing.add_sample_items(engagement, test.id, [SampleItemInput("REQ-1", date(2026, 2, 3))])
    with pytest.raises(ValidationError, match="REQ-1 dated 2026-02-03"):
        set_control_dates(engagement, made.id, ControlDates(effective_from=date(2026, 3, 1)))
    with pytest.raises(ValidationError, match="REQ-1 dated 2026-02-03"):
        set_test_timing(engagement, test.id, TestTiming(TestRound.REMEDIATION, window_start=date(2026, 6, 1)))


@pytest.mark.parametrize(
    ("timing", "message"),
    [
        (TestTiming(TestRound.INTERIM), "give the day"),
        (TestTiming(TestRound.REMEDIATION), "remediated"),
        (TestTiming(TestRound.UPDATE), "record the interim test first"),
        (TestTiming(window_start=date(2025, 12, 1)), "within the period"),
        (TestTiming(window_start=date(2026, 6, 1), window_end=date(2026, 5, 1)), "before it starts"),
    ],
)
def test_windows_that_cannot_be_right_are_refused(engagement: EngagementFile, timing: TestTiming, message: str) -> None:
    test_id = operating_test(engagement)
    with pytest.raises(ValidationError, match=message):
        set_test_timing(engagement, test_id, timing)


def test_design_tests_and_type1_examinations_have_no_window(engagement: EngagementFile, tmp_path: Path) -> None:
    made = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    design = testing.add_test(engagement, made.ref, TestPlan(TestKind.DESIGN, "Walkthrough", (Method.INSPECTION,)))
    with pytest.raises(ValidationError, match="test of design"):
        set_test_timing(engagement, design.id, TestTiming(TestRound.INTERIM, window_end=date(2026, 6, 30)))
    type1 = type2_details(report_type="type1", as_of_date=date(2026, 6, 30))
    db, _ = create_engagement(tmp_path / "type1.fieldwork", type1, TEAM)
    test_id = operating_test(db)
    with pytest.raises(ValidationError, match="Type 1"):
        set_test_timing(db, test_id, TestTiming(window_end=date(2026, 6, 30)))
    assert testing.get_test(db, test_id).window is None
    db.close()
