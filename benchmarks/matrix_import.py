"""Control matrix import speed and memory against openpyxl reading the same sheets.

    python -m benchmarks.matrix_import [--controls 2000] [--tests-per-control 2] [--dir /tmp]

One generated matrix (a Controls sheet and a Tests sheet, as `fieldwork matrix export` writes them). The
baseline is the least an import must do: openpyxl read-only reading every row of both sheets. Fieldwork's
`import_matrix` then takes the matrix into a new, empty engagement (made before the clock starts): the file's
checks and hash, the column mapping, every cell parsed and checked, every requirement code checked, and the
controls, links and tests written with their history, in one transaction. Each run is a child process, so each
peak is its own; each side runs `--repeat` times, alternating, and the fastest of each is compared (the machine
is shared: a busy moment slows one run, not the comparison).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from benchmarks.common import best_of, peak_memory_of, report

CODES = ("CC6.1", "CC6.2", "CC6.3", "CC7.2", "CC8.1", "A1.2", "8.1", "A.6.2.6", "A.9.4", "9.1")
METHODS = ("Inspection, Reperformance", "Inquiry, Inspection, Observation")

BASELINE = """
import time, openpyxl
start = time.perf_counter()
book = openpyxl.load_workbook({source!r}, read_only=True, data_only=True)
rows = 0
for sheet in book.worksheets:
    for values in sheet.iter_rows(values_only=True):
        rows += 1
book.close()
result = {{"seconds": time.perf_counter() - start, "rows": rows}}
"""

FIELDWORK = """
import time
import openpyxl  # imported before the clock starts, as the baseline's is
from datetime import date
from pathlib import Path
from fieldwork.app.domain.records import EngagementDetails
from fieldwork.app.domain.vocabulary import ReportType
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.services.matrix_import import default_source, import_matrix

details = EngagementDetails("Bench", "Bench", ReportType.TYPE2, date(2026, 1, 1), date(2026, 12, 31),
                            tsc_categories=("Security", "Availability"))
db, _ = create_engagement(Path({target!r}), details)
source = Path({source!r})
start = time.perf_counter()
outcome = import_matrix(db, default_source(source), write=True)
seconds = time.perf_counter() - start
db.close()
assert outcome.written and not outcome.problems, outcome.problems[:3]
result = {{"seconds": seconds, "rows": len(outcome.lines)}}
"""


def write_matrix(path: Path, controls: int, tests_per_control: int) -> Path:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Controls")
    sheet.append(["Reference", "Title", "Description", "Owner", "Frequency", "Type", "Key control", "Nature",
                  "Requirements", "In operation from", "In operation until", "Replaces"])  # fmt: skip
    for n in range(1, controls + 1):
        codes = ", ".join(CODES[(n + k) % len(CODES)] for k in range(3))
        description = f"Control {n}: the owner reviews the change log and approves each item before release. " * 4
        sheet.append([f"C-{n:04d}", f"Control {n} over changes", description, f"Owner {n % 40}", "On occurrence",
                      "Preventive", "Yes" if n % 3 else "No", "IT-dependent manual", codes])  # fmt: skip
    tests = book.create_sheet("Tests")
    tests.append(["Reference", "Control", "Kind", "Procedure", "Methods", "Population", "Planned size", "Round",
                  "Window from", "Window until"])  # fmt: skip
    for n in range(1, controls + 1):
        for t in range(1, tests_per_control + 1):
            kind = "Test of design" if t == 1 else "Test of operating effectiveness"
            procedure = f"For each sampled item of control {n}, inspected the approval and agreed it to the log. " * 2
            population = "" if t == 1 else f"Changes to system {n % 12} in the period, per the change log"
            tests.append([f"C-{n:04d}.T{t}", f"C-{n:04d}", kind, procedure, METHODS[t % 2], population,
                          None if t == 1 else 25])  # fmt: skip
    book.save(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--controls", type=int, default=2000)
    parser.add_argument("--tests-per-control", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the fastest of each is compared")
    parser.add_argument("--dir", type=Path, default=None, help="where the temporary files go")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fieldwork-bench-", dir=args.dir))
    try:
        source = write_matrix(folder / "matrix.xlsx", args.controls, args.tests_per_control)
        base = best_of(args.repeat, lambda _n: peak_memory_of(BASELINE.format(source=str(source))))
        run = best_of(
            args.repeat,
            lambda n: peak_memory_of(FIELDWORK.format(source=str(source), target=str(folder / f"bench{n}.fieldwork"))),
        )
        tests = args.controls * args.tests_per_control
        ratio = run["seconds"] / base["seconds"]
        baseline = f"{base['seconds']:.2f} s for {int(base['rows']):,} rows, peak {base['peak_mib']:.0f} MiB"
        ours = f"{run['seconds']:.2f} s ({ratio:.2f}x), peak {run['peak_mib']:.0f} MiB, {int(run['rows']):,} rows taken"
        size = source.stat().st_size / 2**20
        title = f"Import a matrix of {args.controls:,} controls and {tests:,} tests ({size:.1f} MiB)"
        report(title, [("openpyxl read-only", baseline), ("fieldwork matrix import", ours)])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
