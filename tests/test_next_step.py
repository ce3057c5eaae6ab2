"""The dashboard's next step: the first thing still to do, in the order an engagement is worked."""

from __future__ import annotations

from fieldwork.app.domain.records import ControlInput, TestPlan
from fieldwork.app.domain.targets import Page, Target
from fieldwork.app.domain.vocabulary import TestKind
from fieldwork.app.pages.dashboard import load_dashboard_page, next_step
from fieldwork.app.services import controls, testing
from fieldwork.app.storage.engagement_file import EngagementFile


def test_a_new_engagement_is_told_to_add_controls_then_link_then_test(engagement: EngagementFile) -> None:
    step = next_step(load_dashboard_page(engagement))
    assert step.opens == Target(Page.READINESS) and "Add the client's controls" in step.text
    page = load_dashboard_page(engagement)
    codes = list(page.gaps)  # the requirements a control can serve
    assert codes
    made = controls.create_control(engagement, ControlInput("Access reviews"), codes[:1])
    step = next_step(load_dashboard_page(engagement))
    assert step.opens.kind is Page.REQUIREMENT and step.opens.key not in (None, codes[0])
    assert "no control" in step.text
    for code in codes[1:]:
        controls.link_requirement(engagement, made.id, code)
    step = next_step(load_dashboard_page(engagement))
    assert (step.opens, "1 control has no test yet (first: C-001)" in step.text) == (Target(Page.MATRIX), True)
    testing.add_test(engagement, made.ref, TestPlan(TestKind.DESIGN))
    step = next_step(load_dashboard_page(engagement))
    assert "1 test is not concluded yet (first: C-001.T1)" in step.text


def test_the_demo_names_what_is_left(demo: EngagementFile) -> None:
    page = load_dashboard_page(demo)
    step = next_step(page)
    assert step.opens.kind is not Page.READINESS and step.text
    if page.open_tests:
        assert page.open_tests[0] in step.text
