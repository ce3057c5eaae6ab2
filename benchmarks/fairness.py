"""The fairness re-performance against pandas on the same decisions file, in the same run.

    .venv/bin/pip install -e ".[bench]"    # pandas, for this baseline only
    python -m benchmarks.fairness [--rows 1000000] [--repeat 3] [--dir /tmp]

One generated decisions CSV (applicant, date, requisition, gender, age band, model score, outcome). Each side
produces the same output: decisions and favourable decisions per group, selection rates, impact ratios against
the most selected group, and the file's SHA-256; the parent checks the counts agree. Two pandas baselines:
reading only the two columns (`usecols`, pandas at its fastest here) and reading the whole file (what most
pandas code does), each followed by a `groupby`. Fieldwork's `reperform` streams the file through the population
readers with their checks. Each run is a child process, so each peak is its own; the sides run in turn,
`--repeat` rounds, and each side's best time is quoted, with its least processor time (each side uses one core,
and on a busy shared machine the processor time moves far less than the wall-clock time).
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import peak_memory_of, report

HEADER = ["Application ID", "Decided on", "Requisition", "Gender", "Age band", "Model score", "Outcome"]
GROUPS = {"Female": (0.45, 0.22), "Male": (0.45, 0.30), "Non-binary": (0.05, 0.25), "Not disclosed": (0.05, 0.18)}

PANDAS = """
import hashlib, time
import pandas as pd
start, cpu = time.perf_counter(), time.process_time()
frame = pd.read_csv({source!r}, {options})
table = frame.groupby("Gender")["Outcome"].agg(decisions="size", favourable=lambda s: (s == "Advanced").sum())
table["rate"] = table["favourable"] / table["decisions"]
table["ratio"] = table["rate"] / table["rate"].max()
digest = hashlib.sha256()
with open({source!r}, "rb") as handle:
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
counts = {{group: [int(row.decisions), int(row.favourable)] for group, row in table.iterrows()}}
result = {{"seconds": seconds, "cpu": cpu, "counts": counts, "sha256": digest.hexdigest()}}
"""

FIELDWORK = """
import time
from pathlib import Path
from fieldwork.app.domain.sampling import PopulationSource
from fieldwork.app.services.fairness import reperform
start, cpu = time.perf_counter(), time.process_time()
figures = reperform(PopulationSource(Path({source!r})), "Gender", "Outcome", ["Advanced"])
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
counts = {{g.group: [g.decisions, g.favourable] for g in figures.groups}}
result = {{"seconds": seconds, "cpu": cpu, "counts": counts, "sha256": figures.sha256}}
"""


def write_decisions(path: Path, rows: int) -> Path:
    rng = random.Random(20260301)
    names, weights = list(GROUPS), [share for share, _ in GROUPS.values()]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            group = rng.choices(names, weights)[0]
            outcome = "Advanced" if rng.random() < GROUPS[group][1] else "Rejected"
            band = ("18-29", "30-39", "40-49", "50+")[n % 4]
            writer.writerow(
                [f"APP-{n:07d}", f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}", f"REQ-{n % 900:04d}", group, band,
                 f"{rng.random():.4f}", outcome]
            )  # fmt: skip
    return path


#: One child's result: seconds, cpu (seconds), peak_mib, counts per group and the SHA-256 (JSON, so any value).
Run = dict[str, Any]


def best_of(sides: dict[str, str], repeat: int) -> dict[str, Run]:
    """Each side `repeat` times, in rounds (one run of each side per round, so a busy spell on a shared machine
    falls on all sides alike); each side's fastest time, its least processor time and its highest peak."""
    runs: dict[str, list[Run]] = {label: [] for label in sides}
    for _ in range(repeat):
        for label, code in sides.items():
            runs[label].append(dict(peak_memory_of(code)))
    best: dict[str, Run] = {}
    for label, found in runs.items():
        best[label] = {
            **min(found, key=lambda run: run["seconds"]),
            "cpu": min(run["cpu"] for run in found),
            "peak_mib": max(run["peak_mib"] for run in found),
        }
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="decisions in the file")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of runs; each side's fastest is quoted")
    parser.add_argument("--dir", type=Path, default=None, help="where the temporary file goes")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fieldwork-bench-", dir=args.dir))
    try:
        source = str(write_decisions(folder / "decisions.csv", args.rows))
        sides = {
            "pandas, two columns": PANDAS.format(source=source, options='usecols=["Gender", "Outcome"], dtype=str'),
            "pandas, whole file": PANDAS.format(source=source, options=""),
            "Fieldwork reperform": FIELDWORK.format(source=source),
        }
        runs = best_of(sides, args.repeat)
        ours = runs["Fieldwork reperform"]
        for label, run in runs.items():
            if (run["counts"], run["sha256"]) != (ours["counts"], ours["sha256"]):
                raise SystemExit(f"{label} does not agree with Fieldwork: {run['counts']} vs {ours['counts']}")
        rows = []
        for label, run in runs.items():
            seconds, cpu, peak = run["seconds"], run["cpu"], run["peak_mib"]
            ratios = (
                ""
                if run is ours
                else f" (Fieldwork: {ours['seconds'] / seconds:.2f}x the time, {ours['cpu'] / cpu:.2f}x the CPU)"
            )
            rows.append((label, f"{seconds:.2f} s, CPU {cpu:.2f} s, peak {peak:.0f} MiB{ratios}"))
        size = Path(source).stat().st_size / 2**20
        report(f"Fairness re-performance on {args.rows:,} decisions ({size:.0f} MiB CSV), best of {args.repeat}", rows)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
