"""Undo and redo, built on the history: each user action is one step, written back and recorded, never erased."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from fieldwork.app.domain.records import ControlInput, DeviationInput, SampleItemInput, TestPlan
from fieldwork.app.domain.vocabulary import Method, SampleResult, TestKind
from fieldwork.app.errors import ReadOnlyError, ValidationError
from fieldwork.app.services import controls, deviations, testing
from fieldwork.app.services.history import changes, list_history
from fieldwork.app.services.undo import UndoState, redo, session_start, undo, undo_state
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.storage.schema import control, deviation_sample_item, finalization, person, sample_item

PLAN = TestPlan(TestKind.OPERATING, "Inspect each change ticket.", (Method.INSPECTION,), sample_size=3)


def _control_rows(db: EngagementFile) -> list[dict[str, object]]:
    with db.reading() as conn:
        return [dict(row) for row in conn.execute(select(control).order_by(control.c.ref)).mappings()]


def test_undo_of_an_insert_deletes_it_and_redo_brings_it_back(engagement: EngagementFile) -> None:
    since = session_start(engagement)
    made = controls.create_control(engagement, ControlInput("Access reviews"), ["CC6.1"])
    assert undo_state(engagement, since).undo is not None

    undone = undo(engagement, since)
    assert undone.summary == "adding control C-001 and 1 more change"
    assert controls.list_controls(engagement) == []
    assert undo_state(engagement, since).undo is None
    offered = undo_state(engagement, since).redo
    assert offered is not None and offered.summary == undone.summary  # Redo is named for what it redoes

    redo(engagement, since)
    again = controls.get_control(engagement, made.id)
    assert (again.ref, again.title, again.requirements) == ("C-001", "Access reviews", ("CC6.1",))
    assert undo_state(engagement, since).redo is None


def test_undo_of_an_update_writes_the_old_values_back(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Access reviews", owner="IT"))
    since = session_start(engagement)
    controls.update_control(
        engagement, made.id, ControlInput("Quarterly access reviews", owner="Security", is_key=False)
    )

    undo(engagement, since)
    back = controls.get_control(engagement, made.id)
    assert (back.title, back.owner, back.is_key) == ("Access reviews", "IT", True)
    redo(engagement, since)
    assert controls.get_control(engagement, made.id).title == "Quarterly access reviews"


def test_undo_of_a_delete_restores_the_tombstone_with_its_cascade(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Access reviews"), ["CC6.1", "CC6.2"])
    test = testing.add_test(engagement, made.id, PLAN)
    testing.add_sample_items(engagement, test.id, [SampleItemInput("CHG-1"), SampleItemInput("CHG-2")])
    before = _control_rows(engagement)[0]
    since = session_start(engagement)

    testing.delete_test(engagement, test.id)
    controls.delete_control(engagement, made.id)
    assert controls.list_controls(engagement) == []

    undo(engagement, since)  # the control and its requirement links come back: same id, a new version
    restored = _control_rows(engagement)[0]
    assert restored["id"] == before["id"] and restored["deleted_at"] is None
    assert restored["version"] > before["version"]
    assert controls.get_control(engagement, made.id).requirements == ("CC6.1", "CC6.2")
    undo(engagement, since)  # then the test with its sample items
    assert [i.identifier for i in testing.list_sample_items(engagement, test.id)] == ["CHG-1", "CHG-2"]


def test_a_link_table_change_is_undone_link_by_link(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Change approval"))
    test = testing.add_test(engagement, made.id, PLAN)
    items = testing.add_sample_items(engagement, test.id, [SampleItemInput(f"CHG-{n}") for n in (1, 2, 3)])
    found = deviations.add_deviation(
        engagement, test.id, DeviationInput("Approved after release.", sample_items=(items[0].id,))
    )
    since = session_start(engagement)

    deviations.update_deviation(
        engagement, found.id, DeviationInput("Approved after release.", sample_items=(items[1].id, items[2].id))
    )
    assert deviations.list_deviations(engagement, test.id)[0].sample_items == ("#2", "#3")

    undo(engagement, since)
    assert deviations.list_deviations(engagement, test.id)[0].sample_items == ("#1",)
    with engagement.reading() as conn:  # the link to #1 is its old row revived, not a second one
        rows = conn.execute(select(deviation_sample_item).where(deviation_sample_item.c.sample_item_id == items[0].id))
        assert len(rows.all()) == 1
    redo(engagement, since)
    assert deviations.list_deviations(engagement, test.id)[0].sample_items == ("#2", "#3")


def test_one_user_action_of_many_rows_is_one_step(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Change approval"))
    test = testing.add_test(engagement, made.id, PLAN)
    since = session_start(engagement)
    testing.add_sample_items(engagement, test.id, [SampleItemInput(f"CHG-{n}") for n in range(1, 26)])
    testing.add_sample_items(engagement, test.id, [SampleItemInput("CHG-26")])

    undo(engagement, since)
    assert len(testing.list_sample_items(engagement, test.id)) == 25
    step = undo(engagement, since)
    assert step.summary == "adding sample item and 24 more changes"
    assert testing.list_sample_items(engagement, test.id) == []


def test_the_history_records_the_undo_and_the_redo_and_erases_nothing(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Access reviews"))
    since = session_start(engagement)
    controls.update_control(engagement, made.id, ControlInput("Quarterly access reviews"))
    count = len(list_history(engagement))

    undone = undo(engagement, since)
    redo(engagement, since)
    entries = list_history(engagement)
    assert len(entries) == count + 4  # the update written back, the undo, the update again, the redo
    newest = entries[:4]
    assert [e.action for e in newest] == ["redo", "update", "undo", "update"]
    assert newest[2].item_id == undone.entry
    assert newest[3].old_values == {"title": "Quarterly access reviews"}
    assert len({e.at_utc for e in newest}) == 2  # each of the two actions keeps its entries together


def test_a_new_change_after_an_undo_clears_the_redo(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Access reviews"))
    since = session_start(engagement)
    controls.update_control(engagement, made.id, ControlInput("Quarterly access reviews"))
    undo(engagement, since)
    controls.update_control(engagement, made.id, ControlInput("Monthly access reviews"))

    assert undo_state(engagement, since).redo is None
    with pytest.raises(ValidationError, match="nothing to redo"):
        redo(engagement, since)


def test_undo_refuses_when_the_row_changed_since_by_something_else(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Access reviews"))
    since = session_start(engagement)
    controls.update_control(engagement, made.id, ControlInput("Quarterly access reviews"))
    with engagement.writing() as conn:  # changed outside this session's steps, as a merged copy would
        conn.execute(control.update().where(control.c.id == made.id).values(title="Changed elsewhere"))

    with pytest.raises(ValidationError, match="control C-001 has been changed since by something else"):
        undo(engagement, since)
    assert controls.get_control(engagement, made.id).title == "Changed elsewhere"


def test_undo_refuses_on_a_finalized_engagement(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Access reviews"))
    since = session_start(engagement)
    controls.update_control(engagement, made.id, ControlInput("Quarterly access reviews"))
    with changes(engagement, finalizing=True) as ch:
        member = ch.conn.execute(select(person.c.id)).scalars().first()
        ch.insert(finalization, {"finalized_at": ch.at_utc, "person_id": member, "manifest": {}})

    assert undo_state(engagement, since) == UndoState(None, None)  # Edit > Undo is greyed out, not a refusal
    with pytest.raises(ReadOnlyError, match="finalized"):
        undo(engagement, since)
    engagement.addendum = "ADD-1"
    with pytest.raises(ValidationError, match=r"finalized on .*not undone"):
        undo(engagement, since)
    assert controls.get_control(engagement, made.id).title == "Quarterly access reviews"


def test_a_refused_undo_writes_nothing_back(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Change approval"))
    test = testing.add_test(engagement, made.id, PLAN)
    items = testing.add_sample_items(engagement, test.id, [SampleItemInput(f"CHG-{n}") for n in (1, 2)])
    since = session_start(engagement)
    testing.delete_sample_items(engagement, [item.id for item in items])
    with engagement.writing() as conn:  # the second item's tombstone brought back outside the history
        conn.execute(sample_item.update().where(sample_item.c.id == items[1].id).values(deleted_at=None))

    with pytest.raises(ValidationError, match="sample item"):
        undo(engagement, since)
    assert [i.identifier for i in testing.list_sample_items(engagement, test.id)] == ["CHG-2"]


def test_recording_a_result_then_undoing_it(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Change approval"))
    test = testing.add_test(engagement, made.id, PLAN)
    item = testing.add_sample_items(engagement, test.id, [SampleItemInput("CHG-1")])[0]
    since = session_start(engagement)
    passed = replace(SampleItemInput("CHG-1"), result=SampleResult.NO_EXCEPTION)
    testing.update_sample_item(engagement, item.id, passed)

    undo(engagement, since)
    assert testing.list_sample_items(engagement, test.id)[0].result is None


def test_deleting_a_control_with_tests_says_first_what_goes_with_it(engagement: EngagementFile) -> None:
    from fieldwork.app.services.deleting import what_goes_with_control, what_goes_with_test

    made = controls.create_control(engagement, ControlInput("Change approval"), ["CC8.1"])
    test = testing.add_test(engagement, made.id, PLAN)
    items = testing.add_sample_items(engagement, test.id, [SampleItemInput(f"CHG-{n}") for n in (1, 2, 3)])
    deviations.add_deviation(engagement, test.id, DeviationInput("Approved late.", sample_items=(items[0].id,)))
    entries = len(list_history(engagement))

    said = what_goes_with_control(engagement, made.id)
    assert dict(said.counts) == {
        "control_test": 1,
        "sample_item": 3,
        "deviation": 1,
        "deviation_sample_item": 1,
        "control_requirement": 1,
    }
    assert said.sentence() == (
        "It also deletes 1 test, 3 sample items, 1 deviation, 1 link from a deviation to a sample item "
        "and 1 link to a requirement."
    )
    assert what_goes_with_test(engagement, test.id).sentence().startswith("It also deletes 3 sample items,")
    assert len(list_history(engagement)) == entries  # the preview kept nothing
    assert controls.get_control(engagement, made.id).ref == "C-001"

    controls.delete_control(engagement, made.id)
    assert controls.list_controls(engagement) == [] and testing.list_tests(engagement) == []


def test_a_cascaded_delete_is_undone_redone_and_undone_again(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Change approval"))
    test = testing.add_test(engagement, made.id, PLAN)
    items = testing.add_sample_items(engagement, test.id, [SampleItemInput(f"CHG-{n}") for n in (1, 2, 3)])
    deviations.add_deviation(engagement, test.id, DeviationInput("Approved late.", sample_items=(items[1].id,)))
    since = session_start(engagement)
    testing.delete_test(engagement, test.id)  # the item's link to the deviation goes by cascade

    for _ in range(2):
        undo(engagement, since)
        assert deviations.list_deviations(engagement, test.id)[0].sample_items == ("#2",)
        redo(engagement, since)
        assert testing.list_tests(engagement) == []


def test_a_finding_says_what_goes_with_it_and_comes_back_whole(demo: EngagementFile) -> None:
    from fieldwork.app.services import findings
    from fieldwork.app.services.deleting import what_goes_with_finding

    found = next(f for f in findings.list_findings(demo) if f.requirements)
    said = dict(what_goes_with_finding(demo, found.id).counts)
    assert said.get("finding_requirement") == len(found.requirements)
    since = session_start(demo)
    findings.delete_finding(demo, found.id)
    undo(demo, since)
    assert findings.get_finding(demo, found.id).requirements == found.requirements
