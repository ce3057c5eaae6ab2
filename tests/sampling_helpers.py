"""Shared set-up for the sampling tests: a control with an operating test, and population files."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path

import openpyxl
from sqlalchemy import func, select

from fieldwork.app.domain.ipe import IpeInput, IpeResult
from fieldwork.app.domain.records import ControlInput, TestPlan
from fieldwork.app.domain.sampling import PopulationItemInput
from fieldwork.app.domain.vocabulary import Frequency, Method, Nature, TestKind
from fieldwork.app.services import controls, ipe, population, testing
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.storage.schema import history

START = date(2026, 1, 1)

#: What an auditor records of a population shown complete and accurate.
RELIABLE = IpeInput(
    source_system="Jira",
    report="Changes merged in the period",
    procedures="Agreed the listing's count to the system's own; traced five items each way.",
    result=IpeResult.RELIABLE,
)


def assess_population(db: EngagementFile, test_id: int) -> None:
    """The population's completeness and accuracy assessed, as a clean conclusion needs (`services.ipe`)."""
    ipe.assess_population(db, test_id, RELIABLE)


def operating_test(db: EngagementFile, frequency: Frequency = Frequency.DAILY, nature: Nature = Nature.MANUAL) -> int:
    made = controls.create_control(db, ControlInput("Change approval", frequency=frequency, nature=nature), ["CC8.1"])
    plan = TestPlan(TestKind.OPERATING, "Inspected each change's approval", (Method.INSPECTION,))
    return testing.add_test(db, made.ref, plan).id


def ticket_rows(count: int, first_day: date = START) -> list[tuple[str, date]]:
    return [(f"CHG-{n:04d}", first_day + timedelta(days=(n - 1) % 365)) for n in range(1, count + 1)]


def enter_tickets(db: EngagementFile, test_id: int, count: int) -> None:
    population.enter_population(db, test_id, [PopulationItemInput(i, d) for i, d in ticket_rows(count)])


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], **options: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, **options)  # type: ignore[arg-type]
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def replace_parts(path: Path, parts: dict[str, bytes]) -> Path:
    """Rewrite a workbook with some parts swapped for hostile ones."""
    with zipfile.ZipFile(path) as original:
        kept = {info.filename: original.read(info) for info in original.infolist() if info.filename not in parts}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for name, data in {**kept, **parts}.items():
            rewritten.writestr(name, data)
    return path


def history_count(db: EngagementFile) -> int:
    with db.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(history)).scalar_one())
