"""The pages that used to read in `ui/`: each read in one transaction, as one frozen snapshot, without Qt."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Connection

from fieldwork.app.domain.over_time import TestTiming
from fieldwork.app.domain.records import ControlInput, TestPlan
from fieldwork.app.domain.vocabulary import Method, Status, TestKind
from fieldwork.app.domain.workpapers import Shows
from fieldwork.app.pages.control import load_control_page
from fieldwork.app.pages.control_test import load_test_page
from fieldwork.app.pages.navigator import load_navigator_page
from fieldwork.app.pages.settings import load_settings_page
from fieldwork.app.services import controls, deviations, engagement, requirements, status, testing
from fieldwork.app.services.controls import control_input
from fieldwork.app.services.signables import ItemType
from fieldwork.app.services.signoffs import SignRole, sign
from fieldwork.app.services.test_windows import set_test_timing
from fieldwork.app.services.workpapers import read_workpapers
from fieldwork.app.storage.engagement_file import EngagementFile
from tests.conftest import Acting
from tests.sampling_helpers import assess_population, enter_tickets, operating_test


@pytest.fixture
def transactions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The read transactions opened from here on (each `reading()` entered)."""
    opened: list[str] = []
    original = EngagementFile.reading

    @contextlib.contextmanager
    def counted(self: EngagementFile) -> Iterator[Connection]:
        opened.append("reading")
        with original(self) as conn:
            yield conn

    monkeypatch.setattr(EngagementFile, "reading", counted)
    return opened


def test_each_page_is_read_in_one_transaction_as_a_frozen_snapshot(
    demo: EngagementFile, transactions: list[str]
) -> None:
    control = controls.get_control(demo, "C-021")
    test = testing.get_test(demo, "C-021.T2")
    loads: list[Callable[[], Any]] = [
        lambda: load_control_page(demo, control.id),
        lambda: load_test_page(demo, test.id),
        lambda: load_navigator_page(demo),
        lambda: load_settings_page(demo),
    ]
    for load in loads:
        transactions.clear()
        page = load()
        assert transactions == ["reading"], f"{type(page).__name__} read in {len(transactions)} transactions"
        with pytest.raises(dataclasses.FrozenInstanceError):
            page.__setattr__(dataclasses.fields(page)[0].name, None)


def test_the_control_page_offers_the_requirements_it_does_not_serve_and_names_its_replacement(
    demo: EngagementFile,
) -> None:
    c081 = controls.get_control(demo, "C-081")
    page = load_control_page(demo, c081.id)
    assert page.dates_note == "Replaced C-080 on 2026-04-09" and page.coverage_gap == ""
    in_scope = {r.code for r in page.scope}
    assert [s.requirement.code for s in page.linked] == [c for c in c081.requirements if c in in_scope]
    served = {s.requirement.code for s in page.linked}
    assert served and not served & {r.code for r in page.choices}, "a served requirement is not offered again"
    assert not served & {s.code for s in page.suggestions}
    assert all(s.via in served for s in page.suggestions), "each suggestion comes from a requirement it serves"
    assert "C-081" not in page.others and "C-080" in page.others
    assert [t.ref for t in page.tests] == ["C-081.T1", "C-081.T2"]
    statuses = {code: s.status for code, s in status.requirement_statuses(demo).items()}
    assert all(s.status is statuses.get(s.requirement.code, Status.NOT_STARTED) for s in page.linked)


