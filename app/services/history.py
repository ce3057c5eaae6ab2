"""Every change made through the services, recorded in the same transaction.

Services never write tables directly: they go through `Changes`, which performs the
insert, update or delete and appends the history entry (who, when, what, old and new
values). One mechanism, so no service can forget it.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, TypeVar

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Connection, Table, Uuid, and_, delete, insert, select, true, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement

from fieldwork.app.domain.changed import Changed
from fieldwork.app.domain.ids import new_id
from fieldwork.app.domain.records import HistoryEntry
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError, ReadOnlyError
from fieldwork.app.services.acting import signature
from fieldwork.app.storage.chain import GENESIS, entry_hash
from fieldwork.app.storage.schema import fieldwork_meta, finalization, history, is_tracked, live

Row = Mapping[str, Any]
T = TypeVar("T")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def step_moment(now: datetime, last: str | None) -> str:
    """The time that marks one user action's history entries: to the microsecond, and after `last` (the
    origin's latest entry), so the entries of one `changes` block share it and no other block has it.
    A clock set back, or two actions in one microsecond, move it on by a microsecond past `last`."""
    if last is not None:
        before = datetime.fromisoformat(last)
        if now <= before:
            now = before + timedelta(microseconds=1)
    return now.astimezone(UTC).isoformat(timespec="microseconds")


HISTORY_COLUMNS = (
    "origin",
    "seq",
    "at_utc",
    "person",
    "action",
    "item_type",
    "item_id",
    "old_values",
    "new_values",
    "prev_hash",
    "hash",
)
REPLICA_KEY = "replica_id"

#: A history entry before it is numbered: action, item type, item id, old values, new values.
Entry = tuple[str, str, str, Row | None, Row | None]


def _insert_sql(table: str, names: Sequence[str]) -> str:
    columns = ", ".join(f'"{name}"' for name in names)
    return f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join("?" * len(names))})'


@cache
def _primary_key(table: Table) -> tuple[str, ...]:
    return tuple(column.name for column in table.primary_key.columns)


@cache
def _generated_key(table: Table) -> bool:
    """Keyed by a UUID the services make (`id`), not by a natural key the caller gives."""
    return _primary_key(table) == ("id",) and isinstance(table.c.id.type, Uuid)


@cache
def _links_to(table: Table) -> tuple[tuple[Table, str, str], ...]:
    """Link tables whose key includes a reference to `table`: (link table, its column, the column referred to).

    A link (control to requirement, deviation to sample item) means nothing once either end is deleted, so
    deleting a record deletes its links too, each recorded: a cascade that hides nothing.
    """
    found = []
    for other in table.metadata.sorted_tables:
        if not is_tracked(other):
            continue
        for key in other.foreign_keys:
            if key.column.table is table and key.parent.primary_key:
                found.append((other, key.parent.name, key.column.name))
    return tuple(found)


def _gone(table: Table, key: Row) -> NotFoundError:
    """An item changed or deleted that is no longer there (deleted a moment before, e.g. by a double click)."""
    noun = table.name.replace("_", " ")
    return NotFoundError(f"The {noun} {'/'.join(str(value) for value in key.values())} no longer exists.")


def _alive(table: Table, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """`condition`, kept to live rows where the table keeps tombstones."""
    return condition & live(table) if is_tracked(table) else condition


def item_key(table: Table, values: Row) -> str:
    """How the history names a row: its primary key's values, joined by '/'."""
    return "/".join(str(values[name]) for name in _primary_key(table))


