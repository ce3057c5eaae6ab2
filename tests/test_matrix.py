"""The control matrix in Excel: exported, imported into another engagement, changed, refused row by row."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from fieldwork.app.cli.main import main
from fieldwork.app.demo import demo_details, load_demo_content
from fieldwork.app.domain.records import ControlInput
from fieldwork.app.errors import ValidationError
from fieldwork.app.exports.control_matrix import write_control_matrix
from fieldwork.app.services import controls, testing
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.services.history import list_history
from fieldwork.app.services.matrix_import import Action, MatrixOutcome, default_source, import_matrix, preview_matrix
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.tasks import Task
from tests.conftest import TEAM
from tests.sampling_helpers import write_csv

CONTROL_FIELDS = (
    "ref", "title", "description", "owner", "frequency", "nature", "control_type", "is_key", "requirements",
    "effective_from", "effective_to", "replaces_ref",
)  # fmt: skip
TEST_FIELDS = (
    "ref", "control_ref", "kind", "procedure", "methods", "population", "sample_size", "round",
    "window_start", "window_end",
)  # fmt: skip


def plan_of(db: EngagementFile) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The controls, their links and the test plans, by reference: what a matrix carries."""
    found = [tuple(getattr(c, name) for name in CONTROL_FIELDS) for c in controls.list_controls(db)]
    tests = [tuple(getattr(t, name) for name in TEST_FIELDS) for t in testing.list_tests(db)]
    return found, sorted(tests, key=lambda row: str(row[0]))


def blank_like_demo(path: Path) -> EngagementFile:
    db, _ = create_engagement(path, demo_details(load_demo_content()), TEAM)
    return db


def imported(db: EngagementFile, workbook: Path, write: bool = True) -> MatrixOutcome:
    return import_matrix(db, default_source(workbook), write=write)


@pytest.fixture
def exported(demo: EngagementFile, tmp_path: Path) -> Path:
    target = tmp_path / "matrix.xlsx"
    assert write_control_matrix(demo, target, Task()) == len(controls.list_controls(demo))
    return target


def test_a_round_trip_gives_the_same_controls_links_and_test_plans(
    demo: EngagementFile, exported: Path, tmp_path: Path
) -> None:
    db = blank_like_demo(tmp_path / "next.fieldwork")
    try:
        outcome = imported(db, exported)
        assert outcome.written and not outcome.problems
        assert outcome.count("Controls", Action.ADD) == len(controls.list_controls(demo))
        assert plan_of(db) == plan_of(demo)
        assert any(row[10] for row in plan_of(db)[0]), "the demo's dates came across"
        assert all(t.items_total == 0 and t.conclusion is None for t in testing.list_tests(db)), "plans, no results"
    finally:
        db.close()


def test_importing_the_same_matrix_again_changes_nothing(demo: EngagementFile, exported: Path) -> None:
    entries = len(list_history(demo))
    outcome = imported(demo, exported)
    assert {line.action for line in outcome.lines} == {Action.UNCHANGED}
    assert len(list_history(demo)) == entries


