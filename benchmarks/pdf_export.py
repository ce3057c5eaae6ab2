"""The draft report's cost on top of reportlab: the app's export against a plain build of the same tables.

Both sides start from the same `ReportData` of the `fieldwork demo --scale 20` engagement and
use the same embedded fonts, so the ratio is what the app adds: the cover, contents, wording
templates, running headers, DRAFT marks, page numbers, bookmarks, gap marks and the layout
guards. Runs alternate (baseline, app, baseline, ...) so a busy machine slows both sides alike.
Goal: 1.5x or less.

    /tmp/venv/bin/python -m benchmarks.pdf_export [--scale 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

from pypdf import PdfReader
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

from benchmarks.common import Timing, report
from fieldwork.app.demo import create_demo
from fieldwork.app.domain.vocabulary import RequirementKind
from fieldwork.app.exports.dataset import ReportData, gather
from fieldwork.app.exports.pdf.fonts import SANS, SANS_BOLD, coverage
from fieldwork.app.exports.pdf_report import write_report
from fieldwork.app.tasks import Task

WIDTH = LETTER[0] - 108
CELL = ParagraphStyle("cell", fontName=SANS, fontSize=8, leading=10.24)
HEAD = ParagraphStyle("head", fontName=SANS_BOLD, fontSize=11, leading=14)
STYLE = TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.35, "#B8C0CC")])


def _table(header: list[str], rows: list[list[str]], shares: list[float]) -> Table:
    data = [[Paragraph(escape(text), CELL) for text in row] for row in [header, *rows]]
    return Table(data, colWidths=[WIDTH * s for s in shares], repeatRows=1, splitInRow=1, style=STYLE)


def plain_story(data: ReportData) -> list[Flowable]:
    """The same tables and cell text as the report, built the way a reportlab example would."""
    deviations: dict[int, list[str]] = {}
    for d in data.deviations:
        deviations.setdefault(d.test_id, []).append(d.description)
    tests: dict[int, list[str]] = {}
    results: dict[int, list[str]] = {}
    for t in data.tests:
        methods = ", ".join(m.label for m in t.methods)
        tests.setdefault(t.control_id, []).append(
            f"{t.ref} {t.kind.label}. {t.procedure} Methods: {methods}. Population: {t.population} "
            f"({t.population_size}). Sample: {t.sample_size} {t.selection.label if t.selection else ''}"
        )
        results.setdefault(t.control_id, []).append(f"{t.ref}: {' '.join(deviations.get(t.id, ['No exceptions']))}")
    story: list[Flowable] = []
    for requirement in data.requirements:
        if requirement.kind not in (RequirementKind.CRITERION, RequirementKind.SUBCLAUSE):
            continue
        rows = [
            [
                f"{c.ref} {c.title} {c.description} Owner: {c.owner} {c.frequency.label} {c.nature.label}",
                " ".join(tests.get(c.id, [])),
                " ".join(results.get(c.id, [])),
            ]
            for c in data.controls_for(requirement.code)
        ]
        story.append(Paragraph(escape(requirement.label), HEAD))
        if rows:
            story.append(_table(["Control", "Tests performed", "Results"], rows, [0.32, 0.44, 0.24]))
    soa = [[f"{s.annex_code} {s.title}", str(s.included), s.justification, ", ".join(s.controls)] for s in data.soa]
    story += [PageBreak(), _table(["Annex A", "Included", "Justification", "Controls"], soa, [0.25, 0.1, 0.45, 0.2])]
    exceptions = [
        [f"{d.test_ref} {d.description}", d.management_response, ", ".join(d.requirements)] for d in data.deviations
    ]
    story += [PageBreak(), _table(["Exception", "Response", "Affects"], exceptions, [0.45, 0.4, 0.15])]
    links = [[m.iso_code, m.soc2_code, m.relationship.label, m.rationale] for m in data.mappings]
    story += [PageBreak(), _table(["ISO", "SOC 2", "Relationship", "Rationale"], links, [0.2, 0.2, 0.15, 0.45])]
    return story


def build_plain(data: ReportData, target: Path) -> None:
    SimpleDocTemplate(str(target), pagesize=LETTER, leftMargin=54, rightMargin=54).build(plain_story(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    coverage()  # both sides use the registered fonts; registering them once is not part of either figure
    with tempfile.TemporaryDirectory(prefix="fieldwork-bench-") as folder:
        work = Path(folder)
        started = time.perf_counter()
        db = create_demo(work / "demo.fieldwork", scale=args.scale)
        created = time.perf_counter() - started
        started = time.perf_counter()
        data = gather(db)
        gathered = time.perf_counter() - started
        db.close()
        plain, app = Timing("plain reportlab", []), Timing("fieldwork export", [])
        for _ in range(args.repeat):
            for timing, action in ((plain, build_plain), (app, lambda d, t: write_report(d, t, Task()))):
                started = time.perf_counter()
                action(data, work / f"{timing.label}.pdf")
                timing.seconds.append(time.perf_counter() - started)
        pages = {t.label: _pages(work / f"{t.label}.pdf") for t in (plain, app)}
    report(
        f"PDF export, demo --scale {args.scale}: {len(data.controls)} controls, {len(data.tests)} tests",
        [
            ("create demo (not compared)", f"{created:.1f} s"),
            ("gather ReportData (not compared)", f"{gathered:.1f} s"),
            *(
                (f"{t.label} best / median", f"{t.best:.1f} s / {t.median:.1f} s, {pages[t.label]} pages")
                for t in (plain, app)
            ),
            ("ratio best / median (goal <= 1.5)", f"{app.best / plain.best:.2f}x / {app.median / plain.median:.2f}x"),
        ],
    )


def _pages(path: Path) -> int:
    return len(PdfReader(path).pages)


if __name__ == "__main__":
    main()
