"""Undo and redo of user actions, built on the history the file already keeps.

One user action (one `changes(db)` block) is one step: its history entries share their origin and their
time, which no other action of that origin has (`history.step_moment`). Undoing a step is itself a new
action: it writes back, newest first, the old values each change of the step recorded (an update's old
values, a deleted record brought back from its tombstone, a created one deleted), and records itself as an
"undo" of the step (an entry whose item is the step's first entry, `origin/seq`). Redo undoes an undo the
same way and is recorded as a "redo" of it. Nothing is erased: the history shows a change, its undo and its
redo, and a reviewer's sign-off sees an undo as the change it is.

Undo is offered for what this session did (steps after `since`, the history's head when the file was
opened) and refuses, with a sentence, what it cannot do safely: a record changed since by something
else, a finalized engagement, a deleted file whose content is gone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Date, DateTime, Integer, RowMapping, Table, Uuid, func, select
from sqlalchemy.exc import IntegrityError

from fieldwork.app.domain.records import HistoryEntry
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.engagement import read_finalized_at
from fieldwork.app.services.history import REPLICA_KEY, Changes, changes
from fieldwork.app.storage.database import dump_json
from fieldwork.app.storage.schema import evidence_blob, fieldwork_meta, history, is_tracked, metadata

#: Actions that changed one row, with the values to write it back from.
ROW_ACTIONS = ("create", "update", "delete")
#: Tables whose entries are not rows to write back: content stored by its hash stays (nothing refers to it
#: once the records that did are undone), and the history is append-only.
KEPT = frozenset({evidence_blob.name, history.name})
#: Events that cannot be written back: the bytes of a deleted file are gone from the engagement.
IRREVERSIBLE = {"drop_content": "it also removed a file's content from the engagement; attach the file again"}
UNDO, REDO = "undo", "redo"
VERBS = {"create": "adding", "update": "editing", "delete": "deleting"}


@dataclass(frozen=True)
class Step:
    """One user action in the history, as undo sees it."""

    origin: UUID
    first_seq: int
    last_seq: int
    at_utc: str
    #: What it did, for the Edit menu ("editing control C-004 and 3 more changes"); an undo or a redo is
    #: named for the action it undid or redid.
    summary: str
    #: (kind, step) when the step is an undo or a redo of another: the other's `entry`.
    marker: tuple[str, str] | None = None

    @property
    def entry(self) -> str:
        """How an undo or redo names the step: its first history entry."""
        return f"{self.origin}/{self.first_seq}"


@dataclass(frozen=True)
class UndoState:
    """What Undo and Redo would do now (None: nothing to undo, or redo)."""

    undo: Step | None
    redo: Step | None


def read_origin(conn: Connection) -> UUID:
    return UUID(conn.execute(select(fieldwork_meta.c.value).where(fieldwork_meta.c.key == REPLICA_KEY)).scalar_one())


def read_session_start(conn: Connection) -> int:
    """This copy's last history entry: what a session opened now may undo comes after it."""
    found = select(func.max(history.c.seq)).where(history.c.origin == read_origin(conn))
    return int(conn.execute(found).scalar() or 0)


def session_start(db: Engagement) -> int:
    with db.reading() as conn:
        return read_session_start(conn)


def _noun(item_type: str) -> str:
    return item_type.replace("_", " ")


def _ref(entry: Any) -> str:
    return next((str(v["ref"]) for v in (entry.new_values, entry.old_values) if v and v.get("ref")), "")


def _stored_ref(conn: Connection, entry: Any) -> str:
    """The reference of the record an entry changed, read from the record (an update names only what changed)."""
    table = metadata.tables.get(entry.item_type)
    if table is None or "ref" not in table.c:
        return ""
    key = _key(table, entry)
    found = conn.execute(select(table.c.ref).where(*(table.c[name] == value for name, value in key.items())))
    return str(found.scalar() or "")


def _summary(conn: Connection, rows: Sequence[Any]) -> str:
    """The step in words: the record it was about, and how many more changes it made. A delete takes its
    parts first and the record asked for last; other actions make or change the record first."""
    changed = [row for row in rows if row.action in ROW_ACTIONS and row.item_type not in KEPT]
    if not changed:
        return ""
    named = [row for row in changed if _ref(row)] or changed
    main = named[-1] if named[-1].action == "delete" else named[0]
    ref = _ref(main) or _stored_ref(conn, main)
    words = f"{VERBS[main.action]} {_noun(main.item_type)}{f' {ref}' if ref else ''}"
    more = len(changed) - 1
    return words + (f" and {more} more change{'s' if more > 1 else ''}" if more else "")


