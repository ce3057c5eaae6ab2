"""Start-up of the frozen app against `fieldwork` from the virtual environment, measured in one run.

    python -m benchmarks.installer_startup [--repeat 15]

Both run `fieldwork --version`: starting the interpreter, parsing the arguments and answering, which every
command pays before its own work. The frozen app is what scripts/build_installer.sh built: the one folder
(dist/Fieldwork/fieldwork) and, when it has been built, the one file (dist/fieldwork), which unpacks itself
into a temporary folder at every start. The runs take turns, so a busy machine slows every side alike.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from benchmarks.common import ROOT, report, run_command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    sides = {
        "virtual environment": Path(sys.executable).with_name("fieldwork"),
        "one folder (frozen)": ROOT / "dist" / "Fieldwork" / "fieldwork",
        "one file (frozen)": ROOT / "dist" / "fieldwork",
    }
    if not sides["one folder (frozen)"].exists():
        raise SystemExit("Build the app first: scripts/build_installer.sh")
    sides = {label: path for label, path in sides.items() if path.exists()}
    runs: dict[str, list[tuple[float, float]]] = {label: [] for label in sides}
    for _ in range(args.repeat):
        for label, program in sides.items():
            runs[label].append(run_command([str(program), "--version"]))
    baseline = statistics.median(wall for wall, _ in runs["virtual environment"])
    rows = []
    for label, measured in runs.items():
        wall = statistics.median(wall for wall, _ in measured)
        peak = max(peak for _, peak in measured)
        figures = f"{wall:.3f} s, {wall / baseline:.2f}x, peak {peak:.0f} MiB"
        rows.append((f"{label} (median of {args.repeat})", figures))
    report("fieldwork --version", rows)


if __name__ == "__main__":
    main()
