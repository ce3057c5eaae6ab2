"""References people type (C-001, C-001.T2, PBC-004): finding a record by one, and numbering the next."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import Column, Connection, Table, select

from fieldwork.app.domain.ids import parse_id
from fieldwork.app.errors import NotFoundError
from fieldwork.app.storage.schema import live


def find_id(conn: Connection, table: Table, ref_or_id: str | uuid.UUID, noun: str) -> uuid.UUID:
    """A live record's key from its reference (any case) or its UUID; the error names what was asked for."""
    key = ref_or_id if isinstance(ref_or_id, uuid.UUID) else None
    if key is None and len(str(ref_or_id).strip()) >= 32:
        key = parse_id(ref_or_id)
    query = select(table.c.id).where(live(table))
    if key is not None:
        found = conn.execute(query.where(table.c.id == key)).scalar()
    else:
        found = conn.execute(query.where(table.c.ref == str(ref_or_id).strip().upper())).scalar()
    if found is None:
        raise NotFoundError(f"There is no {noun} {ref_or_id} in this engagement.")
    return found


def next_number(conn: Connection, refs: Column[str], pattern: re.Pattern[str]) -> int:
    """One more than the highest number in the references `pattern` recognises (group 1).

    Deleted records count too: a reference is never given to a second record, so the history and any
    note that names it keep meaning one thing.
    """
    numbers = [int(m.group(1)) for ref in conn.execute(select(refs)).scalars() if (m := pattern.search(ref))]
    return max(numbers, default=0) + 1
