"""Populations: preview, import from CSV and XLSX, entry by hand, the period check, and hostile files."""

from __future__ import annotations

import hashlib
import time
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fieldwork.app.domain.sampling import PopulationItemInput, PopulationSource
from fieldwork.app.errors import ValidationError
from fieldwork.app.services import population, population_files, population_xlsx, testing
from fieldwork.app.services.population_files import preview
from fieldwork.app.services.population_table import RefusedFile
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.storage.schema import population_row
from fieldwork.app.tasks import Cancelled, Task
from tests.sampling_helpers import history_count, operating_test, replace_parts, ticket_rows, write_csv, write_xlsx

#: A hostile file must be refused in seconds; generous for a busy shared machine.
QUICKLY = 5.0


def stored_rows(db: EngagementFile) -> int:
    with db.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(population_row)).scalar_one())


def tickets_csv(tmp_path: Path, count: int = 50) -> Path:
    return write_csv(
        tmp_path / "changes.csv", ["Ticket", "Opened", "Approver"], [(*r, "Alex") for r in ticket_rows(count)]
    )


# --- preview and round trips ---------------------------------------------------------------------


def test_a_csv_preview_finds_the_header_below_a_title_and_guesses_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        '\ufeffChange tickets exported 2027-01-05\n\nNo.;Opened;Summary\nCHG-1;2026-02-03;"Patch; urgent"\n',
        encoding="utf-8",
    )
    shown = preview(PopulationSource(path))
    assert shown.header_row == 3 and shown.columns == ("No.", "Opened", "Summary")
    assert shown.rows == (("CHG-1", "2026-02-03", "Patch; urgent"),)
    assert (shown.id_column, shown.date_column, shown.sheet_names) == ("No.", "Opened", ())


def test_a_file_without_a_header_gets_numbered_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bare.csv", ["CHG-1", "2026-01-05"], [("CHG-2", "2026-01-06")])
    shown = preview(PopulationSource(path))
    assert shown.header_row == 0 and shown.columns == ("Column 1", "Column 2") and len(shown.rows) == 2


