"""Whether the PDF's cost grows with its length and no faster: time per page at `--scale 50` against `--scale 10`.

A step that does a little more work per page for every page before it (a quadratic layout) shows as a
time per page that rises with the scale. Both exports are measured in the same run, alternately, from
`ReportData` gathered beforehand. Goal: 1.2x or less.

    .venv/bin/python -m benchmarks.pdf_pages [--small 10] [--large 50] [--repeat 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

from benchmarks.common import Timing, report
from fieldwork.app.demo import create_demo
from fieldwork.app.exports.dataset import ReportData, gather
from fieldwork.app.exports.pdf.fonts import coverage
from fieldwork.app.exports.pdf_report import write_report
from fieldwork.app.tasks import Task


def _data(folder: Path, scale: int) -> ReportData:
    db = create_demo(folder / f"demo{scale}.fieldwork", scale=scale)
    try:
        return gather(db)
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    coverage()  # registering the fonts is once per process, part of neither figure
    with tempfile.TemporaryDirectory(prefix="fieldwork-bench-") as folder:
        work = Path(folder)
        data = {scale: _data(work, scale) for scale in (args.small, args.large)}
        timings = {scale: Timing(f"--scale {scale}", []) for scale in data}
        for _ in range(args.repeat):
            for scale, gathered in data.items():
                started = time.perf_counter()
                write_report(gathered, work / f"{scale}.pdf", Task())
                timings[scale].seconds.append(time.perf_counter() - started)
        pages = {scale: len(PdfReader(work / f"{scale}.pdf").pages) for scale in data}
    per_page = {scale: timings[scale].best / pages[scale] for scale in data}
    report(
        f"PDF export time per page, demo --scale {args.small} and --scale {args.large}",
        [
            *(
                (
                    f"--scale {scale} best / median",
                    f"{t.best:.1f} s / {t.median:.1f} s, {pages[scale]:,} pages, "
                    f"{1000 * per_page[scale]:.1f} ms a page",
                )
                for scale, t in timings.items()
            ),
            ("ratio per page, large / small (goal <= 1.2)", f"{per_page[args.large] / per_page[args.small]:.2f}x"),
        ],
    )


if __name__ == "__main__":
    main()
