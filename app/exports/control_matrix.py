"""The control matrix as a workbook: the controls and the test plans, in the columns the matrix import reads.

A matrix goes back and forth with the client or into next year's engagement: it carries what the controls are and
how they are tested, never samples, results or conclusions. Written through the workpapers' writer (text stays
text, the file appears whole or not at all); `services.matrix_import` reads it back the same.
"""

from __future__ import annotations

from pathlib import Path

from fieldwork.app.domain.records import Control, ControlTest
from fieldwork.app.engagement import Engagement
from fieldwork.app.exports.xlsx.table import Column, Row, Table, joined, yes_no
from fieldwork.app.exports.xlsx.writer import write_tables
from fieldwork.app.services.controls import read_controls
from fieldwork.app.services.engagement import read_details, read_facts
from fieldwork.app.services.history import utc_now
from fieldwork.app.services.matrix_fields import CONTROLS_SHEET, TESTS_SHEET, ControlField, TestField
from fieldwork.app.services.testing import read_tests
from fieldwork.app.tasks import Task

WIDTHS = {"description": 70, "procedure": 70, "population": 40, "title": 40, "requirements": 30, "methods": 30}


def _columns(fields: type[ControlField] | type[TestField]) -> tuple[Column, ...]:
    return tuple(Column(field.label, WIDTHS.get(field.value, 14)) for field in fields)


def _control_row(found: Control) -> Row:
    return Row(
        (
            found.ref,
            found.title,
            found.description,
            found.owner,
            found.frequency.label,
            found.control_type.label,
            yes_no(found.is_key),
            found.nature.label,
            joined(found.requirements),
            found.effective_from,
            found.effective_to,
            found.replaces_ref,
        )
    )


def _test_row(found: ControlTest) -> Row:
    return Row(
        (
            found.ref,
            found.control_ref,
            found.kind.label,
            found.procedure,
            joined(method.label for method in found.methods),
            found.population,
            found.sample_size,
            found.round.label if found.round else None,
            found.window_start,
            found.window_end,
        )
    )


def write_control_matrix(db: Engagement, target: Path, task: Task) -> int:
    """Write the matrix to `target` (a cancel or an error leaves whatever was there); the number of controls."""
    with db.reading() as conn:
        controls, tests = read_controls(conn), read_tests(conn)
        details, facts = read_details(conn), read_facts(conn, db.encrypted)
    tables = [
        Table(CONTROLS_SHEET, _columns(ControlField), [_control_row(c) for c in controls]),
        Table(TESTS_SHEET, _columns(TestField), [_test_row(t) for t in tests]),
    ]
    title = f"Control matrix: {details.client}, {details.system_name}"
    write_tables(tables, Path(target), task, title=title, identifier=facts.engagement_id, generated=utc_now())
    return len(controls)
