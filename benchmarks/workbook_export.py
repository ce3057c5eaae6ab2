"""Workpapers export speed and memory on a large engagement, against openpyxl writing the same cells.

    python -m benchmarks.workbook_export [--scale 20] [--repeat 5] [--dir /tmp]

The engagement is `fieldwork demo --scale 20`. The baseline is openpyxl write-only mode appending the very cell
values of the exported workbook (read back from it), unstyled, with no links, widths or checks: what writing
those cells costs at the least. The two are timed alternately, best of `--repeat` each, from the same gathered
`ReportData` (gathering is the same for both and left out). Goals: at most 1.3x the baseline's time; peak
memory of a whole export (`fieldwork export FILE --xlsx OUT`: open, gather, write) under 300 MB, measured in a
child process. For context only, the
same cells with their styles and links are also written the plain openpyxl way (style objects assigned cell by
cell).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet.hyperlink import Hyperlink

from benchmarks.common import report, run_command, time_it
from fieldwork.app.demo import create_demo
from fieldwork.app.exports.dataset import ReportData, gather
from fieldwork.app.exports.workbook import write_workbook
from fieldwork.app.storage.engagement_file import open_engagement
from fieldwork.app.tasks import Task

Sheets = list[tuple[str, list[tuple[object, ...]]]]
FIELDWORK = [sys.executable, "-m", "fieldwork.app.cli.main"]


def cells_of(path: Path) -> Sheets:
    book = load_workbook(path, read_only=True)
    try:
        return [(sheet.title, list(sheet.iter_rows(values_only=True))) for sheet in book.worksheets]
    finally:
        book.close()


def baseline(sheets: Sheets, target: Path) -> None:
    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(target)


def styled_cells_of(path: Path) -> list[tuple[str, list[list[Any]]]]:
    """Every cell with its look and link, for the naive styled write (context, not the goal's baseline)."""

    def look(c: Any) -> tuple[Any, ...]:
        return (c.value, copy(c.font), copy(c.fill), copy(c.alignment), c.number_format, c.quotePrefix, c.hyperlink)

    book = load_workbook(path)
    return [(sheet.title, [[look(c) for c in row] for row in sheet.iter_rows()]) for sheet in book.worksheets]


def naive_styled(sheets: list[tuple[str, list[list[Any]]]], target: Path) -> None:
    """The same cells, styles and links written the plain way: a style object assigned per styled cell."""
    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            cells = []
            for value, font, fill, alignment, number_format, quote, link in row:
                made = WriteOnlyCell(sheet, value)
                if font.b or font.u:
                    made.font = font
                if fill.fill_type:
                    made.fill = fill
                if alignment.wrap_text:
                    made.alignment = alignment
                made.number_format = number_format
                made.quotePrefix = quote
                if link is not None:
                    made.hyperlink = Hyperlink(ref="", location=link.location)
                cells.append(made)
            sheet.append(cells)
    book.save(target)


def time_naive_styled(exported: Path, target: Path) -> float:
    looks = styled_cells_of(exported)
    return time_it("naive styled", lambda: naive_styled(looks, target), 2).best


def export(data: ReportData, target: Path) -> None:
    write_workbook(data, target, Task())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        engagement = Path(folder) / "demo.fieldwork"
        create_demo(engagement, scale=args.scale).close()
        # First, while this process is small: a child's peak counts what it had when it was forked.
        cli_seconds, peak = run_command(
            [*FIELDWORK, "export", str(engagement), "--xlsx", str(Path(folder) / "cli.xlsx")]
        )
        db = open_engagement(engagement)
        data = gather(db)
        db.close()
        ours, theirs = Path(folder) / "workpapers.xlsx", Path(folder) / "baseline.xlsx"
        export(data, ours)
        sheets = cells_of(ours)
        ours_times, base_times = [], []
        for _ in range(args.repeat):  # alternate, so a busy moment hits both sides
            ours_times += time_it("workbook", lambda: export(data, ours), 1).seconds
            base_times += time_it("baseline", lambda: baseline(sheets, theirs), 1).seconds
        naive = time_naive_styled(ours, Path(folder) / "naive.xlsx")
        rows = sum(len(sheet_rows) for _, sheet_rows in sheets)
        cells = sum(len(row) for _, sheet_rows in sheets for row in sheet_rows)
        best, base = min(ours_times), min(base_times)
        report(
            f"Workpapers export, demo --scale {args.scale} ({data.counts}, {len(data.history)} history entries)",
            [
                ("cells written", f"{cells:,} in {rows:,} rows, {len(sheets)} sheets"),
                ("file size", f"{ours.stat().st_size / 2**20:.1f} MiB (baseline {theirs.stat().st_size / 2**20:.1f})"),
                ("baseline (openpyxl write-only)", f"best {base:.2f} s of {args.repeat}"),
                ("workbook export", f"best {best:.2f} s of {args.repeat}"),
                ("ratio (goal <= 1.3)", f"{best / base:.2f}x"),
                ("context: same cells, styles, links, naive", f"best {naive:.2f} s of 2 ({naive / base:.2f}x)"),
                ("`fieldwork export --xlsx`, whole run", f"{cli_seconds:.2f} s"),
                ("peak memory of that run (goal < 300 MB)", f"{peak:.0f} MiB"),
            ],
        )


if __name__ == "__main__":
    main()
