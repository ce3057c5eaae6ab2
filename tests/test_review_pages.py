"""The reads behind the review screens, without Qt: an item's history, staleness in bulk, the dashboard's summary."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from fieldwork.app.domain.judgements import FindingInput, FindingKind
from fieldwork.app.domain.records import ControlInput
from fieldwork.app.pages.findings import load_findings_page
from fieldwork.app.pages.review import (
    describe,
    load_finalizing_page,
    load_item_history,
    load_item_review,
    load_review_summary,
    load_who_acts,
    read_stale,
)
from fieldwork.app.services import controls, signables
from fieldwork.app.services.engagement import get_details, update_details
from fieldwork.app.services.findings import create_finding, update_finding
from fieldwork.app.services.review_notes import raise_note, respond
from fieldwork.app.services.signables import ItemType
from fieldwork.app.services.signoffs import SignRole, sign
from fieldwork.app.storage.engagement_file import EngagementFile
from tests.conftest import Acting


def test_an_items_history_holds_its_changes_and_its_review_and_nothing_of_other_items(
    engagement: EngagementFile, acting: Acting
) -> None:
    acting("Dana Reyes")
    made = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    other = controls.create_control(engagement, ControlInput("Backups"), ["A1.2"])
    key = str(made.id)
    sign(engagement, ItemType.CONTROL, key, SignRole.PREPARER)
    controls.update_control(engagement, made.id, ControlInput("Access review", owner="CISO"))
    controls.update_control(engagement, other.id, ControlInput("Backups", owner="CTO"))
    acting("Sam Ortiz")
    raise_note(engagement, ItemType.CONTROL, key, "Who approves removals?")

    lines = [describe(e) for e in load_item_history(engagement, ItemType.CONTROL, key)]
    assert lines[0] == "review note added: RN-001"
    assert "control: owner: (empty) → CISO" in lines
    assert "signed as preparer" in lines
    assert any(line.startswith("control requirement added") for line in lines), "its links are part of it"
    assert not any("CTO" in line for line in lines), "another control's change is not its history"


def test_an_items_review_names_its_sign_offs_open_notes_and_who_is_acting(
    engagement: EngagementFile, acting: Acting
) -> None:
    acting("Dana Reyes")
    key = str(controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"]).id)
    sign(engagement, ItemType.CONTROL, key, SignRole.PREPARER)
    acting("Sam Ortiz")
    note = raise_note(engagement, ItemType.CONTROL, key, "Attach the ticket.")
    review = load_item_review(engagement, ItemType.CONTROL, key)
    assert review.state is not None and review.state.preparer is not None
    assert (review.state.preparer.initials, review.state.reviewer, review.acting and review.acting.initials) == (
        "DR",
        None,
        "SO",
    )
    assert [n.ref for n in review.open_notes] == [note.ref]
    assert load_item_review(engagement, ItemType.CONCLUSION, "CC6.2").state is None, "no conclusion recorded yet"
    acting("Somebody Else")
    assert load_who_acts(engagement).acting is None
    assert [m.initials for m in load_who_acts(engagement).team] == ["DR", "SO"]


def test_the_summary_counts_open_notes_and_changed_items_and_counts_down_once_released(
    engagement: EngagementFile, acting: Acting
) -> None:
    acting("Dana Reyes")
    made = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    raised = create_finding(engagement, FindingInput(FindingKind.MINOR, "Reviews missed.", ("9.3",)))
    for kind, key in ((ItemType.CONTROL, str(made.id)), (ItemType.FINDING, str(raised.id))):
        sign(engagement, kind, key, SignRole.PREPARER)
    summary = load_review_summary(engagement)
    assert (summary.open_notes, summary.stale, summary.days_left(date(2027, 1, 1))) == (0, 0, None)

    update_finding(engagement, raised.id, FindingInput(FindingKind.MINOR, "Reviews missed twice.", ("9.3",)))
    acting("Sam Ortiz")
    first = raise_note(engagement, ItemType.CONTROL, str(made.id), "Owner?")
    raise_note(engagement, ItemType.CONTROL, str(made.id), "Frequency?")
    acting("Dana Reyes")
    respond(engagement, first.ref, "The CISO.")
    details = get_details(engagement)
    update_details(
        engagement,
        replace(details, report_release_date=date(2027, 1, 15), documentation_completion_date=date(2027, 3, 16)),
    )
    summary = load_review_summary(engagement)
    assert (summary.open_notes, summary.answered_notes, summary.stale) == (2, 1, 1)
    assert summary.days_left(date(2027, 3, 1)) == 15
    [row] = load_findings_page(engagement).rows
    assert row.changed_after_review


def test_finalizing_lists_what_stops_it(engagement: EngagementFile) -> None:
    page = load_finalizing_page(engagement)
    assert page.finalized is None and page.completion_days == 60
    [signoffs] = [b for b in page.blockers if b.title.endswith("sign-offs missing or stale")]
    assert signoffs.title == f"{len(signoffs.problems)} sign-offs missing or stale"
    assert "A.2.2: a preparer's sign-off missing" in signoffs.problems


def test_changed_items_are_the_same_read_one_by_one_or_all_at_once(
    engagement: EngagementFile, acting: Acting, monkeypatch: pytest.MonkeyPatch
) -> None:
    acting("Dana Reyes")
    made = [controls.create_control(engagement, ControlInput(f"Control {n}"), ["CC6.2"]) for n in range(3)]
    for found in made:
        sign(engagement, ItemType.CONTROL, str(found.id), SignRole.PREPARER)
    controls.update_control(engagement, made[1].id, ControlInput("Control 1", owner="CISO"))
    with engagement.reading() as conn:
        one_by_one = read_stale(conn)
        monkeypatch.setattr(signables, "ONE_BY_ONE", 0)
        assert read_stale(conn) == one_by_one == {(ItemType.CONTROL, str(made[1].id))}
