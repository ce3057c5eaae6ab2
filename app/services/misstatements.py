"""Misstatements of the description of the system, found in testing it against DC 200 (DC1-DC9).

Material misstatements that management did not correct bear on the opinion on the description; every
misstatement, corrected or not, is kept for the reviewer.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, select

from fieldwork.app.domain.ids import MisstatementId
from fieldwork.app.domain.judgements import Misstatement, MisstatementInput
from fieldwork.app.domain.vocabulary import DESCRIPTION_HEADINGS
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError, ValidationError
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.refs import next_number
from fieldwork.app.storage.schema import description_misstatement, live

REF_PATTERN = re.compile(r"^M-(\d+)$")


def _row(values: MisstatementInput) -> dict[str, Any]:
    if values.section not in DESCRIPTION_HEADINGS:
        raise ValidationError(f"{values.section} is not a description-of-the-system heading (DC1 to DC9).")
    if not values.description.strip():
        raise ValidationError("Say what the description misstates.")
    return {
        "section": values.section,
        "description": values.description.strip(),
        "material": values.material,
        "corrected": values.corrected,
    }


def add_misstatement(db: Engagement, values: MisstatementInput) -> Misstatement:
    with changes(db) as ch:
        return _one(ch.conn, insert_misstatement(ch, values))


def insert_misstatement(ch: Changes, values: MisstatementInput) -> MisstatementId:
    row = _row(values)
    ref = f"M-{next_number(ch.conn, description_misstatement.c.ref, REF_PATTERN):03d}"
    return MisstatementId(ch.insert(description_misstatement, {"ref": ref, **row}))


def update_misstatement(db: Engagement, key: MisstatementId, values: MisstatementInput) -> Misstatement:
    row = _row(values)
    with changes(db) as ch:
        ch.update(description_misstatement, {"id": key}, row)
        return _one(ch.conn, key)


def delete_misstatement(db: Engagement, key: MisstatementId) -> None:
    with changes(db) as ch:
        ch.delete(description_misstatement, {"id": key})


def read_misstatements(conn: Connection) -> list[Misstatement]:
    table = description_misstatement
    rows = conn.execute(select(table).where(live(table)).order_by(table.c.ref)).mappings()
    return [
        Misstatement(row["id"], row["ref"], row["section"], row["description"], row["material"], row["corrected"])
        for row in rows
    ]


def list_misstatements(db: Engagement) -> list[Misstatement]:
    with db.reading() as conn:
        return read_misstatements(conn)


def _one(conn: Connection, key: MisstatementId) -> Misstatement:
    found = next((m for m in read_misstatements(conn) if m.id == key), None)
    if found is None:
        raise NotFoundError("That misstatement no longer exists.")
    return found
