"""The demo engagement agrees with itself: what a deviation states of its items, and the rules the app keeps."""

from __future__ import annotations

from datetime import date

from fieldwork.app.domain.reasons import is_written_out
from fieldwork.app.domain.vocabulary import TestKind
from fieldwork.app.services import deviations, sampling, testing
from fieldwork.app.storage.engagement_file import EngagementFile


def test_c074_t2s_deviation_items_are_dated_as_the_deviation_says(demo: EngagementFile) -> None:
    test = testing.get_test(demo, "C-074.T2")
    (found,) = deviations.list_deviations(demo, test.id)
    assert "Both were made on 2026-02-11" in found.description
    items = {item.id: item for item in testing.list_sample_items(demo, test.id)}
    assert [items[i].item_date for i in found.sample_item_ids] == [date(2026, 2, 11)] * 2
    dates = [item.item_date for item in sorted(items.values(), key=lambda i: i.seq)]
    assert dates == sorted(dates)  # still numbered in date order


def test_no_deviation_item_is_dated_before_or_after_what_its_deviation_states(demo: EngagementFile) -> None:
    stated = {"C-021.T2.D1": date(2026, 3, 17), "C-040.T2.D1": date(2026, 6, 8), "C-048.T2.D1": date(2026, 5, 26)}
    items = {item.id: item for test in testing.list_tests(demo) for item in testing.list_sample_items(demo, test.id)}
    for found in deviations.list_deviations(demo):
        if found.ref in stated:
            assert [items[i].item_date for i in found.sample_item_ids] == [stated[found.ref]], found.ref


def test_the_demo_keeps_the_rules_for_sizes_and_conclusions(demo: EngagementFile) -> None:
    for test in testing.list_tests(demo):
        if test.conclusion is not None and test.items_total > test.items_with_result:
            assert is_written_out(test.conclusion_note), f"{test.ref} concluded over untested items without a note"
        if test.kind is TestKind.OPERATING:
            plan = sampling.get_plan(demo, test.id)
            if plan.suggestion and plan.sample_size and plan.sample_size < plan.suggestion.minimum:
                assert is_written_out(plan.override_reason), f"{test.ref} is below the minimum without a reason"
