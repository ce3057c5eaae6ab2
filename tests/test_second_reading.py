"""Defects found on a second reading, each pinned by what a user would have met."""

from __future__ import annotations

import errno
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldwork.app.domain.records import ControlInput, SampleItemInput, TestPlan
from fieldwork.app.domain.sampling import PopulationItemInput
from fieldwork.app.domain.vocabulary import Conclusion, Method, SampleResult, TestKind
from fieldwork.app.errors import FieldworkError, NotFoundError, ValidationError
from fieldwork.app.services import controls, population, testing
from fieldwork.app.services import engagement as engagement_service
from fieldwork.app.services.history import changes
from fieldwork.app.services.pasted_rows import parse_pasted_rows
from fieldwork.app.storage.atomic import atomic_target
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.storage.schema import control, history
from tests.conftest import TEAM, type2_details
from tests.test_records import record_type2_test


def test_two_team_members_with_the_same_initials_are_refused_before_any_file(tmp_path: Path) -> None:
    path = tmp_path / "twins.fieldwork"
    team = (*TEAM, replace(TEAM[0], name="Dan Ray", initials="dr"))
    with pytest.raises(ValidationError, match="Initials DR are given to two team members"):
        engagement_service.create_engagement(path, type2_details(), team)
    assert list(tmp_path.iterdir()) == []


def test_a_pasted_date_that_does_not_exist_is_refused_in_a_sentence() -> None:
    with pytest.raises(ValidationError, match=r"Row 2: '31/02/2026' is not a date"):
        parse_pasted_rows("CHG-1\t2026-02-01\nCHG-2\t31/02/2026")
    assert parse_pasted_rows("CHG-1\t13/05/2026")[0].item_date == date(2026, 5, 13)
    assert parse_pasted_rows("CHG-1\t05/13/2026")[0].item_date == date(2026, 5, 13)
    assert parse_pasted_rows("CHG-1\t04/04/2026")[0].item_date == date(2026, 4, 4)
    with pytest.raises(ValidationError, match="could be read two ways"):
        parse_pasted_rows("CHG-1\t03/04/2026")


def test_a_database_error_never_carries_the_clients_data(engagement: EngagementFile) -> None:
    """Errors are logged in plain text: the statement's values (the client's words) must stay out of them."""
    row = {"ref": "C-001", "title": "Secret merger review", "frequency": "annual", "nature": "manual"}
    with pytest.raises(Exception) as raised, changes(engagement) as ch:
        ch.insert(control, {**row, "control_type": "preventive"})
        ch.insert(control, {**row, "control_type": "detective"})
    assert "UNIQUE" in str(raised.value) and "Secret merger review" not in str(raised.value)


def test_a_deviation_found_after_a_clean_conclusion_changes_the_conclusion(engagement: EngagementFile) -> None:
    _control_id, test_id = record_type2_test(engagement, deviations=0)
    testing.conclude(engagement, test_id, Conclusion.NO_EXCEPTIONS)
    item = testing.list_sample_items(engagement, test_id)[3]
    found = SampleItemInput(item.identifier, item.item_date, SampleResult.DEVIATION, "x", "No approval recorded")
    testing.update_sample_item(engagement, item.id, found)
    assert testing.get_test(engagement, test_id).conclusion is Conclusion.EXCEPTIONS

    _control_id, other = record_type2_test(engagement, deviations=0)
    testing.conclude(engagement, other, Conclusion.NO_EXCEPTIONS)
    late = SampleItemInput("CHG-99", None, SampleResult.DEVIATION, "", "Approved after deployment")
    testing.add_sample_items(engagement, other, [late])
    assert testing.get_test(engagement, other).conclusion is Conclusion.EXCEPTIONS


def test_a_seed_beyond_an_sqlite_integer_is_refused(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Backups"), ["A1.2"])
    test = testing.add_test(engagement, made.ref, TestPlan(TestKind.OPERATING, methods=(Method.INSPECTION,)))
    with pytest.raises(ValidationError, match="seed is a whole number"):
        testing.update_plan(engagement, test.id, TestPlan(TestKind.OPERATING, methods=(Method.INSPECTION,), seed=2**63))
    largest = TestPlan(TestKind.OPERATING, methods=(Method.INSPECTION,), seed=2**63 - 1)
    assert testing.update_plan(engagement, test.id, largest).seed == 2**63 - 1


def test_dismissing_a_suggestion_twice_is_one_dismissal(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Quarterly access review"), ["CC6.1"])
    code = controls.suggestions(engagement, made.id)[0].code
    controls.dismiss_suggestion(engagement, made.id, code)
    controls.dismiss_suggestion(engagement, made.id, code)  # a double click: the second finds it done
    assert code not in {s.code for s in controls.suggestions(engagement, made.id)}
    with pytest.raises(NotFoundError):
        controls.dismiss_suggestion(engagement, 999, code)


def test_a_tickmark_in_use_stays_in_the_legend(engagement: EngagementFile) -> None:
    record_type2_test(engagement, deviations=1)  # items marked "a b" and "x"
    with pytest.raises(ValidationError, match="Tickmark a is used on 24 sample item"):
        engagement_service.remove_tickmark(engagement, "a")
    engagement_service.remove_tickmark(engagement, "c")  # in no item's marks
    assert [mark.symbol for mark in engagement_service.list_tickmarks(engagement)] == ["a", "b", "x"]


def test_changing_what_was_deleted_a_moment_ago_is_said_in_a_sentence(engagement: EngagementFile) -> None:
    member = engagement_service.list_team(engagement)[0]
    assert member.id is not None
    engagement_service.remove_team_member(engagement, member.id)
    with pytest.raises(NotFoundError, match="no longer exists"):
        engagement_service.remove_team_member(engagement, member.id)  # the button pressed twice
    _control_id, test_id = record_type2_test(engagement, deviations=0)
    item = testing.list_sample_items(engagement, test_id)[0]
    testing.delete_sample_items(engagement, [item.id])
    with pytest.raises(NotFoundError, match="no longer exists"):
        testing.update_sample_item(engagement, item.id, SampleItemInput(item.identifier))


def test_removing_a_population_typed_by_hand_records_each_row(engagement: EngagementFile) -> None:
    _control_id, test_id = record_type2_test(engagement, deviations=0)
    testing.delete_sample_items(engagement, [i.id for i in testing.list_sample_items(engagement, test_id)])
    items = [PopulationItemInput(f"CHG-{n}", date(2026, 2, n + 1)) for n in range(5)]
    entered = population.enter_population(engagement, test_id, items)
    population.remove_population(engagement, test_id)
    query = select(history.c.item_id).where(history.c.action == "delete", history.c.item_type == "population_row")
    with engagement.reading() as conn:
        removed = conn.execute(query).scalars().all()
    assert sorted(removed) == [f"{entered.id}/{n}" for n in range(1, 6)]


def test_an_export_the_disk_cannot_take_is_a_sentence_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.pdf"
    with pytest.raises(FieldworkError, match="the disk is full"), atomic_target(target) as temporary:
        temporary.write_bytes(b"%PDF-")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert list(tmp_path.iterdir()) == []

    def refused(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    with pytest.raises(FieldworkError, match="permission denied"), atomic_target(target):
        pass
