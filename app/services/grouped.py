"""Rows read once for many records and grouped by the record they belong to (its links, its evidence), so a
register of any size is read in a few queries rather than one per record."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Column, Connection, select

from fieldwork.app.storage.schema import evidence, evidence_link, live


def grouped(conn: Connection, query: Any) -> dict[Any, list[Any]]:
    """The rows of `query` by their first column: each a value, or a tuple of the rest when there are several."""
    found: dict[Any, list[Any]] = defaultdict(list)
    for key, *values in conn.execute(query):
        found[key].append(values[0] if len(values) == 1 else tuple(values))
    return found


def evidence_by(conn: Connection, target: Column[Any]) -> dict[Any, list[tuple[Any, str]]]:
    """The evidence (id, reference) linked to each record through one of `evidence_link`'s target columns."""
    return grouped(
        conn,
        select(target, evidence.c.id, evidence.c.ref)
        .join(evidence, evidence.c.id == evidence_link.c.evidence_id)
        .where(target.is_not(None), live(evidence_link))
        .order_by(evidence.c.ref),
    )
