"""Crash survival, the long run: hundreds of SIGKILLs at random moments of every write path.

    python -m benchmarks.crash_survival [--kills 50] [--seed N] [--only NAME]

Each trial is the one `tests/test_crash_survival.py` runs in CI (see `tests/crash_harness.py`): a fresh
copy of the starting state, the command killed after a random delay within the time it takes to
finish, then the survivor opened, verified and compared by `info --json` with the states before and
after; no half-written target, no temporary left after the next open, no plaintext secret.

The figure per write path is kills survived / kills tried, with where the kills landed (the file as
before the command, between its two actions, as after it, or not yet created), which shows the kills
fell all through the work and not only before or after it.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.common import report
from tests.crash_harness import Harness


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50, help="kills per write path")
    parser.add_argument("--seed", type=int, default=random.SystemRandom().randrange(1 << 30))
    parser.add_argument("--only", help="one write path by name")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fieldwork-crash-") as folder:
        harness = Harness(Path(folder), evidence_mib=64, population_rows=150_000)
        rows, total, survived_all = [], 0, 0
        failures: list[str] = []
        started = time.monotonic()
        for path in harness.write_paths():
            if args.only and path.name != args.only:
                continue
            harness.learn(path)
            rng = random.Random(f"{args.seed}-{path.name}")
            states: Counter[str] = Counter()
            survived = 0
            for number in range(args.kills):
                delay, survey = harness.trial(path, number, rng)
                if survey.problem is None:
                    survived += 1
                    states[survey.state] += 1
                else:
                    failures.append(f"{path.name}, kill at {delay:.3f} s: {survey.problem}")
            landed = ", ".join(f"{state} {count}" for state, count in sorted(states.items()))
            rows.append((path.name, f"{survived}/{args.kills} survived ({path.seconds:.2f} s to finish; {landed})"))
            total += args.kills
            survived_all += survived
        rows.append(("all write paths", f"{survived_all}/{total} survived in {time.monotonic() - started:.0f} s"))
        report(f"Crash survival (seed {args.seed})", rows)
        for failure in failures:
            print(f"  FAILED {failure}")


if __name__ == "__main__":
    main()