def test_the_control_page_says_what_a_key_controls_tests_leave_untested(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    test = testing.add_test(engagement, made.ref, TestPlan(TestKind.OPERATING, "Inspected", (Method.INSPECTION,)))
    assert load_control_page(engagement, made.id).coverage_gap == ""
    set_test_timing(engagement, test.id, TestTiming(window_end=date(2026, 6, 30)))
    page = load_control_page(engagement, made.id)
    assert page.coverage_gap == "Not tested from 2026-07-01 to 2026-12-31"
    assert [r.code for r in page.choices if r.code == "CC6.2"] == []


def test_the_test_page_carries_its_deviations_evidence_and_what_its_conclusion_reaches(demo: EngagementFile) -> None:
    test = testing.get_test(demo, "C-021.T2")
    page = load_test_page(demo, test.id)
    assert [d.ref for d in page.deviations] == [d.ref for d in deviations.list_deviations(demo, test.id)] != []
    assert [i.id for i in page.items] == [i.id for i in testing.list_sample_items(demo, test.id)]
    assert [m.symbol for m in page.tickmarks] == [m.symbol for m in engagement.list_tickmarks(demo)]
    control = controls.get_control(demo, "C-021")
    scope = {r.code for r in requirements.list_requirements(demo)}
    assert [s.requirement.code for s in page.served] == [c for c in control.requirements if c in scope]
    assert page.sampling is not None and page.sampling.items == test.items_total
    assert page.sampling.plan.test_ref == "C-021.T2" and not page.population_imported
    design = next(t for t in testing.list_tests(demo, control.id) if t.kind is TestKind.DESIGN)
    assert load_test_page(demo, design.id).sampling is None, "a walkthrough has no sample plan"


def test_the_test_page_reads_the_population_plan_and_ipe_with_the_test(engagement: EngagementFile) -> None:
    test_id = operating_test(engagement)
    before = load_test_page(engagement, test_id)
    assert before.sampling is not None and before.sampling.population is None and not before.population_imported
    enter_tickets(engagement, test_id, 40)
    page = load_test_page(engagement, test_id)
    assert page.sampling is not None and page.population_imported
    assert page.sampling.population is not None and page.sampling.population.row_count == 40
    suggestion = page.sampling.plan.suggestion
    assert suggestion is not None and suggestion.minimum <= suggestion.size <= suggestion.maximum
    relied = page.sampling.ipe.relied
    assert relied is not None and relied.assessment is None and page.sampling.ipe.required, "not yet assessed"
    assess_population(engagement, test_id)
    assessed = load_test_page(engagement, test_id).sampling
    assert assessed is not None and assessed.ipe.relied is not None and assessed.ipe.relied.assessment is not None


def test_the_navigator_reads_every_requirement_control_test_and_deviation(demo: EngagementFile) -> None:
    page = load_navigator_page(demo)
    assert [r.code for r in page.requirements] == [r.code for r in requirements.list_requirements(demo)]
    assert len(page.controls) == len(controls.list_controls(demo)) == 82
    assert sorted(t.test_id for t in page.tests) == sorted(t.id for t in testing.list_tests(demo))
    assert len(page.tests) == 166 and len(page.deviations) == len(deviations.list_deviations(demo)) == 6
    assert set(page.test_refs.values()) == {t.ref for t in testing.list_tests(demo)}
    assert page.conclusions and set(page.conclusions) <= set(page.statuses)
    listed = [c.controls for c in page.conclusions.values()]
    assert sum(len(c) > 2 for c in listed) > 10 and all(list(c) == sorted(c) for c in listed), "reference order"
    with demo.reading() as conn:
        alone = read_workpapers(conn)
    memo = next(w for w in alone if w.shape.shows is Shows.OPINION_WORKSHEET)
    assert any("opinion worksheet does not support" in m for m in memo.missing)
    assert page.workpapers == alone, "the worksheet the page hands on marks the memo as the workpapers read alone"


def test_the_settings_page_reads_the_engagement_its_team_and_its_stage(demo: EngagementFile) -> None:
    page = load_settings_page(demo)
    assert page.details == engagement.get_details(demo) and page.warnings == ()
    assert [m.initials for m in page.team] == ["PN", "OC", "HB", "GA"]
    assert len(page.tickmarks) == 7 and page.description["DC7"].startswith("Wrenfield uses Amazon Web Services")
    assert page.stage.reason == "9 of 166 tests are not concluded."
    assert [o.name for o in page.subservice.organizations] == ["Amazon Web Services, Inc."]


def test_a_page_about_one_item_reads_its_sign_offs_in_the_same_snapshot(
    engagement: EngagementFile, acting: Acting
) -> None:
    test_id = operating_test(engagement)
    control = controls.list_controls(engagement)[0]
    acting("Dana Reyes")
    sign(engagement, ItemType.CONTROL, str(control.id), SignRole.PREPARER)
    page = load_control_page(engagement, control.id)
    assert page.review.state is not None and page.review.state.preparer is not None
    assert (page.review.state.preparer.initials, page.review.state.stale) == ("DR", False)
    assert page.review.acting is not None and page.review.acting.initials == "DR"
    controls.update_control(engagement, control.id, replace(control_input(control), owner="IT operations"))
    changed = load_control_page(engagement, control.id).review.state
    assert changed is not None and changed.stale, "changed after it was signed"
    tested = load_test_page(engagement, test_id).review
    assert (tested.item_type, tested.key) == (ItemType.TEST, str(test_id))
    assert tested.state is not None and tested.state.preparer is None
