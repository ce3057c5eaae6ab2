"""Suggested sample sizes: the methodology table, risk, pro-rating, and overrides that need a reason."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldwork.app.domain.sampling import Risk
from fieldwork.app.domain.vocabulary import Frequency, Nature, TestKind
from fieldwork.app.errors import ValidationError
from fieldwork.app.services import sampling
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.services.sample_size import SizeBasis, load_methodology, suggest
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.storage.schema import control_test, history
from tests.conftest import TEAM, type2_details
from tests.sampling_helpers import enter_tickets, operating_test

YEAR = 365


def basis(frequency: Frequency, risk: Risk | None = Risk.MODERATE, **changes: object) -> SizeBasis:
    values: dict[str, object] = {
        "frequency": frequency,
        "nature": Nature.MANUAL,
        "kind": TestKind.OPERATING,
        "risk": risk,
        "period_days": YEAR,
        "population": None,
    }
    values.update(changes)
    return SizeBasis(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("frequency", "low", "moderate", "high"),
    [
        (Frequency.ANNUAL, 1, 1, 1),
        (Frequency.QUARTERLY, 2, 2, 2),
        (Frequency.MONTHLY, 2, 4, 5),
        (Frequency.WEEKLY, 5, 10, 15),
        (Frequency.DAILY, 20, 30, 40),
        (Frequency.MULTIPLE_DAILY, 25, 43, 60),
    ],
)
def test_risk_picks_within_the_frequencys_range(frequency: Frequency, low: int, moderate: int, high: int) -> None:
    picks = [suggest(basis(frequency, risk)) for risk in (Risk.LOW, Risk.MODERATE, Risk.HIGH)]
    assert [p.size for p in picks] == [low, moderate, high]
    assert {(p.minimum, p.maximum) for p in picks} == {(low, high)}


def test_the_reasoning_is_one_line_naming_the_range_risk_and_table() -> None:
    found = suggest(basis(Frequency.DAILY, Risk.HIGH))
    assert found.reasoning == "Daily control: 20-40; high risk: 40 (methodology 2026.1)."
    assert "\n" not in found.reasoning and found.methodology == load_methodology().version


def test_an_unassessed_risk_is_taken_as_moderate_and_says_so() -> None:
    found = suggest(basis(Frequency.WEEKLY, risk=None))
    assert found.size == 10 and "not yet assessed" in found.reasoning


def test_a_short_type2_period_pro_rates_the_range() -> None:
    half = suggest(basis(Frequency.DAILY, period_days=181))  # 2026-01-01 to 2026-06-30
    assert (half.minimum, half.maximum, half.size) == (10, 20, 15)
    assert "181-day period: 20-40 pro-rated to 10-20" in half.reasoning
    quarter = suggest(basis(Frequency.QUARTERLY, period_days=90))
    assert (quarter.minimum, quarter.maximum) == (1, 1), "rounded up, never below one"
    assert suggest(basis(Frequency.DAILY, period_days=366)).size == 30, "a leap year is not stretched"


def test_automated_controls_and_tests_of_design_take_one_instance() -> None:
    automated = suggest(basis(Frequency.MULTIPLE_DAILY, nature=Nature.AUTOMATED))
    assert (automated.minimum, automated.maximum, automated.size) == (1, 1, 1)
    assert "IT general controls" in automated.reasoning
    assert suggest(basis(Frequency.DAILY, kind=TestKind.DESIGN)).size == 1
    assert "Type 1" in suggest(basis(Frequency.DAILY, period_days=None)).reasoning


@pytest.mark.parametrize(
    ("items", "low", "high"), [(1, 1, 1), (4, 2, 2), (12, 2, 5), (40, 5, 15), (300, 20, 40), (5000, 25, 60)]
)
def test_on_occurrence_controls_are_sized_by_their_population(items: int, low: int, high: int) -> None:
    found = suggest(basis(Frequency.ON_OCCURRENCE, Risk.HIGH, population=items))
    assert (found.minimum, found.maximum, found.size) == (low, high, high)
    assert f"{items:,} items" in found.reasoning


def test_on_occurrence_without_a_population_asks_for_it() -> None:
    with pytest.raises(ValidationError, match="sized by its population"):
        suggest(basis(Frequency.ON_OCCURRENCE))


def test_no_suggestion_exceeds_the_population() -> None:
    found = suggest(basis(Frequency.DAILY, population=12))
    assert found.size == 12 and "all 12 items" in found.reasoning


def test_the_service_reads_frequency_risk_and_period_from_the_engagement(tmp_path: Path) -> None:
    db, _ = create_engagement(tmp_path / "half.fieldwork", type2_details(period_end=date(2026, 6, 30)), TEAM)
    try:
        test_id = operating_test(db, Frequency.WEEKLY)
        assert sampling.suggested_size(db, test_id, Risk.HIGH).size == 8  # 15 x 181/365, rounded up
        sampling.record_size(db, test_id, 3, risk=Risk.LOW)
        plan = sampling.get_plan(db, test_id)
        assert plan.risk is Risk.LOW and plan.suggestion is not None and plan.suggestion.size == 3
    finally:
        db.close()


def test_an_override_needs_a_reason_which_is_recorded(engagement: EngagementFile) -> None:
    test_id = operating_test(engagement, Frequency.DAILY)
    with pytest.raises(ValidationError, match=r"differs from the suggested 30 .* give the reason"):
        sampling.record_size(engagement, test_id, 25)
    with pytest.raises(ValidationError, match="give the reason"):
        sampling.record_size(engagement, test_id, 25, reason="   ")
    plan = sampling.record_size(engagement, test_id, 25, reason="Client's change volume fell after March.")
    assert plan.sample_size == 25 and plan.override_reason == "Client's change volume fell after March."
    with engagement.reading() as conn:
        entries = conn.execute(select(history).where(history.c.item_type == control_test.name)).mappings().all()
    suggested = [e for e in entries if e["action"] == "suggest"]
    assert suggested and suggested[-1]["new_values"]["size"] == 30
    assert entries[-1]["new_values"]["size_override_reason"] == "Client's change volume fell after March."
    plan = sampling.record_size(engagement, test_id, 40, risk=Risk.HIGH)
    assert plan.override_reason is None, "the suggestion itself needs no reason, and an old one would mislead"


def test_a_size_larger_than_the_population_is_refused(engagement: EngagementFile) -> None:
    test_id = operating_test(engagement, Frequency.DAILY)
    enter_tickets(engagement, test_id, 15)
    with pytest.raises(ValidationError, match="larger than the population"):
        sampling.record_size(engagement, test_id, 16, reason="More than there is.")