@dataclass
class Changes:
    """A write transaction that records what it changes.

    Records are never removed: `delete` leaves a tombstone and every change raises the row's version
    (`schema.is_tracked`). Each history entry is numbered in its origin, this copy of the file. The entries
    of one `Changes` (one user action) share a time no other action of the origin has (`step_moment`):
    that is how the history groups them, and how undo finds one action's changes (`services/undo.py`).
    """

    conn: Connection
    person: str
    at_utc: str
    #: A finalized engagement: nothing may be deleted (its record says so; `changes` refuses other writes).
    finalized: str | None = None
    #: When the action began, to the microsecond: its history entries' time (`step_moment`) is made from it.
    began: datetime | None = None
    _origin: uuid.UUID | None = field(default=None, init=False)
    _moment: str = field(default="", init=False)
    _next_seq: int = field(default=0, init=False)
    _head: str = field(default=GENESIS, init=False)
    _kinds: set[str] = field(default_factory=set, init=False)

    def _where(self, table: Table, key: Row) -> ColumnElement[bool]:
        return and_(*(column == key[column.name] for column in table.primary_key.columns))

    def _numbered(self, count: int) -> tuple[uuid.UUID, int]:
        """The origin and the first of `count` sequence numbers for new history entries."""
        if self._origin is None:
            found = self.conn.execute(select(fieldwork_meta.c.value).where(fieldwork_meta.c.key == REPLICA_KEY))
            self._origin = uuid.UUID(found.scalar_one())
            head = select(history.c.seq, history.c.hash, history.c.at_utc).where(history.c.origin == self._origin)
            last = self.conn.execute(head.order_by(history.c.seq.desc()).limit(1)).first()
            self._next_seq, self._head = (last.seq + 1, last.hash) if last else (1, GENESIS)
            began = self.began or datetime.fromisoformat(self.at_utc)
            self._moment = step_moment(began, last.at_utc if last else None)
        first = self._next_seq
        self._next_seq += count
        return self._origin, first

    def head(self) -> tuple[uuid.UUID, int, str]:
        """This copy's last history entry so far: (origin, seq, hash); seq 0 before its first."""
        origin, following = self._numbered(0)
        return origin, following - 1, self._head

    def _entries(self, entries: Sequence[Entry], *, of_rows: bool = True) -> list[dict[str, Any]]:
        """History rows for (action, item type, item id, old, new), numbered in this origin; `of_rows` when they
        record changed rows (their item types are the kinds of record this action changed)."""
        origin, first = self._numbered(len(entries))
        if of_rows:
            self._kinds.update(item_type for _, item_type, *_ in entries)
        rows = []
        for offset, (action, item_type, item_id, old, new) in enumerate(entries):
            row: dict[str, Any] = {
                "origin": origin,
                "seq": first + offset,
                "at_utc": self._moment,
                "person": self.person,
                "action": action,
                "item_type": item_type,
                "item_id": item_id,
                "old_values": old,
                "new_values": new,
            }
            row["prev_hash"], row["hash"] = self._head, entry_hash(row, self._head)
            self._head = row["hash"]
            rows.append(row)
        return rows

    def _append(self, entries: Sequence[Entry], *, of_rows: bool = True) -> None:
        if entries:
            self.conn.execute(insert(history), self._entries(entries, of_rows=of_rows))

    def changed(self) -> Changed:
        """The kinds of record changed so far (what the screens showing them must reload)."""
        return Changed(frozenset(self._kinds))

    def insert(self, table: Table, values: Row) -> Any:
        """Insert one row and return its primary key (the single column's value).

        A record keyed by a UUID gets a new one unless `values` brings it. A record with a natural key
        whose tombstone is there (a link removed, then made again) comes back to life as a new version.
        """
        stored = dict(values)
        if _generated_key(table) and stored.get("id") is None:
            stored["id"] = new_id()
        if is_tracked(table) and not _generated_key(table) and self._revive(table, stored):
            return self._key_value(table, stored)
        self.conn.execute(insert(table).values(**stored))
        self._append([("create", table.name, item_key(table, stored), None, stored)])
        return self._key_value(table, stored)

    def _key_value(self, table: Table, stored: Row) -> Any:
        keys = [stored[name] for name in _primary_key(table)]
        return keys[0] if len(keys) == 1 else tuple(keys)

    def _revive(self, table: Table, stored: Row) -> bool:
        key = {name: stored[name] for name in _primary_key(table)}
        condition = and_(*(table.c[name] == value for name, value in key.items()), table.c.deleted_at.is_not(None))
        if self.conn.execute(select(table.c.version).where(condition)).first() is None:
            return False
        fields = {name: value for name, value in stored.items() if name not in key}
        self.conn.execute(update(table).where(condition).values(**fields, deleted_at=None, version=table.c.version + 1))
        self._append([("create", table.name, item_key(table, stored), None, stored)])
        return True

    def insert_many(self, table: Table, rows: Sequence[Row]) -> None:
        """Insert many new rows and their history, in bulk (UUID keys are made for rows without one).

        SQLAlchemy's ORM `add_all` measured 21x and its bulk `insert()` 3.3x a raw
        `executemany` here; bulk paths (the demo, pasted samples, imports) use this instead:
        one DB-API executemany per table, with SQLAlchemy's own type conversions.
        """
        if not rows:
            return
        if _generated_key(table) and "id" not in rows[0]:
            rows = [{"id": new_id(), **row} for row in rows]
        names = list(rows[0])
        if any(len(row) != len(names) for row in rows):
            raise ValueError(f"rows for {table.name} must all have the same columns")
        self._executemany(table, names, rows)
        created = [("create", table.name, item_key(table, row), None, row) for row in rows]
        self._executemany(history, HISTORY_COLUMNS, self._entries(created))

    def _executemany(self, table: Table, names: Sequence[str], rows: Sequence[Row]) -> None:
        """The driver's own executemany on this transaction's connection, values converted as SQLAlchemy would.

        SQLAlchemy inspects every parameter row of an executemany; for tens of thousands of
        rows that alone cost about a tenth of creating a large engagement. Driver errors are
        wrapped as SQLAlchemy's, so they reach the user as the same one sentence.
        """
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
        sql = _insert_sql(table.name, names)
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
        """Update the fields that really change (raising the row's version); returns the row as it was."""
        condition = _alive(table, self._where(table, key))
        found = self.conn.execute(select(table).where(condition)).mappings().first()
        if found is None:
            raise _gone(table, key)
        old = dict(found)
        changed = {name: value for name, value in values.items() if old[name] != value}
        if changed:
            bumped = {"version": table.c.version + 1} if is_tracked(table) else {}
            self.conn.execute(update(table).where(condition).values(**changed, **bumped))
            before = {name: old[name] for name in changed}
            self._append([("update", table.name, item_key(table, old), before, changed)])
        return old

    def delete(self, table: Table, key: Row, *, cascade: bool = True) -> dict[str, Any]:
        removed = self.delete_where(table, self._where(table, key), cascade=cascade)
        if len(removed) != 1:
            raise _gone(table, key)
        return removed[0]

    def delete_where(
        self, table: Table, condition: ColumnElement[bool], *, cascade: bool = True
    ) -> list[dict[str, Any]]:
        """Delete every matching live row, each one recorded (cascades never hide a deletion).

        A record keeps a tombstone (its values, `deleted_at` and a new version), so a copy of the file
        merged later learns of the deletion rather than bringing the record back. `cascade=False` is for
        writing history back (undo), whose entries already name each link the original change made.
        """
        if self.finalized:
            raise ReadOnlyError(f"The engagement was finalized on {self.finalized[:10]}: nothing in it can be deleted.")
        condition = _alive(table, condition)
        old_rows = [dict(row) for row in self.conn.execute(select(table).where(condition)).mappings()]
        if old_rows:
            if is_tracked(table):
                stamp = {"deleted_at": self.at_utc, "version": table.c.version + 1}
                self.conn.execute(update(table).where(condition).values(**stamp))
            else:
                self.conn.execute(delete(table).where(condition))
            self._append([("delete", table.name, item_key(table, row), row, None) for row in old_rows])
            for link, column, referred in _links_to(table) if cascade else ():
                self.delete_where(link, link.c[column].in_([row[referred] for row in old_rows]))
        return old_rows

    def set_links(self, table: Table, owner: tuple[str, Any], column: str, wanted: Sequence[Any]) -> None:
        """Make one owner's live links in a link table exactly `wanted`: each added or removed one recorded."""
        name, value = owner
        links = table.c
        current = set(self.conn.execute(select(links[column]).where(links[name] == value, live(table))).scalars())
        for linked in dict.fromkeys(wanted):
            if linked not in current:
                self.insert(table, {name: value, column: linked})
        gone = current - set(wanted)
        if gone:
            self.delete_where(table, (links[name] == value) & links[column].in_(gone))

    def restore(self, table: Table, key: Row) -> dict[str, Any]:
        """Bring a deleted record back from its tombstone (an undo of its deletion), recorded as its creation."""
        condition = and_(self._where(table, key), table.c.deleted_at.is_not(None))
        found = self.conn.execute(select(table).where(condition)).mappings().first()
        if found is None:
            raise _gone(table, key)
        self.conn.execute(update(table).where(condition).values(deleted_at=None, version=table.c.version + 1))
        values = {name: value for name, value in found.items() if name not in ("version", "deleted_at")}
        self._append([("create", table.name, item_key(table, values), None, values)])
        return values

    def record(self, action: str, item_type: str, item_id: str, detail: Row | None = None) -> None:
        """An event that changes no row of its own (an export, a re-key)."""
        self._append([(action, item_type, item_id, None, detail)], of_rows=False)


