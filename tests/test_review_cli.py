"""The review verbs: what a reviewer does from a script, through the same services as the app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fieldwork.app.cli.main import main
from fieldwork.app.domain.records import ControlInput
from fieldwork.app.services import controls
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.storage.engagement_file import open_engagement
from tests.conftest import TEAM, type2_details
from tests.xlsx_reading import export


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    db, _ = create_engagement(tmp_path / "acme.fieldwork", type2_details(), TEAM)
    controls.create_control(db, ControlInput("Access review", owner="CISO"), ["CC6.2"])
    db.close()
    return tmp_path / "acme.fieldwork"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sign_off_review_and_see_what_changed_after_review(
    plain: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIELDWORK_USER", "Dana Reyes")
    code, _, err = run(capsys, "signoff", str(plain), "--item", "C-001", "--role", "reviewer")
    assert code != 0 and "no preparer's sign-off yet" in err
    code, out, _ = run(capsys, "signoff", str(plain), "--item", "C-001", "--role", "preparer")
    assert code == 0 and out.startswith("C-001: preparer DR ") and "no reviewer" in out
    monkeypatch.setenv("FIELDWORK_USER", "Sam Ortiz")
    code, out, _ = run(capsys, "signoff", str(plain), "--item", "C-001", "--role", "reviewer")
    assert code == 0 and "reviewer SO " in out and "CHANGED" not in out
    assert run(capsys, "review", "changed", str(plain))[0] == 0

    code, _, _ = run(capsys, "control", "edit", str(plain), "C-001", "--owner", "IT Manager")
    assert code == 0
    code, out, _ = run(capsys, "review", "changed", str(plain))
    assert code == 1 and "C-001:" in out and "CHANGED AFTER REVIEW" in out
    assert "owner: 'CISO' -> 'IT Manager'" in out and "1 item(s) changed after review." in out

    code, out, _ = run(capsys, "signoff", str(plain), "--item", "C-001", "--role", "reviewer", "--remove")
    assert code == 0 and "no reviewer" in out


def test_review_notes_come_in_from_the_workbook_and_are_listed(
    plain: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIELDWORK_USER", "Sam Ortiz")
    opened = open_engagement(plain)
    try:
        export(opened, tmp_path)
    finally:
        opened.close()
    workbook = tmp_path / "workpapers.xlsx"
    book = load_workbook(workbook)
    sheet = book["Review notes"]
    columns = {cell.value: cell.column for cell in sheet[1]}
    for name, value in (("Item", "C-001"), ("Raised by", "SO"), ("Note text", "Attach the review evidence.")):
        sheet.cell(row=2, column=columns[name], value=value)
    sheet.cell(row=3, column=columns["Item"], value="C-404")
    sheet.cell(row=3, column=columns["Note text"], value="Nowhere.")
    book.save(workbook)

    code, out, _ = run(capsys, "review", "import", str(plain), str(workbook))
    assert code == 0 and "1 note(s) added" in out and "not placed: row 3:" in out
    code, out, _ = run(capsys, "review", "notes", str(plain), "--open", "--json")
    [note] = json.loads(out)
    assert (note["ref"], note["item"], note["status"], note["raised_by"]) == (
        "RN-001",
        "C-001",
        "open",
        "Sam Ortiz (SO)",
    )


def test_finalize_lists_what_stops_it(plain: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "finalize", str(plain), "--release-date", "2027-01-15")
    assert code != 0 and "cannot be finalized yet" in err
    assert "sign-offs missing or stale" in err and "completion items not complete" in err
    assert run(capsys, "info", str(plain), "--json")[0] == 0, "refused: the file is not read-only"
