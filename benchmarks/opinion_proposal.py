"""Computing the opinion proposal on a large engagement, against what `fieldwork info` read before it existed.

    python -m benchmarks.opinion_proposal [--scale 20] [--repeat 5]

Ours: open the `--scale` demo and compute the opinion worksheet (every requirement's conclusion and whether the
file supports it, the findings, the misstatements, the proposal per area and framework). Baseline, in the same
run and on the same file: open it and read what `fieldwork info` read before the judgements were added (the
overview with every requirement's progress, every control and every test). Goal: 1.2x or less.
Also timed: `info`'s reads as they are now (the baseline's and the judgements, in one transaction), for context.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.common import report, time_it
from fieldwork.app.demo import create_demo
from fieldwork.app.services.controls import list_controls, read_controls
from fieldwork.app.services.judged import judgements, read_judgements
from fieldwork.app.services.overview import overview, read_overview
from fieldwork.app.services.testing import list_tests, read_tests
from fieldwork.app.storage.engagement_file import open_engagement


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        path = Path(name) / "scaled.fieldwork"
        create_demo(path, None, args.scale).close()

        def before() -> None:
            with open_engagement(path) as db:
                overview(db), list_controls(db), list_tests(db)

        def proposal() -> None:
            with open_engagement(path) as db:
                judgements(db)

        def info_now() -> None:
            with open_engagement(path) as db, db.reading() as conn:
                judged = read_judgements(conn)
                read_overview(conn, db.encrypted, list(judged.grounds.scope), judged.grounds.statuses)
                read_controls(conn), read_tests(conn)

        timings = [
            time_it(label, action, args.repeat)
            for label, action in (("baseline", before), ("proposal", proposal), ("info", info_now))
        ]
        baseline, ours, now = (t.best for t in timings)
        with open_engagement(path) as db:
            worksheet = judgements(db).worksheet
        report(
            f"Opinion proposal at --scale {args.scale} (best of {args.repeat})",
            [
                ("open + overview, controls, tests (info's reads before)", f"{baseline:.3f} s"),
                ("open + opinion worksheet (conclusions, findings, proposal)", f"{ours:.3f} s"),
                ("ratio", f"{ours / baseline:.2f}x (goal 1.2x or less)"),
                ("info's reads now (both)", f"{now:.3f} s = {now / baseline:.2f}x"),
                ("reasons the opinion is not supported", str(len(worksheet.reasons))),
            ],
        )


if __name__ == "__main__":
    main()
