"""The draft combined SOC 2 + ISO/IEC 42001 report, as a PDF, from a `ReportData` snapshot.

The sections are built one by one (each a checkpoint for progress and cancel), then laid out
in a single reportlab pass that reports progress page by page. The file is written through
`atomic_target`, so a cancel or an error leaves whatever was at the target untouched.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from reportlab.platypus import Flowable

from app.domain.vocabulary import RequirementKind
from app.exports import atomic
from app.exports.dataset import ReportData
from app.exports.pdf import closing, front, results
from app.exports.pdf.figures import ReportFigures
from app.exports.pdf.fonts import coverage
from app.exports.pdf.layout import Outline, ReportCanvas, ReportDocument
from app.tasks import Task

Part = Callable[[ReportFigures, Outline], list[Flowable]]


def parts(figures: ReportFigures) -> list[tuple[str, Part]]:
    """The report's parts in order, each small enough to be a checkpoint for cancel."""
    listed: list[tuple[str, Part]] = [
        ("Section I", front.section_one),
        ("Section II", front.section_two),
        ("Section III", front.section_three),
        ("Section IV", results.section_four),
    ]
    for name in figures.data.details.tsc_categories:
        listed.append((name, functools.partial(results.category, name=name)))
    listed.append(("Section IV-A", results.section_four_a))
    for top in figures.iso(RequirementKind.CLAUSE):
        listed.append((f"Clause {top.code}", functools.partial(results.clause, top=top)))
    listed += [
        ("Statement of Applicability", results.statement_of_applicability),
        ("Section V", closing.section_five),
        ("Appendix A", closing.exceptions_summary),
        ("Appendix B", closing.evidence_index),
        ("Appendix C", closing.crosswalk),
    ]
    return listed


def _layout_progress(task: Task) -> Callable[[str, int], None]:
    """reportlab's progress events, turned into one checkpoint per page laid out."""
    state = {"total": 1, "done": 0}

    def on_event(kind: str, value: int) -> None:
        if kind == "SIZE_EST":
            state["total"] = max(value, 1)
        elif kind == "PROGRESS":
            state["done"] = value
        elif kind == "PAGE":
            task.progress(state["done"], state["total"], f"Laying out page {value}")

    return on_event


def write_report(data: ReportData, target: Path, task: Task) -> None:
    """Write the draft report to `target`; `task.progress` raising `Cancelled` leaves no file behind."""
    coverage()
    figures = ReportFigures(data)
    outline = Outline()
    body: list[Flowable] = []
    listed = parts(figures)
    for done, (label, part) in enumerate(listed):
        task.progress(done, len(listed), f"Writing {label}")
        body += part(figures, outline)
    story = [*front.cover(figures), *front.contents(outline), *body]
    with atomic.atomic_target(Path(target)) as temporary:
        document = ReportDocument(temporary, data)
        document.setProgressCallBack(_layout_progress(task))
        document.build(story, canvasmaker=ReportCanvas)