def read_steps(conn: Connection, since: int) -> list[Step]:
    """This copy's steps after entry `since`, oldest first; a step that changed no row is left out unless it is
    an undo or a redo (an export or a re-key is recorded, but there is nothing to write back)."""
    origin = read_origin(conn)
    query = (
        select(history.c.seq, history.c.at_utc, history.c.action, history.c.item_type, history.c.item_id)
        .add_columns(history.c.old_values, history.c.new_values)
        .where(history.c.origin == origin, history.c.seq > since)
        .order_by(history.c.seq)
    )
    grouped: dict[str, list[Any]] = {}
    for row in conn.execute(query):
        grouped.setdefault(row.at_utc, []).append(row)
    steps = []
    for at_utc, rows in grouped.items():
        mark = next((r for r in rows if r.action in (UNDO, REDO) and r.item_type == history.name), None)
        if mark is not None:  # named for the action it undid or redid, as the Edit menu offers it again
            summary = (mark.new_values or {}).get("summary", "")
            steps.append(Step(origin, rows[0].seq, rows[-1].seq, at_utc, summary, (mark.action, mark.item_id)))
        elif summary := _summary(conn, rows):
            steps.append(Step(origin, rows[0].seq, rows[-1].seq, at_utc, summary))
    return steps


def _take(stack: list[Step], entry: str) -> None:
    for index in range(len(stack) - 1, -1, -1):
        if stack[index].entry == entry:
            del stack[index]
            return


def stacks(steps: Iterable[Step]) -> tuple[list[Step], list[Step]]:
    """The undo and redo stacks the steps leave, replayed in order as an editor keeps them: a new change
    clears what could be redone; an undo moves its step to the redo stack; a redo puts itself on the undo stack."""
    undo: list[Step] = []
    redo: list[Step] = []
    for step in steps:
        if step.marker is None:
            undo.append(step)
            redo.clear()
        elif step.marker[0] == UNDO:
            _take(undo, step.marker[1])
            redo.append(step)
        else:
            _take(redo, step.marker[1])
            undo.append(step)
    return undo, redo


def read_undo_state(conn: Connection, since: int) -> UndoState:
    """What Edit > Undo and Redo would do; nothing once the engagement is finalized, where `_reverse` refuses."""
    if read_finalized_at(conn):
        return UndoState(None, None)
    undo, redo = stacks(read_steps(conn, since))
    return UndoState(undo[-1] if undo else None, redo[-1] if redo else None)


def undo_state(db: Engagement, since: int) -> UndoState:
    with db.reading() as conn:
        return read_undo_state(conn, since)


def undo(db: Engagement, since: int) -> Step:
    """Undo this session's latest change that is not undone yet; returns the step undone."""
    return _reverse(db, since, UNDO)


def redo(db: Engagement, since: int) -> Step:
    """Redo the latest undo (when nothing has been changed since it); returns the undo it reverses."""
    return _reverse(db, since, REDO)


def _reverse(db: Engagement, since: int, kind: str) -> Step:
    with changes(db) as ch:
        undo_stack, redo_stack = stacks(read_steps(ch.conn, since))
        stack = undo_stack if kind == UNDO else redo_stack
        if not stack:
            raise ValidationError("There is nothing to undo." if kind == UNDO else "There is nothing to redo.")
        if ch.finalized:
            raise ValidationError(
                f"The engagement was finalized on {ch.finalized[:10]}: its changes are not undone; "
                "record a correction under an addendum instead."
            )
        step = stack[-1]
        write_back(ch, _entries(ch.conn, step))
        ch.record(kind, history.name, step.entry, {"at_utc": step.at_utc, "summary": step.summary})
        return step


def _entries(conn: Connection, step: Step) -> list[HistoryEntry]:
    query = (
        select(history)
        .where(history.c.origin == step.origin, history.c.seq.between(step.first_seq, step.last_seq))
        .order_by(history.c.seq)
    )
    return [
        HistoryEntry(**{name: row[name] for name in HistoryEntry.__dataclass_fields__})
        for row in conn.execute(query).mappings()
    ]


