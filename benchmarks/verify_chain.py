"""`fieldwork verify` with the history's hash chain against the same verification without it.

    python -m benchmarks.verify_chain [--scale 20] [--repeat 3] [--dir /tmp]

The file is `fieldwork demo --scale N` (about 40,000 history entries at 20). Each run is a child process that
opens the file and runs `app.services.verify.verify`: with every check (what `fieldwork verify` does), and the
baseline with the history check left out (what verify did before the chain). Both print the same findings for
the other checks. The fastest of `--repeat` runs of each is compared.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from benchmarks.common import ROOT, best_of, peak_memory_of, report, run_command

FIELDWORK = str(ROOT / ".venv" / "bin" / "fieldwork")
RUN = """
import time
from pathlib import Path
from app.services import verify as checks
from app.storage.engagement_file import open_engagement

if not {chained!r}:
    checks.CHECKS[:] = [check for check in checks.CHECKS if check is not checks.check_history]
db = open_engagement(Path({path!r}), read_only=True)
start = time.perf_counter()
found = checks.verify(db)
seconds = time.perf_counter() - start
with db.reading() as conn:
    entries = conn.exec_driver_sql("SELECT count(*) FROM history").scalar_one()
db.close()
assert all(f.ok for f in found), [f.detail for f in found if not f.ok]
result = {{"seconds": seconds, "checks": len(found), "entries": entries}}
"""


def _figures(found: dict[str, float]) -> str:
    return f"{found['seconds']:.2f} s, {int(found['checks'])} checks, {found['peak_mib']:.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(dir=args.dir))
    try:
        path = folder / "demo.fieldwork"
        made, _ = run_command([FIELDWORK, "demo", str(path), "--scale", str(args.scale), "--unencrypted"])
        chained = best_of(args.repeat, lambda _n: peak_memory_of(RUN.format(path=str(path), chained=True)))
        plain = best_of(args.repeat, lambda _n: peak_memory_of(RUN.format(path=str(path), chained=False)))
        entries = int(chained["entries"])
        report(
            f"verify, demo --scale {args.scale} ({entries:,} history entries; the demo written in {made:.1f} s)",
            [
                ("with the chain", _figures(chained)),
                ("without (baseline)", _figures(plain)),
                ("ratio", f"{chained['seconds'] / plain['seconds']:.2f}x (goal 1.5x or less)"),
            ],
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
