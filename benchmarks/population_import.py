"""Population import speed and memory against a bare baseline, and selection over the result.

    python -m benchmarks.population_import [--rows 1000000] [--xlsx] [--dir /tmp]

One generated population (ticket, opened date, approver, status, summary). The baseline is the least an
import must do: `csv.reader` (or openpyxl read-only for XLSX) and a plain `sqlite3` `executemany` of the same
rows into a table shaped like `population_row`, with the engagement file's page size, journal and durability,
in one transaction. Fieldwork's `import_population` then imports the same file into a fresh unencrypted and a
fresh encrypted engagement, with its checks, the hash, progress to a `Task`, and the file kept as evidence. Each
run is a child process, so each peak is its own. Last, random and systematic selections of 60 items from the
imported population.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from benchmarks.common import peak_memory_of, report

PASSPHRASE = "benchmark passphrase, not a secret"
HEADER = ["Ticket", "Opened", "Approver", "Status", "Summary"]

BASELINE = """
import csv, json, sqlite3, time
from fieldwork.app.storage.database import PAGE_SIZE
start = time.perf_counter()
conn = sqlite3.connect({target!r}, isolation_level=None)
conn.execute(f"PRAGMA page_size = {{PAGE_SIZE}}")
conn.execute("PRAGMA journal_mode = DELETE")
conn.execute("PRAGMA synchronous = FULL")
conn.execute('CREATE TABLE population_row (population_id INTEGER, row_no INTEGER, identifier TEXT, '
             'item_date DATE, "values" JSON, PRIMARY KEY (population_id, row_no))')
conn.execute("BEGIN")
{rows}
batch = []
for row_no, cells in enumerate(rows, start=1):
    batch.append((1, row_no, cells[0], str(cells[1])[:10], json.dumps([str(c) for c in cells])))
    if len(batch) == 5000:
        conn.executemany("INSERT INTO population_row VALUES (?, ?, ?, ?, ?)", batch)
        batch = []
conn.executemany("INSERT INTO population_row VALUES (?, ?, ?, ?, ?)", batch)
conn.execute("COMMIT")
result = {{"seconds": time.perf_counter() - start, "rows": row_no}}
"""

CSV_ROWS = """
handle = open({source!r}, encoding="utf-8", newline="")
rows = csv.reader(handle)
next(rows)
"""

XLSX_ROWS = """
import openpyxl
book = openpyxl.load_workbook({source!r}, read_only=True, data_only=True)
rows = book.worksheets[0].iter_rows(min_row=2, values_only=True)
"""

FIELDWORK = """
import time
from datetime import date
from pathlib import Path
from fieldwork.app.domain.records import ControlInput, EngagementDetails, TestPlan
from fieldwork.app.domain.sampling import PopulationSource
from fieldwork.app.domain.vocabulary import Frequency, Method, ReportType, Selection, TestKind
from fieldwork.app.services import controls, population, sampling, testing
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.tasks import Task

details = EngagementDetails("Bench", "Bench", ReportType.TYPE2, date(2026, 1, 1), date(2026, 12, 31))
db, _ = create_engagement(Path({target!r}), details, passphrase={passphrase!r})
made = controls.create_control(db, ControlInput("Change approval", frequency=Frequency.MULTIPLE_DAILY), ["CC8.1"])
test = testing.add_test(db, made.ref, TestPlan(TestKind.OPERATING, "Inspected", (Method.INSPECTION,)))
reports = []
task = Task(lambda done, total, label: reports.append(done))
start = time.perf_counter()
found = population.import_population(db, test.id, PopulationSource(Path({source!r})), "Ticket", "Opened", task=task)
seconds = time.perf_counter() - start
timings = {{}}
for method in (Selection.RANDOM, Selection.SYSTEMATIC):
    begun = time.perf_counter()
    draw = sampling.select_sample(db, test.id, method, size=60, seed=7, reason="benchmark")
    timings[method.value] = time.perf_counter() - begun
    testing.delete_sample_items(db, [item.sample_item_id for item in draw.items])
db.close()
result = {{"seconds": seconds, "rows": found.row_count, "reports": len(reports), **timings}}
"""


def write_csv(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(_rows(rows))
    return path


def write_xlsx(path: Path, rows: int) -> Path:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Changes")
    sheet.append(HEADER)
    for row in _rows(rows):
        sheet.append(row)
    book.save(path)
    return path


def _rows(count: int) -> Iterator[list[object]]:
    first = date(2026, 1, 1)
    for n in range(1, count + 1):
        opened = first + timedelta(days=n % 365)
        yield [f"CHG-{n:07d}", opened, f"approver{n % 37}", "Closed", f"Change {n} to the model serving fleet"]


def measure(folder: Path, source: Path, passphrase: str | None) -> dict[str, float]:
    target = folder / "bench.fieldwork"
    target.unlink(missing_ok=True)
    return peak_memory_of(FIELDWORK.format(target=str(target), source=str(source), passphrase=passphrase))


def baseline(folder: Path, source: Path) -> dict[str, float]:
    target = folder / "baseline.sqlite"
    target.unlink(missing_ok=True)
    reader = (CSV_ROWS if source.suffix == ".csv" else XLSX_ROWS).format(source=str(source))
    return peak_memory_of(BASELINE.format(target=str(target), rows=reader.strip()))


def compare(title: str, folder: Path, source: Path) -> None:
    base = baseline(folder, source)
    rows: list[tuple[str, str]] = [
        ("baseline", f"{base['seconds']:.1f} s for {int(base['rows']):,} rows, peak {base['peak_mib']:.0f} MiB")
    ]
    for label, passphrase in (("unencrypted", None), ("encrypted", PASSPHRASE)):
        run = measure(folder, source, passphrase)
        rows.append(
            (
                label,
                f"{run['seconds']:.1f} s ({run['seconds'] / base['seconds']:.2f}x the baseline), "
                f"peak {run['peak_mib']:.0f} MiB ({run['peak_mib'] / base['peak_mib']:.2f}x), "
                f"{int(run['reports'])} progress reports",
            )
        )
        rows.append(
            (f"  selecting 60 ({label})", f"random {run['random']:.2f} s, systematic {run['systematic']:.2f} s")
        )
    report(f"{title}: {source.stat().st_size / 2**20:,.0f} MiB", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the population")
    parser.add_argument("--xlsx", action="store_true", help="also import the population as an XLSX workbook")
    parser.add_argument("--dir", type=Path, default=None, help="where the temporary files go")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fieldwork-bench-", dir=args.dir))
    try:
        compare(f"Import {args.rows:,} rows from CSV", folder, write_csv(folder / "population.csv", args.rows))
        if args.xlsx:
            compare(f"Import {args.rows:,} rows from XLSX", folder, write_xlsx(folder / "population.xlsx", args.rows))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
