"""The draft combined SOC 2 + ISO/IEC 42001 report, and the ISO/IEC 42001 findings report, as PDFs rendered
from the report's blocks.

The blocks are built section by section (each a checkpoint for progress and cancel), then laid out
in a single reportlab pass that reports progress page by page. The file is written through
`atomic_target`, so a cancel or an error leaves whatever was at the target untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.pdf.fonts import coverage
from fieldwork.app.exports.pdf.layout import ReportCanvas, ReportDocument
from fieldwork.app.exports.pdf.render import Renderer
from fieldwork.app.exports.report.build import build_report
from fieldwork.app.exports.report.findings_report import build_findings_report
from fieldwork.app.exports.report.model import DRAFT_OPTIONS, Report, ReportOptions
from fieldwork.app.storage import atomic
from fieldwork.app.tasks import Task


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


def write_report(data: ReportData, target: Path, task: Task, options: ReportOptions = DRAFT_OPTIONS) -> None:
    """Write the draft report to `target`; `task.progress` raising `Cancelled` leaves no file behind."""
    write_pdf(build_report(data, task, options), target, task)


def write_findings_pdf(data: ReportData, target: Path, task: Task, options: ReportOptions = DRAFT_OPTIONS) -> None:
    """Write the ISO/IEC 42001 findings report for management to `target`, as the draft report is written."""
    write_pdf(build_findings_report(data, task, options), target, task)


def write_pdf(report: Report, target: Path, task: Task) -> None:
    """Lay out any report's blocks into `target`, page by page, atomically."""
    coverage()
    story = Renderer().render(report)
    with atomic.atomic_target(Path(target)) as temporary:
        document = ReportDocument(temporary, report)
        document.setProgressCallBack(_layout_progress(task))
        document.build(story, canvasmaker=ReportCanvas)
