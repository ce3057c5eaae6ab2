"""The Word report's cost on top of python-docx: the app's export against plain python-docx writing the same text.

Both sides start from the same `ReportData` of the `fieldwork demo --scale 20` engagement. The baseline
writes the report's paragraphs, headings and tables (every cell paragraph) with python-docx's plainest
calls and no styling; the app's side is the whole `write_docx` (building the report's blocks, styles,
repeating header rows, the contents field, the running header, page numbers, saving). Runs alternate
(baseline, app, ...) so a busy machine slows both sides alike. Goal: 1.5x or less.

    .venv/bin/python -m benchmarks.docx_export [--scale 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import docx

from benchmarks.common import Timing, report
from fieldwork.app.demo import create_demo
from fieldwork.app.exports.dataset import gather
from fieldwork.app.exports.docx_report import write_docx
from fieldwork.app.exports.report.build import build_report
from fieldwork.app.exports.report.model import Heading, PageBreak, Pairs, Para, Report, Table, plain
from fieldwork.app.tasks import Task


def write_plain(content: Report, target: Path) -> None:
    """The same paragraphs and tables, written the way a python-docx example would."""
    document = docx.Document()
    for block in (*content.cover, *content.body):
        if isinstance(block, Para):
            document.add_paragraph(plain(block.text))
        elif isinstance(block, Heading):
            document.add_heading(block.title, block.level + 1)
        elif isinstance(block, PageBreak):
            document.add_page_break()
        elif isinstance(block, Pairs):
            table = document.add_table(rows=0, cols=2)
            for label, value in block.rows:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = label, plain(value)
        elif isinstance(block, Table):
            table = document.add_table(rows=1, cols=len(block.header))
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = text
            for row in block.rows:
                for cell, paras in zip(table.add_row().cells, row.cells, strict=False):
                    cell.text = plain(paras[0].text)
                    for para in paras[1:]:
                        cell.add_paragraph(plain(para.text))
    document.save(str(target))


def _paragraphs(path: Path) -> int:
    """Paragraphs in the body and its tables: both sides must write the same text."""
    body = docx.Document(str(path)).element.body
    return len(body.findall(".//" + docx.oxml.ns.qn("w:p")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fieldwork-bench-") as folder:
        work = Path(folder)
        db = create_demo(work / "demo.fieldwork", scale=args.scale)
        data = gather(db)
        db.close()
        content = build_report(data, Task())  # the baseline's text, built once outside its timing
        plain_side, app = Timing("plain python-docx", []), Timing("fieldwork export", [])
        for _ in range(args.repeat):
            for timing, action in (
                (plain_side, lambda t: write_plain(content, t)),
                (app, lambda t: write_docx(data, t, Task())),
            ):
                started = time.perf_counter()
                action(work / f"{timing.label}.docx")
                timing.seconds.append(time.perf_counter() - started)
        paragraphs = {t.label: _paragraphs(work / f"{t.label}.docx") for t in (plain_side, app)}
    report(
        f"Word export, demo --scale {args.scale}: {len(data.controls)} controls, {len(data.tests)} tests",
        [
            *(
                (f"{t.label} best / median", f"{t.best:.2f} s / {t.median:.2f} s, {paragraphs[t.label]:,} paragraphs")
                for t in (plain_side, app)
            ),
            (
                "ratio best / median (goal <= 1.5)",
                f"{app.best / plain_side.best:.2f}x / {app.median / plain_side.median:.2f}x",
            ),
        ],
    )


if __name__ == "__main__":
    main()
