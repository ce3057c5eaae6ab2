"""Roll-forward speed against writing the same rows the way `fieldwork demo` writes an engagement.

    python -m benchmarks.roll_forward [--scale 20] [--dir /tmp]

The source is `fieldwork demo --scale N`. Three runs, each in a child process:
- `fieldwork demo --scale N`, for scale (it writes samples, deviations and evidence a roll-forward never copies);
- the baseline: `create_engagement` with the demo's bulk path (`Changes.insert_many`) writing exactly the rows the
  roll-forward wrote (read from its output before the clock starts: the same tables, the same number of rows);
- `fieldwork roll-forward` of the demo into the next period: the old file opened read only and hashed, every
  row read, checked and copied with its history, the new file written atomically.
The roll-forward and the baseline run `--repeat` times each; the fastest of each is compared.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from benchmarks.common import ROOT, best_of, peak_memory_of, report, run_command

FIELDWORK = str(ROOT / ".venv" / "bin" / "fieldwork")
#: The tables a roll-forward fills, in an order their references allow.
COPIED = (
    "person", "control", "control_requirement", "dismissed_suggestion", "control_test", "pbc_request", "finding",
    "finding_requirement",
)  # fmt: skip
COUNT = """
import sqlite3
conn = sqlite3.connect({path!r})
tables = ("person", "tickmark", "description_section", "soa_line", "mapping", "control", "control_requirement",
          "dismissed_suggestion", "control_test", "pbc_request", "finding", "finding_requirement", "history")
result = {{name: conn.execute(f"SELECT count(*) FROM {{name}}").fetchone()[0] for name in tables}}
"""
BASELINE = """
import sqlite3, time, uuid
from pathlib import Path
from fieldwork.app.services.engagement import create_engagement, read_details
from fieldwork.app.storage.engagement_file import open_engagement
from fieldwork.app.storage.schema import metadata, description_section, soa_line, tickmark

source = open_engagement(Path({rolled!r}))
with source.reading() as conn:
    details = read_details(conn)
    rows = {{}}
    for name in {copied!r}:
        table = metadata.tables[name]
        found = [dict(row) for row in conn.execute(table.select()).mappings()]
        rows[name] = [{{k: v for k, v in row.items() if k not in ("version", "deleted_at")}} for row in found]
    sections = [dict(r) for r in conn.execute(description_section.select()).mappings()]
    marks = [{{"symbol": r.symbol, "meaning": r.meaning}} for r in conn.execute(tickmark.select())]
    lines = [dict(r) for r in conn.execute(soa_line.select()).mappings()]
source.close()

def fill(ch):
    held = set(ch.conn.execute(tickmark.select().with_only_columns(tickmark.c.symbol)).scalars())
    ch.insert_many(tickmark, [mark for mark in marks if mark["symbol"] not in held])
    for row in sections:
        ch.update(description_section, {{"code": row["code"]}}, {{"text": row["text"], "to_update": row["to_update"]}})
    for row in lines:
        ch.update(soa_line, {{"annex_code": row["annex_code"]}},
                  {{k: row[k] for k in ("included", "justification", "implementation_status")}})
    for name in {copied!r}:
        ch.insert_many(metadata.tables[name], rows[name])

start = time.perf_counter()
db, _ = create_engagement(Path({target!r}), details, (), None, fill=fill)
db.close()
result = {{"seconds": time.perf_counter() - start}}
"""
ROLL = """
import time
from datetime import date
from pathlib import Path
from fieldwork.app.domain.vocabulary import ReportType
from fieldwork.app.services.roll_forward import NewPeriod, roll_forward
from fieldwork.app.storage.read_only import open_read_only

start = time.perf_counter()
with open_read_only(Path({source!r})) as old:
    db, done = roll_forward(old, Path({target!r}), NewPeriod(ReportType.TYPE2, date(2026, 10, 1), date(2027, 9, 30)),
                            None)
db.close()
result = {{"seconds": time.perf_counter() - start}}
"""


def _counts(path: Path) -> dict[str, int]:
    return {name: int(n) for name, n in peak_memory_of(COUNT.format(path=str(path))).items() if name != "peak_mib"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the fastest of each is compared")
    parser.add_argument("--dir", type=Path, default=None, help="where the temporary files go")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fieldwork-bench-", dir=args.dir))
    try:
        demo = folder / "demo.fieldwork"
        demo_seconds, _peak = run_command([FIELDWORK, "demo", str(demo), "--scale", str(args.scale), "--unencrypted"])
        rolled, again_path = folder / "rolled0.fieldwork", folder / "baseline0.fieldwork"
        roll = best_of(
            args.repeat,
            lambda n: peak_memory_of(ROLL.format(source=str(demo), target=str(folder / f"rolled{n}.fieldwork"))),
        )
        base = best_of(
            args.repeat,
            lambda n: peak_memory_of(
                BASELINE.format(rolled=str(rolled), target=str(folder / f"baseline{n}.fieldwork"), copied=COPIED)
            ),
        )
        made, again, source = (_counts(path) for path in (rolled, again_path, demo))
        same = all(made[name] == again[name] for name in made if name != "history")
        ratio = roll["seconds"] / base["seconds"]
        report(
            f"Roll forward the demo at scale {args.scale} ({demo.stat().st_size / 2**20:.0f} MiB)",
            [
                (
                    "fieldwork demo --scale",
                    f"{demo_seconds:.2f} s (wall, with start-up), {source['control']:,} controls, "
                    f"{source['history']:,} history rows",
                ),
                (
                    "baseline: the same rows",
                    f"{base['seconds']:.2f} s, {again['control']:,} controls, {again['control_test']:,} tests, "
                    f"{again['history']:,} history rows",
                ),
                (
                    "fieldwork roll-forward",
                    f"{roll['seconds']:.2f} s ({ratio:.2f}x the baseline), peak {roll['peak_mib']:.0f} MiB, "
                    f"{made['history']:,} history rows",
                ),
                ("same rows in every table", "yes" if same else f"NO: {made} vs {again}"),
            ],
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
