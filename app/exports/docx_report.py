"""The draft combined report (and the ISO/IEC 42001 findings report) as a Word document, from the same blocks
as the PDF.

Firms issue reports from Word: this copy is for editing into the issued report. It is written
through `atomic_target`, so a cancel or an error leaves whatever was at the target untouched.
"""

from __future__ import annotations

from pathlib import Path

from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.docx.render import DocxRenderer
from fieldwork.app.exports.docx.styles import new_document
from fieldwork.app.exports.report.build import build_report
from fieldwork.app.exports.report.findings_report import build_findings_report
from fieldwork.app.exports.report.model import DRAFT_OPTIONS, Report, ReportOptions
from fieldwork.app.storage import atomic
from fieldwork.app.tasks import Task


def write_docx(data: ReportData, target: Path, task: Task, options: ReportOptions = DRAFT_OPTIONS) -> None:
    """Write the draft report to `target` as .docx; `task.progress` raising `Cancelled` leaves no file behind."""
    save_docx(build_report(data, task, options), target, task)


def write_findings_docx(data: ReportData, target: Path, task: Task, options: ReportOptions = DRAFT_OPTIONS) -> None:
    """Write the ISO/IEC 42001 findings report for management to `target` as .docx, as the draft report is."""
    save_docx(build_findings_report(data, task, options), target, task)


def save_docx(report: Report, target: Path, task: Task) -> None:
    """Render any report's blocks into a Word document at `target`, atomically."""
    document = new_document()
    DocxRenderer(document, task).render(report)
    task.progress(1, 1, "Saving the Word document")
    with atomic.atomic_target(Path(target)) as temporary:
        document.save(str(temporary))