def test_a_preview_lists_adds_changes_and_unchanged_and_writes_nothing(demo: EngagementFile, exported: Path) -> None:
    book = openpyxl.load_workbook(exported)
    sheet = book["Controls"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(2, header.index("Owner") + 1, "Chief People Officer")
    sheet.cell(3, header.index("Requirements") + 1, "CC1.2, 5.1")
    sheet.append(["C-200", "Quarterly review of AI incidents", "", "Head of Responsible AI", "Quarterly"])
    tests = book["Tests"]
    tests.append(["", "C-200", "Test of operating effectiveness", "Inspected the reviews", "Inspection"])
    book.save(exported)
    before = demo.path.read_bytes()

    outcome = imported(demo, exported, write=False)
    assert demo.path.read_bytes() == before, "a preview writes nothing"
    changed = [line.text for line in outcome.lines if line.action is Action.CHANGE]
    assert changed == ["Controls row 2: Change C-001: owner", "Controls row 3: Change C-002: requirements"]
    added = [line.text for line in outcome.lines if line.action is Action.ADD]
    assert added[0] == "Controls row 84: Add C-200 Quarterly review of AI incidents"
    assert added[1].endswith(": Add C-200.T1: test of operating effectiveness")
    assert outcome.count("Controls", Action.UNCHANGED) == len(controls.list_controls(demo)) - 2

    assert imported(demo, exported).written
    assert controls.get_control(demo, "C-001").owner == "Chief People Officer"
    assert controls.get_control(demo, "C-002").requirements == ("CC1.2", "5.1")
    assert [t.ref for t in testing.list_tests(demo, controls.get_control(demo, "C-200").id)] == ["C-200.T1"]


def test_rows_that_cannot_be_taken_are_listed_by_row_and_nothing_is_written(
    engagement: EngagementFile, tmp_path: Path
) -> None:
    path = tmp_path / "client.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Controls"
    sheet.append(["Reference", "Title", "Frequency", "Requirements", "In operation from"])
    sheet.append(["AC-01", "Access reviewed", "Quarterly", "CC6.2"])
    sheet.append(["AC-02", "Access removed", "Fortnightly", "CC6.2"])
    sheet.append(["AC-03", "Backups", "Daily", "A1.2, ZZ9.9"])
    sheet.append(["AC-01", "Access reviewed again", "Quarterly", "CC6.2"])
    sheet.append(["AC-04", "", "Annual", "CC1.1", "31/02/2026"])
    sheet.append(["AC-05", "Policies", "Annual", "6"])
    tests = book.create_sheet("Tests")
    tests.append(["Control", "Kind", "Methods"])
    tests.append(["AC-01", "operating", "Inspection"])
    tests.append(["AC-99", "operating", "Inspection"])
    tests.append(["AC-03", "operating", "Inquiry"])
    book.save(path)
    before = engagement.path.read_bytes()

    outcome = imported(engagement, path)
    assert not outcome.written and engagement.path.read_bytes() == before
    assert [line.text for line in outcome.problems] == [
        "Controls row 3: Frequency 'Fortnightly' is not one of: annual, quarterly, monthly, weekly, daily, "
        "multiple_daily, on_occurrence.",
        "Controls row 4: There is no requirement ZZ9.9 in either framework.",
        "Controls row 5: The control reference AC-01 is also on row 2.",
        "Controls row 6: In operation from: '31/02/2026' is not a date like 2026-03-31; give its format "
        "(e.g. %d/%m/%Y).",
        "Controls row 6: The control has no title.",
        "Controls row 7: 6 is a clause; link controls to its criteria, subclauses or controls.",
        "Tests row 3: There is no control AC-99 in the matrix or the engagement.",
        "Tests row 4: Its control AC-03 cannot be taken (see the Controls sheet).",
    ]
    assert outcome.problems[0].ref == "AC-02", "each line names the row's reference"
    assert controls.list_controls(engagement) == []


def test_a_rule_a_service_enforces_refuses_the_row_too(engagement: EngagementFile, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", ["Reference", "Title", "In operation from", "In operation until"],
                     [["AC-01", "Access reviewed", "2026-06-01", "2026-03-01"]])  # fmt: skip
    outcome = imported(engagement, path)
    assert [line.text for line in outcome.problems] == [
        "Controls row 2: AC-01 cannot stop being in operation (2026-03-01) before it starts (2026-06-01)."
    ]
    assert controls.list_controls(engagement) == [], "the row added before the refusal is not kept"


def test_a_clients_headers_are_guessed_and_a_deleted_controls_reference_is_not_given_again(
    engagement: EngagementFile, tmp_path: Path
) -> None:
    gone = controls.create_control(engagement, ControlInput("Old review"), ["CC6.2"])
    controls.delete_control(engagement, gone.id)
    path = write_csv(
        tmp_path / "client.csv",
        ["Control ID", "Control Name", "Control Activity", "TSC", "Key?"],
        [
            ["c-001", "Access reviewed", "Managers review access quarterly.", "CC6.2; CC6.3", "Y"],
            ["", "Backups", "", "A1.2", "N"],
        ],
    )
    found = preview_matrix(path)
    assert found.control_columns == {
        "reference": ("Control ID",),
        "title": ("Control Name",),
        "description": ("Control Activity",),
        "key": ("Key?",),
        "requirements": ("TSC",),
    }
    outcome = imported(engagement, path)
    assert [line.text for line in outcome.lines] == [
        "Controls row 2: Add C-001-2 Access reviewed (as C-001-2: C-001 belonged to a deleted control, and a "
        "reference is never given twice)",
        "Controls row 3: Add C-002 Backups",
    ]
    made = controls.get_control(engagement, "C-001-2")
    assert made.requirements == ("CC6.2", "CC6.3") and made.description == "Managers review access quarterly."
    assert not controls.get_control(engagement, "C-002").is_key


def test_a_hostile_workbook_gets_the_population_imports_protection(engagement: EngagementFile, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Reference", "Title"])
    book.save(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/media/pad.xml", "w") as part:
        for _ in range(100):
            part.write(b"\0" * (1 << 20))
    with pytest.raises(ValidationError, match="which is how a zip bomb looks"):
        imported(engagement, path)


def test_the_command_line_exports_previews_refuses_and_imports(demo: EngagementFile, tmp_path: Path, capsys) -> None:
    target, next_path = tmp_path / "m.xlsx", tmp_path / "next.fieldwork"
    demo.close()
    assert main(["matrix", "export", str(demo.path), str(target)]) == 0
    blank_like_demo(next_path).close()
    before = next_path.read_bytes()
    assert main(["matrix", "import", str(next_path), str(target), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Controls: 82 add, 0 change, 0 unchanged" in out and out.endswith("Dry run: nothing was written.\n")
    assert next_path.read_bytes() == before
    assert main(["matrix", "import", str(next_path), str(target), "--column", "requirements=Nothing"]) != 0
    assert "has no column 'Nothing'" in capsys.readouterr().err
    assert main(["matrix", "import", str(next_path), str(target)]) == 0
    assert capsys.readouterr().out.endswith("Imported.\n")


def test_a_new_control_without_a_reference_keeps_its_dates(engagement: EngagementFile, tmp_path: Path) -> None:
    rows = [["Interview summaries confirmed", "2026-03-17"]]
    path = write_csv(tmp_path / "m.csv", ["Title", "In operation from"], rows)
    outcome = imported(engagement, path)
    assert [line.text for line in outcome.lines] == ["Controls row 2: Add C-001 Interview summaries confirmed"]
    assert controls.get_control(engagement, "C-001").effective_from == date(2026, 3, 17)


def test_rows_that_can_be_taken_are_still_listed_beside_those_that_cannot(
    engagement: EngagementFile, tmp_path: Path
) -> None:
    made = controls.create_control(engagement, ControlInput("Access reviewed", owner="CISO"), ["CC6.2"])
    path = write_csv(
        tmp_path / "m.csv",
        ["Reference", "Title", "Owner", "Frequency"],
        [[made.ref, "Access reviewed", "IT Manager", ""], ["AC-9", "Backups", "", "Hourly"], ["", "Logs", "", ""]],
    )
    outcome = imported(engagement, path)
    assert [(line.row, line.action) for line in outcome.lines] == [
        (2, Action.CHANGE),
        (3, Action.REFUSED),
        (4, Action.ADD),
    ]
    assert not outcome.written and controls.get_control(engagement, made.id).owner == "CISO"