def write_back(ch: Changes, entries: Sequence[HistoryEntry]) -> None:
    """Write back each entry's old values, newest first, after checking that nothing changed the row since.

    Inside one transaction: a refusal part-way leaves nothing written back. Records the step created one after
    another (a pasted sample) are checked and deleted a batch at a time."""
    for entry in entries:
        if entry.action in IRREVERSIBLE:
            raise ValidationError(f"This change cannot be undone: {IRREVERSIBLE[entry.action]}.")
    changed = [e for e in reversed(entries) if e.action in ROW_ACTIONS and e.item_type in _WRITABLE]
    for (kind, action), run in groupby(changed, key=lambda e: (e.item_type, e.action)):
        table = metadata.tables[kind]
        try:
            if action == "create" and len(table.primary_key.columns) == 1:
                _delete_created(ch, table, list(run))
                continue
            for entry in run:
                key = _key(table, entry)
                _check_unchanged(table, entry, _current(ch.conn, table, key))
                _write_back_one(ch, table, key, entry)
        except IntegrityError as exc:
            raise ValidationError(
                f"The {_noun(table.name)} cannot be brought back: another record has since taken its place "
                "(the same reference or link)."
            ) from exc


#: Tables whose history entries are rows to write back.
_WRITABLE = frozenset(name for name in metadata.tables if name not in KEPT)
#: How many keys one query names (well under SQLite's limit on parameters).
BATCH = 500


def _delete_created(ch: Changes, table: Table, run: Sequence[HistoryEntry]) -> None:
    """Undo the creation of many records of one table: each checked as the step left it, then deleted."""
    (column,) = table.primary_key.columns
    for start in range(0, len(run), BATCH):
        batch = run[start : start + BATCH]
        keys = [_key(table, entry)[column.name] for entry in batch]
        rows = {row[column.name]: row for row in ch.conn.execute(select(table).where(column.in_(keys))).mappings()}
        for key, entry in zip(keys, batch, strict=True):
            _check_unchanged(table, entry, rows.get(key))
        ch.delete_where(table, column.in_(keys), cascade=False)  # the links the step made are entries of their own


def _write_back_one(ch: Changes, table: Table, key: dict[str, Any], entry: HistoryEntry) -> None:
    if entry.action == "create":
        ch.delete(table, key, cascade=False)
    elif entry.action == "update":
        ch.update(table, key, _values(table, entry.old_values or {}))
    elif is_tracked(table):
        ch.restore(table, key)
    else:
        ch.insert(table, _values(table, entry.old_values or {}))


def _key(table: Table, entry: HistoryEntry) -> dict[str, Any]:
    """The row's primary key, from the item the history names ('/'-joined, in key order)."""
    names = [column.name for column in table.primary_key.columns]
    parts = entry.item_id.split("/", len(names) - 1)
    return _values(table, dict(zip(names, parts, strict=True)))


def _values(table: Table, stored: dict[str, Any]) -> dict[str, Any]:
    """Values as the history stored them (JSON: dates and UUIDs as text) made the column's type again."""
    return {name: _typed(table, name, value) for name, value in stored.items()}


def _typed(table: Table, name: str, value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    kind = table.c[name].type
    if isinstance(kind, Uuid):
        return UUID(value)
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Integer):  # a key part read back from the item the history names
        return int(value)
    return value


def _as_stored(value: Any) -> Any:
    """A value as the history stores it, so a row can be compared with an entry."""
    return json.loads(dump_json(value))


def _current(conn: Connection, table: Table, key: dict[str, Any]) -> RowMapping | None:
    """The row as it is now, tombstone or not."""
    return (
        conn.execute(select(table).where(*(table.c[name] == value for name, value in key.items()))).mappings().first()
    )


def _check_unchanged(table: Table, entry: HistoryEntry, row: RowMapping | None) -> None:
    """Refuse when the row is no longer as the entry left it: writing back would overwrite a later change."""
    if row is None:
        same = entry.action == "delete" and not is_tracked(table)
    elif entry.action == "delete":
        same = is_tracked(table) and row["deleted_at"] is not None
    else:
        alive = not is_tracked(table) or row["deleted_at"] is None
        expected = entry.new_values or {}
        same = alive and all(_as_stored(row[name]) == value for name, value in expected.items() if name in table.c)
    if not same:
        shown = row.get("ref") if row is not None else None
        named = f"{_noun(table.name)} {shown}" if shown else f"a {_noun(table.name)}"
        raise ValidationError(
            f"This cannot be undone: {named} has been changed since by something else, "
            "and undoing would overwrite that change."
        )