def test_the_auditor_can_overrule_the_header_and_name_the_encoding(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("Ref;Name\nA;Müller\n".encode("cp1252"))
    shown = preview(PopulationSource(path, header_row=0, encoding="cp1252"))
    assert shown.columns == ("Column 1", "Column 2") and shown.rows == (("Ref", "Name"), ("A", "Müller"))


def test_a_csv_imports_whole_with_its_source_and_one_history_entry(engagement: EngagementFile, tmp_path: Path) -> None:
    test_id = operating_test(engagement)
    path = write_csv(
        tmp_path / "changes.csv",
        ["Ticket", "Opened", "Notes"],
        [("CHG-1", "2026-03-01", "multi\nline, with comma"), ("CHG-2", "2026-03-02T10:15:00", ""), ("CHG-3", "", "x")],
    )
    before = history_count(engagement)
    found = population.import_population(engagement, test_id, PopulationSource(path), "Ticket", "Opened")
    assert found.row_count == 3 and found.source_name == "changes.csv"
    assert found.source_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert found.imported_by == "Test Auditor (TA)" and found.columns == ("Ticket", "Opened", "Notes")
    assert found.undated == 1 and found.outside_period == 0
    rows = population.list_population_rows(engagement, test_id)
    assert [(r.row_no, r.identifier, r.item_date) for r in rows] == [
        (1, "CHG-1", date(2026, 3, 1)),
        (2, "CHG-2", date(2026, 3, 2)),
        (3, "CHG-3", None),
    ]
    assert rows[0].values == ("CHG-1", "2026-03-01", "multi\nline, with comma")
    # the population, the test's size, its IPE assessment, the file kept as evidence (content, record, two links)
    assert history_count(engagement) == before + 7, "not one entry per row"
    test = testing.get_test(engagement, test_id)
    assert test.population_size == 3 and test.population == "changes.csv"


def test_an_xlsx_imports_from_the_named_sheet(engagement: EngagementFile, tmp_path: Path) -> None:
    test_id = operating_test(engagement)
    path = write_xlsx(
        tmp_path / "users.xlsx",
        {
            "Summary": [["Generated for the audit"]],
            "Terminations": [
                ["Leavers report"],
                [],
                ["Employee ID", "Left on", "Access removed", "Days"],
                [1001, datetime(2026, 4, 30), datetime(2026, 5, 1, 9, 30), 1.0],
                [1002, datetime(2026, 7, 31), None, 2.5],
            ],
        },
    )
    shown = preview(PopulationSource(path, sheet="Terminations"))
    assert shown.sheet_names == ("Summary", "Terminations") and shown.header_row == 3
    assert shown.id_column == "Employee ID" and shown.date_column == "Left on"
    assert shown.rows[0] == ("1001", "2026-04-30", "2026-05-01 09:30:00", "1")
    source = PopulationSource(path, sheet="Terminations")
    found = population.import_population(engagement, test_id, source, "Employee ID", "Left on")
    assert (found.sheet_name, found.row_count) == ("Terminations", 2)
    assert found.source_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    rows = population.list_population_rows(engagement, test_id)
    assert [(r.identifier, r.item_date, r.values[3]) for r in rows] == [
        ("1001", date(2026, 4, 30), "1"),
        ("1002", date(2026, 7, 31), "2.5"),
    ]
    assert preview(PopulationSource(path)).sheet == "Summary", "the first sheet unless one is named"


def test_a_stale_sheet_dimension_does_not_cut_the_population_short(engagement: EngagementFile, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "stale.xlsx", {"Data": [["Ticket"], *[[f"T-{n}"] for n in range(1, 11)]]})
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").replace(
            b'<dimension ref="A1:A11"/>', b'<dimension ref="A1:A3"/>'
        )
    replace_parts(path, {"xl/worksheets/sheet1.xml": sheet})
    found = population.import_population(engagement, operating_test(engagement), PopulationSource(path), "Ticket")
    assert found.row_count == 10


def test_dates_in_another_format_need_it_named(engagement: EngagementFile, tmp_path: Path) -> None:
    test_id = operating_test(engagement)
    path = write_csv(tmp_path / "eu.csv", ["Ref", "Date"], [("A", "31/03/2026"), ("B", "01/04/2026")])
    with pytest.raises(ValidationError, match=r"eu.csv: row 2, Date: '31/03/2026' is not a date .* %d/%m/%Y"):
        population.import_population(engagement, test_id, PopulationSource(path), "Ref", "Date")
    found = population.import_population(
        engagement, test_id, PopulationSource(path), "Ref", "Date", date_format="%d/%m/%Y"
    )
    assert [r.item_date for r in population.list_population_rows(engagement, test_id)] == [
        date(2026, 3, 31),
        date(2026, 4, 1),
    ]
    assert found.row_count == 2