#: Where `changes` reports what each committed action changed, while `recorded` runs (per thread).
_committed: ContextVar[list[Changed] | None] = ContextVar("committed", default=None)


def recorded(work: Callable[[], T]) -> tuple[T, Changed]:
    """Run `work` (any service calls) and say what its committed actions changed, for the screens to reload."""
    found: list[Changed] = []
    token = _committed.set(found)
    try:
        result = work()
    finally:
        _committed.reset(token)
    total = Changed()
    for each in found:
        total |= each
    return result, total


@contextlib.contextmanager
def changes(db: Engagement, *, finalizing: bool = False) -> Iterator[Changes]:
    """One user action: a write transaction whose every change is in the history.

    A finalized engagement changes only under an open addendum (its reference is then part of the history's
    "who"); `finalizing` is for the acts that finalize it and open an addendum.
    """
    with db.writing() as conn:
        finalized = conn.execute(select(finalization.c.finalized_at).where(live(finalization))).scalar()
        if finalized and not finalizing and db.addendum is None:
            raise ReadOnlyError(
                f"The engagement was finalized on {finalized[:10]}; open an addendum, with its reason, to change it."
            )
        who = signature(conn) + (f", addendum {db.addendum}" if finalized and db.addendum else "")
        now = datetime.now(UTC)
        done = Changes(conn, who, now.isoformat(timespec="seconds"), finalized, now)
        yield done
    if (sink := _committed.get()) is not None:  # committed: nothing is reported of a rolled-back action
        sink.append(done.changed())


def read_history(
    conn: Connection, limit: int | None = None, where: ColumnElement[bool] | None = None
) -> list[HistoryEntry]:
    """The history, newest first (all of it unless `limit`, or the entries `where` picks); entries of one time keep
    their origin's order."""
    query = (
        select(history)
        .where(where if where is not None else true())
        .order_by(history.c.at_utc.desc(), history.c.origin.desc(), history.c.seq.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        HistoryEntry(
            origin=row["origin"],
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


def list_history(db: Engagement, limit: int | None = None) -> list[HistoryEntry]:
    with db.reading() as conn:
        return read_history(conn, limit)
