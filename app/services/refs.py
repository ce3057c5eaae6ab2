"""References people type (C-001, C-001.T2, PBC-004): finding a row by one, and numbering the next."""

from __future__ import annotations

import re

from sqlalchemy import Column, Connection, Table, select

from app.errors import NotFoundError


def find_id(conn: Connection, table: Table, ref_or_id: str | int, noun: str) -> int:
    """A row's id from its reference (any case) or its numeric id; the error names what was asked for."""
    query = select(table.c.id)
    if isinstance(ref_or_id, int) or str(ref_or_id).strip().isdigit():
        found = conn.execute(query.where(table.c.id == int(ref_or_id))).scalar()
    else:
        found = conn.execute(query.where(table.c.ref == str(ref_or_id).strip().upper())).scalar()
    if found is None:
        raise NotFoundError(f"There is no {noun} {ref_or_id} in this engagement.")
    return int(found)


def next_number(conn: Connection, refs: Column[str], pattern: re.Pattern[str]) -> int:
    """One more than the highest number in the references `pattern` recognises (group 1)."""
    numbers = [int(m.group(1)) for ref in conn.execute(select(refs)).scalars() if (m := pattern.search(ref))]
    return max(numbers, default=0) + 1