def test_every_item_needs_an_identifier(engagement: EngagementFile, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gaps.csv", ["Ref", "Date"], [("A", "2026-01-01"), ("", "2026-01-02")])
    with pytest.raises(ValidationError, match="row 3 has no Ref"):
        population.import_population(engagement, operating_test(engagement), PopulationSource(path), "Ref", "Date")
    assert stored_rows(engagement) == 0


def test_a_header_without_items_is_refused(engagement: EngagementFile, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "empty.csv", ["Ticket", "Opened"], [])
    with pytest.raises(ValidationError, match=r"empty\.csv holds no items below its header"):
        population.import_population(engagement, operating_test(engagement), PopulationSource(path), "Ticket")


def test_an_unknown_column_is_named_with_the_choices(engagement: EngagementFile, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"no column 'Id' .*Ticket, Opened, Approver"):
        population.import_population(
            engagement, operating_test(engagement), PopulationSource(tickets_csv(tmp_path)), "Id"
        )


def test_a_cancelled_import_leaves_nothing(engagement: EngagementFile, tmp_path: Path) -> None:
    test_id = operating_test(engagement)
    path = tickets_csv(tmp_path, count=12_000)
    before = history_count(engagement)
    seen: list[int] = []
    task = Task(lambda done, total, label: (seen.append(done), task.cancel()))
    with pytest.raises(Cancelled):
        population.import_population(engagement, test_id, PopulationSource(path), "Ticket", "Opened", task=task)
    assert seen and population.get_population(engagement, test_id) is None
    assert stored_rows(engagement) == 0 and history_count(engagement) == before
    assert testing.get_test(engagement, test_id).population_size is None


def test_a_population_entered_by_hand_records_each_item(engagement: EngagementFile) -> None:
    test_id = operating_test(engagement)
    with pytest.raises(ValidationError, match=r"Item 2 .* no identifier"):
        population.enter_population(engagement, test_id, [PopulationItemInput("A"), PopulationItemInput(" ")])
    before = history_count(engagement)
    items = [PopulationItemInput("Q1 review", date(2026, 3, 31)), PopulationItemInput("Q2 review", date(2026, 6, 30))]
    found = population.enter_population(engagement, test_id, items)
    assert found.source_name == "Entered by hand" and found.source_sha256 is None and found.row_count == 2
    assert history_count(engagement) == before + 4, "the population, two rows and the test's size"


def test_a_new_import_replaces_a_population_not_yet_sampled(engagement: EngagementFile, tmp_path: Path) -> None:
    test_id = operating_test(engagement)
    population.enter_population(engagement, test_id, [PopulationItemInput("A")])
    found = population.import_population(engagement, test_id, PopulationSource(tickets_csv(tmp_path)), "Ticket")
    assert found.row_count == 50 and stored_rows(engagement) == 50
    population.remove_population(engagement, test_id)
    assert population.get_population(engagement, test_id) is None and stored_rows(engagement) == 0
    with pytest.raises(ValidationError, match="no population yet"):
        population.list_population_rows(engagement, test_id)


# --- the period ----------------------------------------------------------------------------------


def test_items_dated_outside_the_period_are_flagged(engagement: EngagementFile, tmp_path: Path) -> None:
    test_id = operating_test(engagement)
    path = write_csv(
        tmp_path / "p.csv",
        ["Ref", "Date"],
        [("A", "2025-12-31"), ("B", "2026-01-01"), ("C", "2026-12-31"), ("D", "2027-01-01"), ("E", "")],
    )
    found = population.import_population(engagement, test_id, PopulationSource(path), "Ref", "Date")
    assert (found.outside_period, found.undated, found.row_count) == (2, 1, 5)
    flagged = population.list_population_rows(engagement, test_id, outside_period_only=True)
    assert [(r.row_no, r.identifier) for r in flagged] == [(1, "A"), (4, "D")]


# --- hostile files -------------------------------------------------------------------------------


def refused(path: Path, match: str, **source: object) -> None:
    """The file is refused with one sentence naming it, quickly; preview and import alike."""
    started = time.perf_counter()
    with (
        pytest.raises(RefusedFile, match=match) as caught,
        population_files.open_table(PopulationSource(path, **source)) as table,  # type: ignore[arg-type]
    ):
        for _row in table.rows:
            pass
    assert time.perf_counter() - started < QUICKLY
    message = caught.value.message
    assert message.startswith(f"{path.name} was refused: ") and message.endswith(".") and "\n" not in message


def test_a_zip_bomb_is_refused_from_its_directory(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "bomb.xlsx", {"Data": [["Ticket"], ["T-1"]]})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/media/pad.xml", "w") as part:
        for _ in range(100):
            part.write(b"\0" * (1 << 20))  # 100 MiB of zeros: about 100 KiB compressed
    assert path.stat().st_size < 2 << 20
    refused(path, r"compressed [\d,]+ to 1, which is how a zip bomb looks")


def test_a_workbook_unpacking_past_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_xlsx(tmp_path / "big.xlsx", {"Data": [["Ticket"], ["T-1"]]})
    monkeypatch.setattr(population_xlsx, "MAX_XLSX_UNPACKED_BYTES", 4096)
    refused(path, r"it unpacks to [\d,]+ bytes, more than 4,096")


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10) for n in range(1, 10))
    + b"]>"
)


