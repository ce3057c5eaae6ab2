"""The workpapers workbook (XLSX) for engagement managers who review in Excel, without the app.

It renders a `ReportData` and nothing else, so its figures are the screens' and the PDF's. The file appears
whole or not at all: it is written beside the target and renamed into place, and a cancel or an error removes
every temporary file, including the per-sheet ones openpyxl keeps elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from fieldwork.app.exports.collector import collector_paused
from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.xlsx.ai import ai_coverage_table, ai_systems_table, fairness_table, impact_assessments_table
from fieldwork.app.exports.xlsx.index import index_table
from fieldwork.app.exports.xlsx.judgements import conclusions_table, findings_table, opinion_table
from fieldwork.app.exports.xlsx.matrix import controls_table, exceptions_table, samples_table, tests_table
from fieldwork.app.exports.xlsx.places import Places
from fieldwork.app.exports.xlsx.records import audit_trail_table, evidence_table
from fieldwork.app.exports.xlsx.review import review_notes_table, signoffs_table
from fieldwork.app.exports.xlsx.scope import coverage_table, soa_table
from fieldwork.app.exports.xlsx.subservice import complementary_table, subservice_table
from fieldwork.app.exports.xlsx.table import Table
from fieldwork.app.exports.xlsx.workpapers import ipe_table, workpapers_table
from fieldwork.app.exports.xlsx.writer import RunningHead, write_tables
from fieldwork.app.tasks import Task


def _tables(data: ReportData, files: Mapping[str, str] | None) -> list[Table]:
    """The sheets in workbook order. All are built before writing starts, so progress can count every row."""
    places = Places.of(data, files)
    return [
        index_table(data),
        controls_table(data, places),
        tests_table(data, places),
        samples_table(data, places),
        exceptions_table(data, places),
        conclusions_table(data),
        findings_table(data),
        opinion_table(data),
        workpapers_table(data),
        ipe_table(data),
        subservice_table(data),
        complementary_table(data),
        soa_table(data),
        coverage_table(data),
        ai_systems_table(data),
        impact_assessments_table(data),
        ai_coverage_table(data),
        fairness_table(data),
        evidence_table(data, places),
        signoffs_table(data),
        review_notes_table(data),
        audit_trail_table(data),
    ]


def write_workbook(data: ReportData, target: Path, task: Task, files: Mapping[str, str] | None = None) -> None:
    """Write the workpapers to `target`; `task.progress` raising `Cancelled` leaves whatever was there.

    `files`: in a review pack, each evidence file's copy (reference to its path relative to `target`), which the
    Evidence sheet and every row citing evidence then link to."""
    with collector_paused():
        _write(data, Path(target), task, files)


def _write(data: ReportData, target: Path, task: Task, files: Mapping[str, str] | None) -> None:
    title = f"Workpapers: {data.details.client}, {data.details.system_name}"
    identifier = data.facts.engagement_id  # which engagement file these came from
    head = RunningHead(data.details.client, draft=data.finalized_at is None)
    write_tables(
        _tables(data, files), target, task, title=title, identifier=identifier, generated=data.generated_at, head=head
    )
