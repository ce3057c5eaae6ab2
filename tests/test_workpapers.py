"""Engagement workpapers: the templates a new engagement starts with (and the firm's own), completing one, the dates
that must agree with the report release date, evidence kept on a workpaper, and the stage derived from the file."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from fieldwork.app.cli.main import main
from fieldwork.app.domain.records import SampleItemInput, TeamMember, TestPlan
from fieldwork.app.domain.vocabulary import Conclusion, EngagementStage, Method, Role, TestKind
from fieldwork.app.domain.workpapers import Answer, Workpaper, WorkpaperFields, WorkpaperKind
from fieldwork.app.errors import ValidationError
from fieldwork.app.services import engagement as engagement_service
from fieldwork.app.services import evidence as ev
from fieldwork.app.services import testing, workpapers
from fieldwork.app.services.engagement import create_engagement, read_team
from fieldwork.app.services.history import changes
from fieldwork.app.services.stage import get_stage
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.storage.schema import finalization
from fieldwork.app.template_files import firm_folder
from fieldwork.app.workpaper_templates import load_workpaper_templates
from tests.conftest import TEAM, type2_details
from tests.evidence_helpers import write_file
from tests.sampling_helpers import assess_population, operating_test

BUNDLED = ["A-100", "A-200", "A-300", "A-400", "B-100", "C-100", "C-200", "C-300", "C-400", "C-500"]


def by_ref(db: EngagementFile, ref: str) -> Workpaper:
    return next(w for w in workpapers.list_workpapers(db) if w.ref == ref)


def answer_all(db: EngagementFile, found: Workpaper) -> Workpaper:
    for item in found.items:
        found = workpapers.answer_item(db, item.id, Answer.YES, "Done.")
    return found


def write_firm(name: str, document: object | str) -> Path:
    folder = firm_folder() / "workpapers"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document, indent=1), encoding="utf-8")
    return path


def set_release_date(db: EngagementFile, release: date | None) -> None:
    details = engagement_service.get_details(db)
    engagement_service.update_details(db, replace(details, report_release_date=release))


# --- templates -----------------------------------------------------------------------------------------------


def test_a_new_engagement_starts_with_the_ten_workpapers_of_the_templates(engagement: EngagementFile) -> None:
    library = load_workpaper_templates()
    assert [t.fields.ref for t in library.templates] == BUNDLED and library.problems == ()
    made = workpapers.list_workpapers(engagement)
    assert [w.ref for w in made] == BUNDLED
    assert {w.ref: w.kind for w in made}["C-100"] is WorkpaperKind.LETTER
    independence = by_ref(engagement, "A-200")
    members = [item.prompt for item in independence.items if item.person_id is not None]
    assert [prompt.split(" (")[0] for prompt in members] == [m.name for m in TEAM], "a confirmation per member"
    assert not any(w.complete for w in made), "nothing is complete before the auditor's work"
    assert [c.ref for c in workpapers.completion_items(engagement)] == [
        "A-200",
        "B-100",
        "C-100",
        "C-200",
        "C-300",
        "C-400",
        "C-500",
    ]


def test_the_firms_own_template_is_added_and_one_named_like_a_bundled_one_replaces_it(tmp_path: Path) -> None:
    write_firm("bridge_letter", {"ref": "C-150", "title": "Bridge letter", "kind": "letter", "signer": True})
    write_firm("materiality", {"ref": "A-400", "title": "Materiality (firm policy MP-7)", "kind": "memo", "body": "x"})
    db, warnings = create_engagement(tmp_path / "firm.fieldwork", type2_details(), TEAM)
    try:
        made = {w.ref: w for w in workpapers.list_workpapers(db)}
    finally:
        db.close()
    assert warnings == ()
    assert made["C-150"].title == "Bridge letter" and made["C-150"].shape.asks_signer
    assert made["A-400"].title == "Materiality (firm policy MP-7)"
    assert list(made) == sorted(made, key=lambda ref: (ref[0], int(ref[2:]))), "in index order"


@pytest.mark.parametrize(
    ("document", "line", "says"),
    [
        ('{\n "ref": "D-100",\n "title": "Going concern",\n "kind": "essay",\n "body": "x"\n}', 4, "'kind' is 'essay'"),
        ('{\n "ref": "D-100",\n "title": "Going concern"\n "kind": "memo"\n}', 4, "not valid JSON"),
        ('{\n "ref": "A-100",\n "title": "Second acceptance",\n "kind": "memo",\n "body": "x"\n}', 2, "already"),
        ('{\n "ref": "D100",\n "title": "Going concern",\n "kind": "memo",\n "body": "x"\n}', 2, "index reference"),
        ('{\n "ref": "D-100",\n "title": "Going concern",\n "kind": "checklist"\n}', 4, "needs 'items'"),
    ],
    ids=["bad kind", "bad JSON", "duplicate ref", "bad ref", "checklist without items"],
)
def test_a_broken_firm_template_is_refused_naming_the_file_and_the_line(
    tmp_path: Path, document: str, line: int, says: str
) -> None:
    path = write_firm("zz_going_concern", document)
    library = load_workpaper_templates()
    assert [t.fields.ref for t in library.templates] == BUNDLED, "left out; every other template still loads"
    [problem] = library.problems
    assert problem.startswith(f"{path}, line {line}:") and says in problem
    db, warnings = create_engagement(tmp_path / "broken.fieldwork", type2_details(), TEAM)
    db.close()
    assert warnings == (f"Workpaper template left out: {problem}",), "creating an engagement says so"


def test_fieldwork_new_prints_a_broken_template_as_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_firm("broken", '{"ref": "D-1", "title": "x", "kind": "memo", "body": "x", "colour": "red"}')
    target = tmp_path / "new.fieldwork"
    assert main(["new", str(target), "--client", "C", "--system", "S", "--type1", "2026-03-31", "--unencrypted"]) == 0
    assert f"{path}, line 1: there is no field 'colour'" in capsys.readouterr().err


def test_an_engagement_made_before_a_template_gets_its_workpaper_on_request(engagement: EngagementFile) -> None:
    write_firm("bridge_letter", {"ref": "C-150", "title": "Bridge letter", "kind": "letter"})
    library = load_workpaper_templates()
    with engagement.reading() as conn:
        wanted = workpapers.missing_templates(conn, library.templates)
    assert [t.fields.ref for t in wanted] == ["C-150"]
    [added] = workpapers.add_from_templates(engagement, wanted)
    assert added.ref == "C-150" and by_ref(engagement, "C-150").shape.template == "bridge_letter"


# --- the record ----------------------------------------------------------------------------------------------


def test_an_index_reference_is_editable_unique_and_a_100_style(engagement: EngagementFile) -> None:
    found = by_ref(engagement, "A-100")
    renamed = workpapers.update_workpaper(engagement, found.id, replace(found.fields, ref="a-110"))
    assert renamed.ref == "A-110", "stored in upper case"
    with pytest.raises(ValidationError, match="A-200 is already the reference of Independence confirmations"):
        workpapers.update_workpaper(engagement, found.id, replace(found.fields, ref="A-200"))
    with pytest.raises(ValidationError, match="'A100' is not an index reference like A-100"):
        workpapers.update_workpaper(engagement, found.id, replace(found.fields, ref="A100"))
    own = workpapers.create_workpaper(engagement, WorkpaperFields("A-100", "Engagement budget", WorkpaperKind.MEMO))
    assert own.ref == "A-100", "a reference given up is free again"


def test_a_workpaper_is_complete_only_with_every_answer_and_once_marked(engagement: EngagementFile) -> None:
    found = by_ref(engagement, "A-100")
    with pytest.raises(ValidationError, match=r"A-100 is not complete yet: 8 of 8 item\(s\) not answered"):
        workpapers.mark_complete(engagement, found.id)
    found = answer_all(engagement, found)
    found = workpapers.answer_item(engagement, found.items[2].id, Answer.NO)
    assert found.missing == ("Item 3 is answered No without a note saying what was done about it",)
    found = workpapers.answer_item(engagement, found.items[2].id, Answer.NO, "Declined the CFO's request; approved.")
    assert found.missing == () and not found.complete, "nothing missing, but not yet marked"
    [item] = [c for c in workpapers.completion_items(engagement) if c.ref == "A-200"]
    assert not item.complete and "Not marked complete" in item.reasons
    assert workpapers.mark_complete(engagement, found.id).complete
    again = workpapers.add_item(engagement, found.id, "Were the fees agreed in the engagement letter?")
    assert not again.complete and again.missing == ("1 of 9 item(s) not answered (9)",), "says why it no longer is"


def test_a_new_team_member_owes_a_confirmation_until_their_line_is_answered(engagement: EngagementFile) -> None:
    independence = answer_all(engagement, by_ref(engagement, "A-200"))
    assert independence.missing == ()
    engagement_service.add_team_member(engagement, TeamMember("Lee Park", "LP", Role.STAFF))
    assert by_ref(engagement, "A-200").missing == ("No confirmation from Lee Park (LP)",)
    added = workpapers.add_member_lines(engagement, independence.id)
    assert added.items[-1].prompt.startswith("Lee Park (LP, staff) confirms independence")
    assert workpapers.answer_item(engagement, added.items[-1].id, Answer.YES).missing == ()


def test_a_memo_links_the_criteria_and_controls_of_its_risks(engagement: EngagementFile) -> None:
    from fieldwork.app.domain.records import ControlInput
    from fieldwork.app.services import controls

    made = controls.create_control(engagement, ControlInput("Annual risk assessment"), ["CC3.2"])
    risk = by_ref(engagement, "A-300")
    linked = workpapers.set_links(engagement, risk.id, ["CC3.2", "CC3.3", "6.1.2"], [made.id])
    assert linked.requirements == ("6.1.2", "CC3.2", "CC3.3") and linked.controls == (made.ref,)
    assert workpapers.set_links(engagement, risk.id, ["CC3.3"], []).requirements == ("CC3.3",)


# --- the dates that must agree ----------------------------------------------------------------------------------


def sign(db: EngagementFile, ref: str, on: date) -> Workpaper:
    found = by_ref(db, ref)
    fields = replace(found.fields, dated=on, signed_by="Maya Lindqvist", signer_title="Chief Executive Officer")
    return workpapers.update_workpaper(db, found.id, fields)


def test_the_report_release_date_cannot_precede_the_signed_assertion_or_the_representations(
    engagement: EngagementFile,
) -> None:
    sign(engagement, "C-100", date(2027, 1, 20))
    with pytest.raises(ValidationError, match=r"release date \(2027-01-15\) cannot precede Management's assertion"):
        set_release_date(engagement, date(2027, 1, 15))
    set_release_date(engagement, date(2027, 1, 20))
    with pytest.raises(ValidationError, match=r"cannot precede Written representations \(C-200\), dated 2027-01-21"):
        sign(engagement, "C-200", date(2027, 1, 21))
    assert by_ref(engagement, "C-200").fields.dated is None, "the refused date was not kept"
    signed = sign(engagement, "C-200", date(2027, 1, 20))
    assert not any("date" in reason for reason in signed.missing), "dated as of the report date"


def test_subsequent_events_run_through_the_report_date(engagement: EngagementFile) -> None:
    found = answer_all(engagement, by_ref(engagement, "C-300"))
    assert found.missing == ("The date is not recorded (Procedures performed through)",)
    found = workpapers.update_workpaper(engagement, found.id, replace(found.fields, dated=date(2027, 1, 10)))
    assert found.missing == (
        "The report release date is not recorded, so these procedures cannot be shown to run to it",
    )
    set_release_date(engagement, date(2027, 1, 20))
    assert by_ref(engagement, "C-300").missing == (
        "The procedures run to 2027-01-10, before the report release date 2027-01-20: extend them to the report date",
    )
    with pytest.raises(ValidationError, match="extend them to the report date"):
        workpapers.mark_complete(engagement, found.id)
    found = workpapers.update_workpaper(engagement, found.id, replace(found.fields, dated=date(2027, 1, 20)))
    assert found.missing == () and workpapers.mark_complete(engagement, found.id).complete


# --- evidence and the stage --------------------------------------------------------------------------------------


def test_evidence_is_linked_to_a_workpaper_and_stays_when_the_workpaper_goes(
    engagement: EngagementFile, tmp_path: Path
) -> None:
    letter = by_ref(engagement, "C-100")
    target = ev.find_link(engagement, ev.LinkKind.WORKPAPER, "c-100")
    [kept] = ev.attach_files(engagement, [write_file(tmp_path / "Signed assertion.pdf", 2000)], [target])
    assert kept.used_by == ("C-100",)
    assert by_ref(engagement, "C-100").evidence == (kept.ref,)
    assert [use.label for use in ev.where_used(engagement, kept.id)] == [letter.title]
    workpapers.delete_workpaper(engagement, letter.id)
    assert ev.get_evidence(engagement, kept.ref).used_by == (), "the file stays in the library, unlinked"
    assert "C-100" not in [w.ref for w in workpapers.list_workpapers(engagement)]


def test_evidence_add_links_a_file_to_a_workpaper_by_its_reference(
    engagement: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_file(tmp_path / "Representation letter.pdf", 1000)
    engagement.close()
    assert main(["evidence", "add", str(engagement.path), str(path), "--workpaper", "C-200"]) == 0
    assert main(["evidence", "list", str(engagement.path), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert listed[0]["used_by"] == ["C-200"]


def test_the_stage_follows_the_file(engagement: EngagementFile) -> None:
    assert get_stage(engagement).stage is EngagementStage.PLANNING
    test_id = operating_test(engagement)
    testing.update_plan(engagement, test_id, TestPlan(TestKind.OPERATING, "Inspected", (Method.INSPECTION,), "x", 5))
    assert get_stage(engagement).stage is EngagementStage.PLANNING, "a plan is not yet testing"
    testing.add_sample_items(engagement, test_id, [SampleItemInput("CHG-1")])
    fieldwork = get_stage(engagement)
    assert fieldwork.stage is EngagementStage.FIELDWORK and fieldwork.reason == "1 of 1 tests are not concluded."
    testing.update_sample_item(
        engagement,
        testing.list_sample_items(engagement, test_id)[0].id,
        SampleItemInput("CHG-1", result="no_exception"),
    )
    assess_population(engagement, test_id)
    testing.conclude(engagement, test_id, Conclusion.NO_EXCEPTIONS)
    completion = get_stage(engagement)
    assert completion.stage is EngagementStage.COMPLETION
    assert completion.reason == "Every test is concluded; 0 of 7 completion items are complete."
    with changes(engagement) as ch:  # the record finalizing writes (test_review finalizes for real)
        member = read_team(ch.conn)[0].id
        ch.insert(finalization, {"finalized_at": ch.at_utc, "person_id": member, "manifest": {}})
    assert get_stage(engagement).stage is EngagementStage.FINALIZED


def test_the_tested_demo_is_in_fieldwork_with_its_workpapers_partly_done(demo: EngagementFile) -> None:
    stage = get_stage(demo)
    assert stage.stage is EngagementStage.FIELDWORK, "not 'Planning', as the typed status said"
    made = {w.ref: w for w in workpapers.list_workpapers(demo)}
    assert [ref for ref, w in made.items() if w.complete] == ["A-100", "A-300", "A-400"]
    assert made["A-200"].missing == ("No confirmation from Gregory Alcott (GA)",)
    assert made["A-100"].evidence and made["A-300"].requirements and made["A-300"].controls
    assert made["C-400"].missing[0].startswith("The opinion worksheet does not support the opinion recorded")


# --- the pages, read without Qt ----------------------------------------------------------------------------------


def test_the_workpaper_pages_read_what_the_screens_show(demo: EngagementFile) -> None:
    from fieldwork.app.pages.ipe import read_population_state
    from fieldwork.app.pages.workpapers import load_workpaper_page, load_workpapers_page
    from fieldwork.app.services.testing import find_test_id

    index = load_workpapers_page(demo)
    assert [w.ref for w in index.workpapers] == BUNDLED and index.templates == () and index.problems == ()
    assert index.open_items == 7 and index.stage.stage is EngagementStage.FIELDWORK
    description = load_workpaper_page(demo, by_ref(demo, "B-100").id)
    assert description.shown == (
        "M-001 (DC4), corrected: The February 11, 2026 database failover incident was described as lasting 1 hour "
        "20 minutes; the incident record shows 2 hours 14 minutes. Management corrected the description.",
    )
    memo = load_workpaper_page(demo, by_ref(demo, "C-400").id)
    assert "Operating effectiveness: recorded qualified, proposed qualified" in memo.shown
    acceptance = load_workpaper_page(demo, by_ref(demo, "A-100").id)
    assert [row.file.original_name for row in acceptance.evidence] == ["Engagement letter FY2026.md"]
    assert acceptance.controls["C-001"] and acceptance.target.kind is ev.LinkKind.WORKPAPER
    with demo.reading() as conn:
        state = read_population_state(conn, find_test_id(conn, "C-068.T2"))
        annual = read_population_state(conn, find_test_id(conn, "C-003.T2"))
    assert state.relied is not None and state.relied.state == "Not complete and accurate" and state.required
    assert annual.relied is None, "a population of one relies on no listing"
