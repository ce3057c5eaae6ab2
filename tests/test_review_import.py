"""The review notes round trip: a manager writes notes in the exported workbook, away from the app, and they come
back as review notes by that member; cleared ones clear; the same workbook twice adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from fieldwork.app.domain.judgements import ConclusionInput, CriterionConclusion
from fieldwork.app.domain.records import ControlInput
from fieldwork.app.errors import ValidationError
from fieldwork.app.services import controls
from fieldwork.app.services.conclusions import set_conclusion
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.services.review_import import import_review_notes
from fieldwork.app.services.review_notes import NoteStatus, list_notes, raise_note
from fieldwork.app.services.signables import ItemType
from fieldwork.app.storage.engagement_file import EngagementFile
from tests.conftest import TEAM, type2_details
from tests.xlsx_reading import export, records


def _write_rows(workbook: Path, rows: list[dict[str, str]]) -> None:
    """What a manager does in Excel: type new rows under the notes, or mark one cleared."""
    book = load_workbook(workbook)
    sheet = book["Review notes"]
    columns = {cell.value: cell.column for cell in sheet[1]}
    for values in rows:
        row = next(
            (r[0].row for r in sheet.iter_rows(min_row=2) if values.get("Note") and r[0].value == values["Note"]),
            None,
        ) or next(
            (r[0].row for r in sheet.iter_rows(min_row=2) if all(c.value in (None, "") for c in r)), sheet.max_row + 1
        )
        for name, value in values.items():
            sheet.cell(row=row, column=columns[name], value=value)
    book.save(workbook)


@pytest.fixture
def reviewed(engagement: EngagementFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    monkeypatch.setenv("FIELDWORK_USER", "Sam Ortiz")
    made = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    raise_note(engagement, ItemType.CONTROL, str(made.id), "Who approves removals?")
    set_conclusion(engagement, "CC6.2", ConclusionInput(CriterionConclusion.NOT_MET, "Removals not approved."))
    export(engagement, tmp_path)
    return str(made.id), tmp_path / "workpapers.xlsx"


def test_new_rows_become_notes_by_their_author_and_a_second_import_adds_nothing(
    engagement: EngagementFile, reviewed: tuple[str, Path]
) -> None:
    control_id, workbook = reviewed
    _write_rows(
        workbook,
        [
            {"Item key": f"control:{control_id}", "Raised by": "SO", "Note text": "Attach the removal ticket."},
            {"Item": "C-001", "Raised by": "Sam Ortiz (SO)", "Note text": "Daily, or weekly?"},
            {"Item": "CC6.2", "Raised by": "SO", "Note text": "Conclusion basis is thin."},
            {"Note": "RN-001", "Status": "Cleared", "Cleared by": "SO"},
        ],
    )
    report = import_review_notes(engagement, workbook)
    assert (len(report.added), report.cleared, report.unplaced) == (3, ("RN-001",), ())
    notes = {note.ref: note for note in list_notes(engagement)}
    assert notes["RN-001"].status is NoteStatus.CLEARED
    assert {notes[ref].item_ref for ref in report.added} == {"C-001", "CC6.2"}
    assert {notes[ref].raised_by for ref in report.added} == {"Sam Ortiz (SO)"}

    again = import_review_notes(engagement, workbook)
    assert (again.added, again.cleared, again.already) == ((), (), 3)
    assert len(list_notes(engagement)) == 4


def test_rows_that_cannot_be_placed_are_named_and_the_rest_go_in(
    engagement: EngagementFile, reviewed: tuple[str, Path]
) -> None:
    _, workbook = reviewed
    _write_rows(
        workbook,
        [
            {"Item": "C-999", "Raised by": "SO", "Note text": "No such control."},
            {"Item": "C-001", "Raised by": "ZZ", "Note text": "Not on the team."},
            {"Item": "C-001", "Raised by": "SO", "Note text": ""},
            {"Item": "C-001", "Raised by": "DR", "Note text": "Placed."},
        ],
    )
    report = import_review_notes(engagement, workbook)
    assert len(report.added) == 1 and len(report.unplaced) == 3
    assert "'C-999'" in report.unplaced[0] and "'ZZ' is not on the engagement team" in report.unplaced[1]
    assert "no note text" in report.unplaced[2]
    assert report.summary == "1 note(s) added, 0 cleared, 0 imported before, 3 row(s) could not be placed"


def test_a_workbook_of_another_engagement_is_refused(
    engagement: EngagementFile, reviewed: tuple[str, Path], tmp_path: Path
) -> None:
    other, _ = create_engagement(tmp_path / "other.fieldwork", type2_details(), TEAM)
    try:
        _, workbook = reviewed
        with pytest.raises(ValidationError, match="not a workbook exported from this engagement"):
            import_review_notes(other, workbook)
        assert list_notes(other) == []
    finally:
        other.close()


def test_the_exported_sheet_lists_each_note_with_its_item_key(
    engagement: EngagementFile, reviewed: tuple[str, Path]
) -> None:
    control_id, workbook = reviewed
    (row,) = [r for r in records(load_workbook(workbook)["Review notes"]) if r["Note"].value]
    assert (row["Note"].value, row["Item key"].value, row["Item"].value) == ("RN-001", f"control:{control_id}", "C-001")
    assert row["Status"].value == "Open" and row["Raised by"].value == "Sam Ortiz (SO)"
