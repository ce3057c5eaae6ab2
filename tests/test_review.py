"""Review: who acts, sign-offs and their staleness, review notes, the tamper-evident history, finalizing."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from fieldwork.app.domain.ids import FindingId
from fieldwork.app.domain.judgements import ConclusionInput, CriterionConclusion, FindingInput, FindingKind
from fieldwork.app.domain.records import ControlInput, SampleItemInput, TeamMember, TestPlan
from fieldwork.app.domain.vocabulary import ImplementationStatus, Method, Role, TestKind
from fieldwork.app.errors import ReadOnlyError, ValidationError
from fieldwork.app.services import controls, soa, testing, workpapers
from fieldwork.app.services.conclusions import set_conclusion
from fieldwork.app.services.engagement import add_team_member, get_details, set_description_section, update_details
from fieldwork.app.services.finalizing import finalize, open_addendum
from fieldwork.app.services.findings import create_finding, update_finding
from fieldwork.app.services.history import list_history
from fieldwork.app.services.review_notes import NoteStatus, clear, list_notes, raise_note, respond
from fieldwork.app.services.signables import OPINION_KEY, READERS, ItemType
from fieldwork.app.services.signoffs import SignRole, changed_since_review, list_signoffs, sign
from fieldwork.app.services.verify import verify
from fieldwork.app.storage.engagement_file import EngagementFile

PREPARER, REVIEWER = SignRole.PREPARER, SignRole.REVIEWER
Acting = Callable[[str], None]


@pytest.fixture
def acting(monkeypatch: pytest.MonkeyPatch) -> Acting:
    """Switch who is at the keyboard (the profile's name, and so its initials)."""
    return lambda name: monkeypatch.setenv("FIELDWORK_USER", name)


def history_check(db: EngagementFile) -> tuple[bool, str]:
    found = [f for f in verify(db) if f.check == "history"]
    return all(f.ok for f in found), " ".join(f.detail for f in found)


def prepared_and_reviewed(
    db: EngagementFile, acting: Acting, kind: ItemType, key: str, by: tuple[str, str] = ("Dana Reyes", "Sam Ortiz")
) -> None:
    acting(by[0])
    sign(db, kind, key, PREPARER)
    acting(by[1])
    sign(db, kind, key, REVIEWER)


def test_the_history_records_the_team_member_and_only_members_sign(engagement: EngagementFile, acting: Acting) -> None:
    acting("Dana Reyes")
    made = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    assert list_history(engagement, 1)[0].person == "Dana Reyes (DR)"
    sign(engagement, ItemType.CONTROL, str(made.id), PREPARER)
    acting("Somebody Else")
    controls.update_control(engagement, made.id, ControlInput("Access review", owner="CISO"))
    assert list_history(engagement, 1)[0].person == "Somebody Else (SE)", "not on the team: the profile's name"
    with pytest.raises(ValidationError, match="Only a member of the engagement team can sign"):
        sign(engagement, ItemType.CONTROL, str(made.id), REVIEWER)


def test_review_follows_preparation_by_another_member(engagement: EngagementFile, acting: Acting) -> None:
    acting("Dana Reyes")
    key = str(controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"]).id)
    with pytest.raises(ValidationError, match="no preparer's sign-off yet"):
        sign(engagement, ItemType.CONTROL, key, REVIEWER)
    sign(engagement, ItemType.CONTROL, key, PREPARER)
    with pytest.raises(ValidationError, match="another member takes the other role"):
        sign(engagement, ItemType.CONTROL, key, REVIEWER)
    acting("Sam Ortiz")
    state = sign(engagement, ItemType.CONTROL, key, REVIEWER)
    assert state.preparer is not None and state.reviewer is not None
    assert (state.preparer.initials, state.reviewer.initials, state.complete) == ("DR", "SO", True)

    update_details(engagement, replace(get_details(engagement), allow_self_review=True))
    acting("Dana Reyes")
    again = sign(engagement, ItemType.CONTROL, key, REVIEWER)
    assert again.reviewer is not None and again.reviewer.initials == "DR"


def test_the_opinion_is_reviewed_by_the_quality_reviewer(engagement: EngagementFile, acting: Acting) -> None:
    add_team_member(engagement, TeamMember("Quinn Reviewer", "QR", Role.QUALITY_REVIEWER))
    acting("Dana Reyes")
    sign(engagement, ItemType.OPINION, OPINION_KEY, PREPARER)
    acting("Sam Ortiz")
    with pytest.raises(ValidationError, match="reviewed by the quality reviewer"):
        sign(engagement, ItemType.OPINION, OPINION_KEY, REVIEWER)
    acting("Quinn Reviewer")
    assert sign(engagement, ItemType.OPINION, OPINION_KEY, REVIEWER).complete


def _signed_items(db: EngagementFile, acting: Acting) -> dict[ItemType, str]:
    """One item of each kind, prepared and reviewed."""
    acting("Dana Reyes")
    made = controls.create_control(db, ControlInput("Change approval"), ["CC8.1", "8.1"])
    test = testing.add_test(db, made.ref, TestPlan(TestKind.OPERATING, "Inspected", (Method.INSPECTION,)))
    testing.add_sample_items(db, test.id, [SampleItemInput(f"CHG-{n}") for n in range(3)])
    set_conclusion(db, "8.1", ConclusionInput(CriterionConclusion.NOT_MET, "No planning."))
    raised = create_finding(db, FindingInput(FindingKind.MINOR, "Changes not planned.", ("8.1",)))
    set_description_section(db, "DC1", "Services provided.")
    items = {
        ItemType.CONTROL: str(made.id),
        ItemType.TEST: str(test.id),
        ItemType.CONCLUSION: "8.1",
        ItemType.FINDING: str(raised.id),
        ItemType.SOA_LINE: "A.6.2.5",
        ItemType.DESCRIPTION: "DC1",
    }
    for kind, key in items.items():
        prepared_and_reviewed(db, acting, kind, key)
    return items


def _edits(db: EngagementFile, items: dict[ItemType, str]) -> list[tuple[ItemType, Callable[[int], object]]]:
    """Changes a user can make to each signed item, numbered so each run changes something."""
    control_id = controls.get_control(db, "C-001").id
    test = testing.get_test(db, "C-001.T1")
    finding = FindingInput(FindingKind.MINOR, "Changes not planned.", ("8.1",))
    finding_id = FindingId(UUID(items[ItemType.FINDING]))
    return [
        (ItemType.CONTROL, lambda n: controls.update_control(db, control_id, ControlInput("Change", owner=f"O{n}"))),
        (ItemType.TEST, lambda n: testing.add_sample_items(db, test.id, [SampleItemInput(f"EXTRA-{n}")])),
        (
            ItemType.CONCLUSION,
            lambda n: set_conclusion(db, "8.1", ConclusionInput(CriterionConclusion.NOT_MET, f"No planning ({n}).")),
        ),
        (ItemType.FINDING, lambda n: update_finding(db, finding_id, replace(finding, statement=f"Not planned {n}."))),
        (
            ItemType.SOA_LINE,
            lambda n: soa.set_soa_line(
                db, "A.6.2.5", included=True, justification=f"J{n}", implementation_status=ImplementationStatus.PARTIAL
            ),
        ),
        (ItemType.DESCRIPTION, lambda n: set_description_section(db, "DC1", f"Services provided, version {n}.")),
    ]


def test_a_hundred_random_edits_to_signed_items_each_flag_the_sign_off(
    engagement: EngagementFile, acting: Acting
) -> None:
    items = _signed_items(engagement, acting)
    edits = _edits(engagement, items)
    rng = random.Random(16)
    for n in range(100):
        kind, edit = rng.choice(edits)
        key = items[kind]
        prepared_and_reviewed(engagement, acting, kind, key)  # signed again: fresh
        assert not list_signoffs(engagement, kind, key)[key].stale
        edit(n)
        state = list_signoffs(engagement, kind, key)[key]
        assert state.stale and state.preparer is not None and state.preparer.stale, (n, kind)
    changed = changed_since_review(engagement)
    assert changed and all(c.state.stale and c.changes for c in changed)


def test_changed_since_review_lists_the_old_and_new_values(engagement: EngagementFile, acting: Acting) -> None:
    items = _signed_items(engagement, acting)
    set_description_section(engagement, "DC1", "Services provided, revised.")
    [changed] = changed_since_review(engagement)
    assert (changed.state.item.item_type, changed.state.item.key) == (ItemType.DESCRIPTION, items[ItemType.DESCRIPTION])
    [entry] = changed.changes
    assert entry.old_values == {"text": "Services provided."}
    assert entry.new_values == {"text": "Services provided, revised."}
    prepared_and_reviewed(engagement, acting, ItemType.DESCRIPTION, "DC1")
    assert changed_since_review(engagement) == [], "signing again clears it"


def test_a_review_note_is_raised_answered_and_cleared(engagement: EngagementFile, acting: Acting) -> None:
    acting("Dana Reyes")
    made = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    acting("Sam Ortiz")
    note = raise_note(engagement, ItemType.CONTROL, str(made.id), "Name the owner of the review.")
    assert (note.ref, note.item_ref, note.status) == ("RN-001", "C-001", NoteStatus.OPEN)
    assert note.raised_by == "Sam Ortiz (SO)"
    acting("Dana Reyes")
    answered = respond(engagement, note.ref, "The CISO owns it; the description now says so.")
    assert answered.status is NoteStatus.ANSWERED and answered.responded_by == "Dana Reyes (DR)"
    with pytest.raises(ValidationError, match="the reviewer clears it"):
        clear(engagement, note.ref)
    acting("Sam Ortiz")
    assert clear(engagement, note.ref).status is NoteStatus.CLEARED
    assert list_notes(engagement, open_only=True) == []


TAMPERINGS = ("edit", "delete", "swap", "insert")


def _tamper(db: EngagementFile, how: str, rng: random.Random) -> int:
    """What someone with the passphrase could do to the history, triggers removed first; returns the position."""
    with db.writing() as conn:
        conn.exec_driver_sql("DROP TRIGGER history_no_update")
        conn.exec_driver_sql("DROP TRIGGER history_no_delete")
        rows = conn.exec_driver_sql("SELECT origin, seq, person FROM history ORDER BY origin, seq").all()
        origin, seq, _person = rows[rng.randrange(1, len(rows) - 1)]
        where = "WHERE origin = ? AND seq = ?"
        if how == "edit":
            conn.exec_driver_sql(f"UPDATE history SET person = 'Someone else' {where}", (origin, seq))
        elif how == "delete":
            conn.exec_driver_sql(f"DELETE FROM history {where}", (origin, seq))
        elif how == "swap":
            conn.exec_driver_sql("UPDATE history SET seq = -1 " + where, (origin, seq))
            conn.exec_driver_sql("UPDATE history SET seq = ? " + where, (seq, origin, seq + 1))
            conn.exec_driver_sql("UPDATE history SET seq = ? WHERE origin = ? AND seq = -1", (seq + 1, origin))
        else:
            conn.exec_driver_sql("UPDATE history SET seq = seq + 100000 WHERE origin = ? AND seq >= ?", (origin, seq))
            conn.exec_driver_sql("UPDATE history SET seq = seq - 99999 WHERE origin = ? AND seq >= 100000", (origin,))
            conn.exec_driver_sql(
                "INSERT INTO history SELECT origin, ?, at_utc, person, action, item_type, item_id, old_values, "
                "new_values, prev_hash, hash FROM history WHERE origin = ? AND seq = ?",
                (seq, origin, seq - 1),
            )
    return seq


@pytest.mark.parametrize("how", TAMPERINGS)
def test_tampering_anywhere_in_the_history_is_found_by_position(demo: EngagementFile, how: str) -> None:
    assert history_check(demo)[0]
    rng = random.Random(TAMPERINGS.index(how))
    for _ in range(3):
        seq = _tamper(demo, how, rng)
        ok, detail = history_check(demo)
        assert (not ok and f"entry {seq}" in detail) or f"entries {seq}" in detail, (how, seq, detail)
        break


def test_cutting_the_history_is_found_against_the_head_a_sign_off_recorded(
    demo: EngagementFile, acting: Acting
) -> None:
    control = controls.get_control(demo, "C-001")
    prepared_and_reviewed(demo, acting, ItemType.CONTROL, str(control.id), ("Owen Castellano", "Hannah Brightwater"))
    with demo.writing() as conn:
        conn.exec_driver_sql("DROP TRIGGER history_no_delete")
        last = conn.exec_driver_sql("SELECT max(seq) FROM history").scalar_one()
        conn.exec_driver_sql("DELETE FROM history WHERE seq > ?", (last - 5,))
    ok, detail = history_check(demo)
    assert not ok and "which is no longer there" in detail


def test_the_history_refuses_to_be_changed_in_the_file(engagement: EngagementFile) -> None:
    with pytest.raises(Exception, match="append-only"), engagement.writing() as conn:
        conn.exec_driver_sql("UPDATE history SET person = 'x' WHERE seq = 1")
    with pytest.raises(Exception, match="append-only"), engagement.writing() as conn:
        conn.exec_driver_sql("DELETE FROM history WHERE seq = 1")


def test_a_completion_item_is_reviewed_by_the_quality_reviewer(engagement: EngagementFile, acting: Acting) -> None:
    papers = workpapers.list_workpapers(engagement)
    item = next(str(p.id) for p in papers if p.fields.completion_item)
    other = next(str(p.id) for p in papers if not p.fields.completion_item)
    prepared_and_reviewed(engagement, acting, ItemType.WORKPAPER, other)
    acting("Dana Reyes")
    sign(engagement, ItemType.WORKPAPER, item, PREPARER)
    acting("Sam Ortiz")
    with pytest.raises(ValidationError, match="is reviewed by the quality reviewer"):
        sign(engagement, ItemType.WORKPAPER, item, REVIEWER)
    add_team_member(engagement, TeamMember("Quinn Reviewer", "QR", Role.QUALITY_REVIEWER))
    acting("Quinn Reviewer")
    assert sign(engagement, ItemType.WORKPAPER, item, REVIEWER).complete


def test_finalizing_is_refused_with_open_items_and_then_the_file_is_read_only(
    engagement: EngagementFile, acting: Acting
) -> None:
    acting("Dana Reyes")
    with pytest.raises(ValidationError, match="sign-offs missing or stale") as refused:
        finalize(engagement, date(2027, 1, 15))
    assert "A.2.2: a preparer's sign-off missing" in str(refused.value)
    assert "completion items not complete: A-" in str(refused.value)
    for paper in workpapers.list_workpapers(engagement):  # completing them is test_workpapers' subject
        if paper.fields.completion_item:
            workpapers.delete_workpaper(engagement, paper.id)
    for kind in ItemType:
        for key in list_signoffs(engagement, kind):
            prepared_and_reviewed(engagement, acting, kind, key) if kind is not ItemType.OPINION else None
    add_team_member(engagement, TeamMember("Quinn Reviewer", "QR", Role.QUALITY_REVIEWER))
    acting("Dana Reyes")
    sign(engagement, ItemType.OPINION, OPINION_KEY, PREPARER)
    acting("Quinn Reviewer")
    sign(engagement, ItemType.OPINION, OPINION_KEY, REVIEWER)
    acting("Sam Ortiz")
    note = raise_note(engagement, ItemType.DESCRIPTION, "DC1", "Describe the services.")
    with pytest.raises(ValidationError, match="1 review notes open: RN-001"):
        finalize(engagement, date(2027, 1, 15))
    clear(engagement, note.ref)

    done = finalize(engagement, date(2027, 1, 15))
    assert (done.completion_date, done.retention_until) == (date(2027, 3, 16), date(2032, 1, 15))
    assert done.manifest["history_heads"] and "evidence" in done.manifest
    assert get_details(engagement).documentation_completion_date == date(2027, 3, 16)
    with pytest.raises(ReadOnlyError, match="open an addendum"):
        set_description_section(engagement, "DC1", "Too late.")
    with pytest.raises(ValidationError, match="needs its reason"):
        open_addendum(engagement, " ")
    ref = open_addendum(engagement, "The client corrected the name of a service after release.")
    set_description_section(engagement, "DC1", "Services provided (corrected).")
    assert list_history(engagement, 1)[0].person == f"Sam Ortiz (SO), addendum {ref}"
    with pytest.raises(ReadOnlyError, match="nothing in it can be deleted"):
        controls.delete_control(engagement, controls.create_control(engagement, ControlInput("Late")).id)
    assert history_check(engagement)[0]


def test_an_item_reads_the_same_alone_as_among_all_of_its_kind(demo: EngagementFile) -> None:
    """Staleness compares the hash signed (one item read) with the hash shown in lists (all read at once)."""
    from fieldwork.app.services.signables import read_items

    with demo.reading() as conn:
        for kind in ItemType:
            every = read_items(conn, kind)
            assert every, kind
            for key, item in list(every.items())[:40]:
                assert read_items(conn, kind, key)[key].content_hash == item.content_hash, (kind, item.ref)


def test_the_demo_has_sign_offs_some_changed_after_review_and_notes_in_each_state(demo: EngagementFile) -> None:
    stale = {changed.state.item.ref: changed for changed in changed_since_review(demo)}
    assert set(stale) == {"C-003", "DC7"}, "only what changed after review"
    [owner] = stale["C-003"].changes
    assert owner.old_values == {"owner": "People Operations Manager"} and owner.person == "Owen Castellano (OC)"
    reviewed = [s for kind in ItemType for s in list_signoffs(demo, kind).values() if s.complete]
    assert len(reviewed) >= 30
    assert {note.status for note in list_notes(demo)} == set(NoteStatus)
    people = {entry.person for entry in list_history(demo, 100_000)}
    assert {"Priya Nandakumar (PN)", "Owen Castellano (OC)", "Hannah Brightwater (HB)"} <= people


def test_changed_since_review_hashes_only_the_items_signed(
    engagement: EngagementFile, acting: Acting, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every item of every kind was hashed to find the few signed ones changed: 450 of 750 ms at `--scale 20`."""
    acting("Dana Reyes")
    made = [controls.create_control(engagement, ControlInput(f"Control {n}"), ["CC6.2"]) for n in range(3)]
    signed = str(made[0].id)
    sign(engagement, ItemType.CONTROL, signed, PREPARER)
    controls.update_control(engagement, made[0].id, ControlInput("Control 0", owner="CISO"))
    asked: list[tuple[ItemType, str | None]] = []

    def spying(kind: ItemType, read: Callable[..., Any]) -> Callable[..., Any]:
        def spy(conn: Any, key: str | None) -> Any:
            asked.append((kind, key))
            return read(conn, key)

        return spy

    for kind, read in list(READERS.items()):
        monkeypatch.setitem(READERS, kind, spying(kind, read))
    [changed] = changed_since_review(engagement)
    assert changed.state.item.key == signed
    assert asked == [(ItemType.CONTROL, signed)]
