"""Removing a test's population, which both the population's own actions (replacing it) and deleting the test
need: kept below both `population` and `testing`, so neither imports the other to do it."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from fieldwork.app.domain.ids import TestId
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.history import Changes
from fieldwork.app.storage.schema import live, population, population_row, sample_item


def drop_population(ch: Changes, test_id: TestId) -> None:
    """Remove a test's population inside a change (before a replacement, or with the test itself).

    Refused once a sample has been drawn from it: those items must keep the rows they came from.
    """
    found = ch.conn.execute(
        select(population.c.id, population.c.source_name, population.c.source_sha256).where(
            population.c.test_id == test_id, live(population)
        )
    ).first()
    if found is None:
        return
    drawn = ch.conn.execute(
        select(func.count())
        .select_from(sample_item)
        .where(sample_item.c.test_id == test_id, sample_item.c.population_row_no.is_not(None), live(sample_item))
    ).scalar_one()
    if drawn:
        raise ValidationError(
            f"{drawn} sample item(s) were drawn from {found.source_name}; delete them before replacing the population."
        )
    rows = population_row.c.population_id == found.id
    if found.source_sha256 is None:
        ch.delete_where(population_row, rows)  # typed in: each row was recorded, so each removal is too
    else:
        ch.conn.execute(delete(population_row).where(rows))  # the file's hash and row count stand for them
    ch.delete(population, {"id": found.id})
