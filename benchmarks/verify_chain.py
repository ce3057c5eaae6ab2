"""`fieldwork verify` with the history's hash chain against the same verification without it.

    python -m benchmarks.verify_chain [--scale 20] [--repeat 5] [--dir /tmp]

The file is `fieldwork demo --scale N` (about 21,000 history entries at 20). Each run is a child process that
opens the file and runs `app.services.verify.verify`, as `fieldwork verify` does: with every check, and the
baseline with the history check left out (what verify did before the chain). The runs alternate between the two,
so a shared machine's load falls on both alike, and the other checks' findings must be the same text on both
sides. Quoted: the fastest and the median of `--repeat` runs of each, by the clock and by CPU time (the latter
moves less when other programs share the processors).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, Timing, peak_memory_of, report, run_command

FIELDWORK = str(ROOT / ".venv" / "bin" / "fieldwork")
RUN = """
import time
from pathlib import Path
from fieldwork.app.services import verify as checks
from fieldwork.app.storage.engagement_file import open_engagement

if not {chained!r}:
    checks.CHECKS[:] = [check for check in checks.CHECKS if check is not checks.check_history]
db = open_engagement(Path({path!r}), read_only=True)
start, cpu = time.perf_counter(), time.process_time()
found = checks.verify(db)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
with db.reading() as conn:
    entries = conn.exec_driver_sql("SELECT count(*) FROM history").scalar_one()
db.close()
assert all(f.ok for f in found), [f.detail for f in found if not f.ok]
others = [f"{{f.check}}: {{f.detail}}" for f in found if f.check != "history"]
result = {{"seconds": seconds, "cpu": cpu, "checks": len(found), "entries": entries, "others": others}}
"""


def _side(runs: list[dict[str, Any]], label: str) -> tuple[Timing, Timing]:
    return Timing(label, [run["seconds"] for run in runs]), Timing(label, [run["cpu"] for run in runs])


def _figures(clock: Timing, cpu: Timing, checks: int) -> str:
    return (
        f"{clock.best:.2f} s / {clock.median:.2f} s by the clock, {cpu.best:.2f} s / {cpu.median:.2f} s CPU, "
        f"{checks} checks"
    )


def _ratios(chained: Timing, plain: Timing) -> str:
    return f"{chained.best / plain.best:.2f}x / {chained.median / plain.median:.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(dir=args.dir))
    try:
        path = folder / "demo.fieldwork"
        made, _ = run_command([FIELDWORK, "demo", str(path), "--scale", str(args.scale), "--unencrypted"])
        runs: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
        for _ in range(args.repeat):
            for chained in (True, False):
                runs[chained].append(peak_memory_of(RUN.format(path=str(path), chained=chained)))
        others = {tuple(run["others"]) for side in runs.values() for run in side}
        assert len(others) == 1, f"the other checks found different things: {others}"
        (chain_clock, chain_cpu), (plain_clock, plain_cpu) = _side(runs[True], "chain"), _side(runs[False], "plain")
        report(
            f"verify, demo --scale {args.scale} ({int(runs[True][0]['entries']):,} history entries; "
            f"the demo written in {made:.1f} s); best / median of {args.repeat}",
            [
                ("with the chain", _figures(chain_clock, chain_cpu, int(runs[True][0]["checks"]))),
                ("without (baseline)", _figures(plain_clock, plain_cpu, int(runs[False][0]["checks"]))),
                ("ratio by the clock", f"{_ratios(chain_clock, plain_clock)} (goal 1.5x or less)"),
                ("ratio by CPU time", _ratios(chain_cpu, plain_cpu)),
                ("peak memory", f"{max(run['peak_mib'] for side in runs.values() for run in side):.0f} MiB"),
            ],
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
