"""The draft combined report as a Word document, from the same blocks as the PDF.

Firms issue reports from Word: this copy is for editing into the issued report. It is written
through `atomic_target`, so a cancel or an error leaves whatever was at the target untouched.
"""

from __future__ import annotations

from pathlib import Path

from app.exports import atomic
from app.exports.dataset import ReportData
from app.exports.docx.render import DocxRenderer
from app.exports.docx.styles import new_document
from app.exports.report.build import build_report
from app.exports.report.model import DRAFT_OPTIONS, ReportOptions
from app.tasks import Task


def write_docx(data: ReportData, target: Path, task: Task, options: ReportOptions = DRAFT_OPTIONS) -> None:
    """Write the draft report to `target` as .docx; `task.progress` raising `Cancelled` leaves no file behind."""
    report = build_report(data, task, options)
    document = new_document()
    DocxRenderer(document, task).render(report)
    task.progress(1, 1, "Saving the Word document")
    with atomic.atomic_target(Path(target)) as temporary:
        document.save(str(temporary))
