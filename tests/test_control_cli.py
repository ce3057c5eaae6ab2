"""`fieldwork control`, `fieldwork test` and `fieldwork result`: scripting the plan and the results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldwork.app.cli.main import main
from fieldwork.app.services import controls, testing
from fieldwork.app.services.history import list_history
from fieldwork.app.storage.engagement_file import EngagementFile, open_engagement


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_controls_are_added_changed_linked_and_listed(engagement: EngagementFile, capsys) -> None:
    path = str(engagement.path)
    engagement.close()
    code, out, _ = run(
        capsys, "control", "add", path, "--title", "Access review", "--frequency", "Quarterly", "--requirement", "CC6.2"
    )
    assert code == 0 and out == "Added C-001 Access review (CC6.2).\n"
    assert run(capsys, "control", "add", path, "--title", "Automated review", "--effective-from", "2026-05-01",
               "--replaces", "C-001", "--nature", "automated")[0] == 0  # fmt: skip
    assert run(capsys, "control", "edit", path, "C-001", "--owner", "CISO", "--not-key")[0] == 0
    assert run(capsys, "control", "link", path, "C-002", "CC6.2", "A.9.2")[0] == 0
    assert run(capsys, "control", "link", path, "C-001", "CC6.2", "--unlink")[0] == 0

    code, out, _ = run(capsys, "control", "list", path, "--json")
    listed = {c["ref"]: c for c in json.loads(out)}
    assert code == 0 and set(listed) == {"C-001", "C-002"}
    assert listed["C-001"] | {"id": None} == {
        "id": None,
        "ref": "C-001",
        "title": "Access review",
        "description": "",
        "owner": "CISO",
        "frequency": "quarterly",
        "nature": "manual",
        "type": "preventive",
        "key": False,
        "requirements": [],
        "effective_from": None,
        "effective_to": "2026-04-30",
        "replaces": None,
        "replaced_by": "C-002",
        "untested": [],
        "predecessor_id": None,
    }
    assert listed["C-002"]["requirements"] == ["CC6.2", "A.9.2"] and listed["C-002"]["nature"] == "automated"
    db = open_engagement(path)
    try:
        assert [c.ref for c in controls.list_controls(db)] == ["C-001", "C-002"], "the same services as the app"
        updates = [e for e in list_history(db) if e.item_type == "control" and e.action == "update"]
        assert {"owner": "CISO", "is_key": False} in [e.new_values for e in updates], "recorded in the history"
    finally:
        db.close()


def test_tests_are_added_and_listed_with_their_round_and_window(engagement: EngagementFile, capsys) -> None:
    path = str(engagement.path)
    engagement.close()
    run(capsys, "control", "add", path, "--title", "Access review", "--requirement", "CC6.2")
    code, out, _ = run(
        capsys, "test", "add", path, "--control", "C-001", "--kind", "operating", "--method", "inspection",
        "--procedure", "Inspected the review", "--round", "interim", "--window-end", "2026-06-30", "--size", "2",
    )  # fmt: skip
    assert code == 0 and out == (
        "Added C-001.T1: Test of operating effectiveness (interim), covering 2026-01-01 to 2026-06-30.\n"
    )
    run(capsys, "test", "add", path, "--control", "C-001", "--kind", "operating", "--method", "inspection",
        "--round", "update")  # fmt: skip
    code, out, _ = run(capsys, "test", "list", path, "--control", "C-001", "--json")
    listed = json.loads(out)
    assert [(t["ref"], t["round"], t["window"], t["planned_size"]) for t in listed] == [
        ("C-001.T1", "interim", {"from": "2026-01-01", "to": "2026-06-30"}, 2),
        ("C-001.T2", "update", {"from": "2026-07-01", "to": "2026-12-31"}, None),
    ]
    assert listed[0]["methods"] == ["inspection"] and listed[0]["procedure"] == "Inspected the review"


def test_results_are_recorded_item_by_item_and_new_items_added_in_turn(engagement: EngagementFile, capsys) -> None:
    path = str(engagement.path)
    engagement.close()
    run(capsys, "control", "add", path, "--title", "Access review", "--requirement", "CC6.2")
    run(capsys, "test", "add", path, "--control", "C-001", "--kind", "operating", "--method", "inspection")
    code, out, _ = run(capsys, "result", "set", path, "--test", "C-001.T1", "--item", "1", "--identifier", "Q1",
                       "--date", "2026-03-31", "--result", "no_exception", "--tickmarks", "a")  # fmt: skip
    assert code == 0 and out == "C-001.T1 item 1 (Q1): No exception.\n"
    code, out, _ = run(capsys, "result", "set", path, "--test", "c-001.t1", "--item", "1", "--result", "Deviation",
                       "--deviation", "Review signed after the deadline")  # fmt: skip
    assert code == 0 and out == "C-001.T1 item 1 (Q1): Deviation.\n"
    db = open_engagement(path)
    try:
        test = testing.get_test(db, "C-001.T1")
        (item,) = testing.list_sample_items(db, test.id)
        assert (item.identifier, item.tickmarks, item.deviation_text) == ("Q1", "a", "Review signed after the deadline")
        assert test.items_with_deviation == 1
    finally:
        db.close()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("control", "add", "{f}", "--title", "X", "--requirement", "ZZ9.9"), "ZZ9.9"),
        (("control", "edit", "{f}", "C-404", "--owner", "X"), "There is no control C-404"),
        (("control", "add", "{f}", "--title", "X", "--effective-from", "2026-05-01", "--effective-to", "2026-04-01"),
         "before it starts"),
        (("test", "add", "{f}", "--control", "C-001", "--kind", "operating", "--method", "inquiry"), "Inquiry alone"),
        (("test", "add", "{f}", "--control", "C-001", "--kind", "operating", "--round", "update"), "interim test"),
        (("result", "set", "{f}", "--test", "C-001.T1", "--item", "4", "--result", "none"), "give --identifier"),
        (("result", "set", "{f}", "--test", "C-001.T1", "--item", "1", "--result", "maybe"), "'maybe' is not one of"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_in_one_sentence_and_changes_nothing(
    engagement: EngagementFile, capsys, argv: tuple[str, ...], message: str
) -> None:
    path = str(engagement.path)
    engagement.close()
    run(capsys, "control", "add", path, "--title", "Access review", "--requirement", "CC6.2")
    run(capsys, "test", "add", path, "--control", "C-001", "--kind", "operating", "--method", "inspection")
    before = Path(path).read_bytes()
    code, _out, err = run(capsys, *(part.format(f=path) for part in argv))
    assert code != 0 and message in err and err.count("\n") == 1 and "Traceback" not in err
    assert Path(path).read_bytes() == before
