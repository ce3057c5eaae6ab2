"""Workpapers export speed and memory on a large engagement, against openpyxl writing the same cells.

    python -m benchmarks.workbook_export [--scale 20] [--repeat 5] [--dir /tmp]

The engagement is `fieldwork demo --scale 20`. The baseline is openpyxl write-only mode appending the very cell
values of the exported workbook (read back from it), unstyled, with no links, widths or checks: what writing
those cells costs at the least. The two are timed alternately, best of `--repeat` each, from the same gathered
`ReportData` (gathering is the same for both and left out). Goals: at most 1.3x the baseline's time; peak memory
of a whole export (open, gather, write) under 300 MB, measured in a child process.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from openpyxl import Workbook, load_workbook

from app.demo import create_demo
from app.exports.dataset import ReportData, gather
from app.exports.workbook import write_workbook
from app.storage.engagement_file import open_engagement
from app.tasks import Task
from benchmarks.common import peak_memory_of, report, time_it

Sheets = list[tuple[str, list[tuple[object, ...]]]]


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


def export(data: ReportData, target: Path) -> None:
    write_workbook(data, target, Task())


PEAK_CODE = """
from pathlib import Path
from app.exports.dataset import gather
from app.exports.workbook import write_workbook
from app.storage.engagement_file import open_engagement
from app.tasks import Task
db = open_engagement(Path({engagement!r}))
data = gather(db)
db.close()
write_workbook(data, Path({target!r}), Task())
result = {{}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        engagement = Path(folder) / "demo.fieldwork"
        create_demo(engagement, scale=args.scale).close()
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
        peak = peak_memory_of(PEAK_CODE.format(engagement=str(engagement), target=str(Path(folder) / "peak.xlsx")))
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
                ("peak memory, whole export (goal < 300 MB)", f"{peak['peak_mib']:.0f} MiB"),
            ],
        )


if __name__ == "__main__":
    main()
