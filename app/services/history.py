"""Every change made through the services, recorded in the same transaction.

Services never write tables directly: they go through `Changes`, which performs the
insert, update or delete and appends the history entry (who, when, what, old and new
values). One mechanism, so no service can forget it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Connection, Table, delete, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement

from app.domain.records import HistoryEntry
from app.errors import NotFoundError
from app.profile import load_profile
from app.storage.database import dump_json
from app.storage.engagement_file import EngagementFile
from app.storage.schema import history

Row = Mapping[str, Any]


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


HISTORY_COLUMNS = ("at_utc", "person", "action", "item_type", "item_id", "old_values", "new_values")


def _insert_sql(table: str, names: Sequence[str]) -> str:
    columns = ", ".join(f'"{name}"' for name in names)
    return f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join("?" * len(names))})'


@cache
def _primary_key(table: Table) -> tuple[str, ...]:
    return tuple(column.name for column in table.primary_key.columns)


def _gone(table: Table, key: Row) -> NotFoundError:
    """An item changed or deleted that is no longer there (deleted a moment before, e.g. by a double click)."""
    noun = table.name.replace("_", " ")
    return NotFoundError(f"The {noun} {'/'.join(str(value) for value in key.values())} no longer exists.")


@dataclass
class Changes:
    """A write transaction that records what it changes."""

    conn: Connection
    person: str
    at_utc: str

    def _key(self, table: Table, values: Row) -> str:
        return "/".join(str(values[name]) for name in _primary_key(table))

    def _where(self, table: Table, key: Row) -> ColumnElement[bool]:
        clauses = [column == key[column.name] for column in table.primary_key.columns]
        condition = clauses[0]
        for clause in clauses[1:]:
            condition = condition & clause
        return condition

    def _entry(self, action: str, table: str, item_id: str, old: Row | None, new: Row | None) -> dict[str, Any]:
        return {
            "at_utc": self.at_utc,
            "person": self.person,
            "action": action,
            "item_type": table,
            "item_id": item_id,
            "old_values": old,
            "new_values": new,
        }

    def insert(self, table: Table, values: Row) -> Any:
        """Insert one row and return its primary key (the single column's value)."""
        result = self.conn.execute(insert(table).values(**values))
        stored = dict(values)
        for column, value in zip(table.primary_key.columns, result.inserted_primary_key or (), strict=False):
            stored[column.name] = value
        self.conn.execute(insert(history), [self._entry("create", table.name, self._key(table, stored), None, values)])
        keys = [stored[column.name] for column in table.primary_key.columns]
        return keys[0] if len(keys) == 1 else tuple(keys)

    def insert_many(self, table: Table, rows: Sequence[Row]) -> None:
        """Insert many rows (each carrying its primary key) and their history, in bulk.

        SQLAlchemy's ORM `add_all` measured 21x and its bulk `insert()` 3.3x a raw
        `executemany` here; bulk paths (the demo, pasted samples, imports) use this instead:
        one DB-API executemany per table, with SQLAlchemy's own type conversions.
        """
        if not rows:
            return
        names = list(rows[0])
        if any(len(row) != len(names) for row in rows):
            raise ValueError(f"rows for {table.name} must all have the same columns")
        dialect = self.conn.dialect
        converters = [
            (index, convert)
            for index, name in enumerate(names)
            if (convert := table.c[name].type.bind_processor(dialect)) is not None
        ]
        values = []
        for row in rows:
            value = [row[name] for name in names]
            for index, convert in converters:
                value[index] = convert(value[index])
            values.append(tuple(value))
        self._executemany(_insert_sql(table.name, names), values)
        entries = [
            (self.at_utc, self.person, "create", table.name, self._key(table, row), None, dump_json(row))
            for row in rows
        ]
        self._executemany(_insert_sql(history.name, HISTORY_COLUMNS), entries)

    def _executemany(self, sql: str, values: list[tuple[Any, ...]]) -> None:
        """The driver's own executemany on this transaction's connection.

        SQLAlchemy inspects every parameter row of an executemany; for tens of thousands of
        rows that alone cost about a tenth of creating a large engagement. Driver errors are
        wrapped as SQLAlchemy's, so they reach the user as the same one sentence.
        """
        raw = self.conn.connection.driver_connection
        assert raw is not None
        cursor = raw.cursor()
        try:
            cursor.executemany(sql, values)
        except sqlcipher.Error as exc:
            raise DBAPIError.instance(sql, None, exc, sqlcipher.Error) from exc
        finally:
            cursor.close()

    def update(self, table: Table, key: Row, values: Row) -> dict[str, Any]:
        """Update the fields that really change; returns the row as it was."""
        found = self.conn.execute(select(table).where(self._where(table, key))).mappings().first()
        if found is None:
            raise _gone(table, key)
        old = dict(found)
        changed = {name: value for name, value in values.items() if old[name] != value}
        if changed:
            self.conn.execute(update(table).where(self._where(table, key)).values(**changed))
            before = {name: old[name] for name in changed}
            entry = self._entry("update", table.name, self._key(table, old), before, changed)
            self.conn.execute(insert(history), [entry])
        return old

    def delete(self, table: Table, key: Row) -> dict[str, Any]:
        removed = self.delete_where(table, self._where(table, key))
        if len(removed) != 1:
            raise _gone(table, key)
        return removed[0]

    def delete_where(self, table: Table, condition: ColumnElement[bool]) -> list[dict[str, Any]]:
        """Delete every matching row, each one recorded (cascades never hide a deletion)."""
        old_rows = [dict(row) for row in self.conn.execute(select(table).where(condition)).mappings()]
        if old_rows:
            self.conn.execute(delete(table).where(condition))
            entries = [self._entry("delete", table.name, self._key(table, row), row, None) for row in old_rows]
            self.conn.execute(insert(history), entries)
        return old_rows

    def record(self, action: str, item_type: str, item_id: str, detail: Row | None = None) -> None:
        """An event that changes no row of its own (an export, a re-key)."""
        self.conn.execute(insert(history), [self._entry(action, item_type, item_id, None, detail)])


@contextlib.contextmanager
def changes(db: EngagementFile) -> Iterator[Changes]:
    """One user action: a write transaction whose every change is in the history."""
    with db.writing() as conn:
        yield Changes(conn, load_profile().signature, utc_now())


def read_history(conn: Connection, limit: int | None = None) -> list[HistoryEntry]:
    """The history, newest first (all of it unless `limit`)."""
    query = select(history).order_by(history.c.seq.desc())
    if limit is not None:
        query = query.limit(limit)
    return [
        HistoryEntry(
            seq=row["seq"],
            at_utc=row["at_utc"],
            person=row["person"],
            action=row["action"],
            item_type=row["item_type"],
            item_id=row["item_id"],
            old_values=row["old_values"],
            new_values=row["new_values"],
        )
        for row in conn.execute(query).mappings()
    ]


def list_history(db: EngagementFile, limit: int | None = None) -> list[HistoryEntry]:
    with db.reading() as conn:
        return read_history(conn, limit)
