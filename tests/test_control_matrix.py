"""The control matrix page read: one line per control with its tests, deviations and status; its filter."""

from __future__ import annotations

from fieldwork.app.domain.records import ControlInput
from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.pages.control_matrix import load_control_matrix_page, matches
from fieldwork.app.services import controls, testing
from fieldwork.app.storage.engagement_file import EngagementFile


def test_each_control_has_a_line_with_its_tests_deviations_and_status(demo: EngagementFile) -> None:
    page = load_control_matrix_page(demo)
    every = controls.list_controls(demo)
    assert [line.control.ref for line in page.lines] == [c.ref for c in every]
    line = next(line for line in page.lines if line.control.ref == "C-014")
    with demo.reading() as conn:
        own = testing.read_tests(conn, control_id=line.id)
        every_test = testing.read_tests(conn)
    assert line.tests == len(own) >= 2
    assert line.tests_concluded == sum(t.conclusion is not None for t in own)
    assert line.deviations == sum(t.deviation_count for t in own) >= 1
    assert line.status is Status.EXCEPTIONS, "a control with a deviation shows exceptions"
    assert len(every_test) == sum(line.tests for line in page.lines)


def test_a_control_without_tests_is_not_started(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Access reviews", owner="CISO", is_key=True))
    (line,) = load_control_matrix_page(engagement).lines
    assert (line.control.id, line.tests, line.deviations, line.status) == (made.id, 0, 0, Status.NOT_STARTED)


def test_the_filter_needs_every_word_the_status_and_key_when_asked(demo: EngagementFile) -> None:
    lines = load_control_matrix_page(demo).lines
    c014 = next(line for line in lines if line.control.ref == "C-014")
    owner_word = c014.control.owner.split()[-1]
    assert matches(c014, f"c-014 {owner_word}")
    assert not matches(c014, "c-014 nonexistentword")
    assert matches(c014, "", Status.EXCEPTIONS) and not matches(c014, "", Status.CONCLUDED)
    unkeyed = [line for line in lines if not line.control.is_key]
    assert unkeyed, "the demo has controls that are not key"
    assert not matches(unkeyed[0], "", key_only=True) and matches(unkeyed[0], "")
    code = c014.control.requirements[0]
    assert matches(c014, code), "a requirement the control serves finds it"