@pytest.mark.parametrize(
    ("part", "body"),
    [
        (
            "xl/worksheets/sheet1.xml",
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>',
        ),
        (
            "xl/workbook.xml",
            b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x>&lol9;</x></workbook>',
        ),
    ],
)
def test_an_xml_entity_bomb_is_refused(tmp_path: Path, part: str, body: bytes) -> None:
    path = replace_parts(write_xlsx(tmp_path / "laughs.xlsx", {"Data": [["Ticket"]]}), {part: BILLION_LAUGHS + body})
    refused(path, "it declares XML entities, which is how an entity bomb looks")


def test_workbooks_are_refused_when_defusedxml_is_not_in_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    path = write_xlsx(tmp_path / "fine.xlsx", {"Data": [["Ticket"], ["T-1"]]})
    with pytest.raises(ValidationError, match="defusedxml is missing or disabled"):
        preview(PopulationSource(path))


def test_a_sheet_claiming_rows_past_excels_last_is_refused(tmp_path: Path) -> None:
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>Ticket</t></is></c></row>'
        b'<row r="999999999"><c r="A999999999" t="inlineStr"><is><t>T-1</t></is></c></row></sheetData></worksheet>'
    )
    path = replace_parts(write_xlsx(tmp_path / "far.xlsx", {"Data": [["Ticket"]]}), {"xl/worksheets/sheet1.xml": sheet})
    refused(path, "rows past Excel's last row")


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048)  # an OLE file: .xls or encrypted .xlsx
    refused(path, "not an XLSX workbook .*password")
    refused(path.rename(tmp_path / "notes.pdf"), "only CSV and XLSX")


def test_csv_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("Ref,Name\nA,Müller\n".encode("cp1252"))
    refused(path, "it is not UTF-8 text; save it as CSV UTF-8, or give its encoding")


def test_csv_with_nul_bytes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes("Ref,Date\nA,2026-01-01\n".encode("utf-16-le"))
    refused(path, "NUL bytes")


def test_csv_with_ragged_rows_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ragged.csv", ["Ref", "Date"], [("A", "2026-01-01"), ("B", "2026-01-02", "extra")])
    refused(path, "line 3 has 3 values where the header has 2")


def test_csv_with_an_unclosed_quote_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('Ref,Date\nA,"2026-01-01\nB,2026-01-02\n', encoding="utf-8")
    refused(path, "not well-formed CSV")


def test_csv_with_a_gigantic_field_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "field.csv"
    path.write_text('Ref,Note\nA,"' + "x\n" * 100_000 + '"\n', encoding="utf-8")
    refused(path, "longer than 32,767 characters")


def test_csv_with_a_gigantic_line_is_refused_before_it_is_held(tmp_path: Path) -> None:
    path = tmp_path / "line.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Ref,Note\nA,")
        for _ in range(64):
            handle.write("y" * (1 << 20))  # 64 MiB without a line end
    refused(path, "a line is longer than 1,048,576 characters")


def test_csv_with_too_many_columns_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "wide.csv", [f"C{n}" for n in range(300)], [range(300)])
    refused(path, "more than 256 columns")


def test_too_many_rows_are_refused_and_nothing_is_kept(
    engagement: EngagementFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(population_files, "MAX_ROWS", 40)
    test_id = operating_test(engagement)
    with pytest.raises(RefusedFile, match="more than 40 rows"):
        population.import_population(engagement, test_id, PopulationSource(tickets_csv(tmp_path)), "Ticket", "Opened")
    assert population.get_population(engagement, test_id) is None and stored_rows(engagement) == 0
