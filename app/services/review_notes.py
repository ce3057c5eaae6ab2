"""Review notes: a reviewer raises a note on an item, the preparer responds, the reviewer clears it.

Open notes (raised or answered, not cleared) are counted on the dashboard and block finalizing. Notes may come
in from a workbook a manager wrote in (`review_import.py`); each keeps the key of the row it came from, so the
same workbook imported twice adds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from fieldwork.app.domain.vocabulary import Labelled
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError, ValidationError
from fieldwork.app.services.acting import acting_member
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.refs import next_number
from fieldwork.app.services.signables import ItemType, read_item
from fieldwork.app.storage.schema import live, person, review_note

REF_PATTERN = re.compile(r"^RN-(\d+)$")


class NoteStatus(Labelled):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered, awaiting the reviewer"
    CLEARED = "cleared", "Cleared"


@dataclass(frozen=True)
class ReviewNote:
    ref: str
    item_type: ItemType
    item_key: str
    item_ref: str
    text: str
    raised_by: str
    raised_at: str
    response: str
    responded_by: str
    status: NoteStatus
    cleared_by: str

    @property
    def open(self) -> bool:
        return self.status is not NoteStatus.CLEARED


def _member_id(conn: Connection) -> Any:
    member = acting_member(conn)
    if member is None:
        raise ValidationError("Only a member of the engagement team can raise, answer or clear review notes.")
    return member.id


def insert_note(
    ch: Changes, item_type: ItemType, key: str, text: str, author: Any, import_key: str | None = None
) -> str:
    """Raise a note in the caller's transaction (by `author`, a team member's id); returns its reference."""
    if not text.strip():
        raise ValidationError("Write the review note.")
    item = read_item(ch.conn, item_type, key)
    ref = f"RN-{next_number(ch.conn, review_note.c.ref, REF_PATTERN):03d}"
    ch.insert(
        review_note,
        {
            "ref": ref,
            "item_type": item.item_type.value,
            "item_key": item.key,
            "text": text.strip(),
            "raised_by": author,
            "raised_at": ch.at_utc,
            "status": NoteStatus.OPEN.value,
            "import_key": import_key,
        },
    )
    return ref


def raise_note(db: Engagement, item_type: ItemType, key: str, text: str) -> ReviewNote:
    with changes(db) as ch:
        ref = insert_note(ch, item_type, key, text, _member_id(ch.conn))
        return _one(ch.conn, ref)


def _note_row(conn: Connection, ref: str) -> dict[str, Any]:
    row = conn.execute(select(review_note).where(review_note.c.ref == ref, live(review_note))).mappings().first()
    if row is None:
        raise NotFoundError(f"There is no review note {ref} in this engagement.")
    return dict(row)


def put_response(ch: Changes, ref: str, response: str, member: Any) -> None:
    """The preparer's answer (by `member`, a team member's id) in the caller's transaction."""
    if not response.strip():
        raise ValidationError("Write the response to the review note.")
    found = _note_row(ch.conn, ref)
    if found["status"] == NoteStatus.CLEARED:
        raise ValidationError(f"{ref} is cleared already.")
    values = {
        "response": response.strip(),
        "responded_by": member,
        "responded_at": ch.at_utc,
        "status": NoteStatus.ANSWERED.value,
    }
    ch.update(review_note, {"id": found["id"]}, values)


def put_clear(ch: Changes, ref: str, member: Any) -> None:
    """The reviewer clears a note (the note's author or another reviewer, not its answerer)."""
    found = _note_row(ch.conn, ref)
    if found["responded_by"] == member and found["raised_by"] != member:
        raise ValidationError(f"You answered {ref}; the reviewer clears it.")
    values = {"status": NoteStatus.CLEARED.value, "cleared_by": member, "cleared_at": ch.at_utc}
    ch.update(review_note, {"id": found["id"]}, values)


def respond(db: Engagement, ref: str, response: str) -> ReviewNote:
    """The preparer's answer; the note waits for the reviewer to clear it."""
    with changes(db) as ch:
        put_response(ch, ref, response, _member_id(ch.conn))
        return _one(ch.conn, ref)


def clear(db: Engagement, ref: str) -> ReviewNote:
    """The reviewer clears a note once satisfied."""
    with changes(db) as ch:
        put_clear(ch, ref, _member_id(ch.conn))
        return _one(ch.conn, ref)


def read_notes(conn: Connection, open_only: bool = False) -> list[ReviewNote]:
    names = {row.id: f"{row.name} ({row.initials})" for row in conn.execute(select(person))}
    refs: dict[tuple[str, str], str] = {}
    notes = []
    for row in conn.execute(select(review_note).where(live(review_note)).order_by(review_note.c.ref)).mappings():
        kind, key = ItemType(row["item_type"]), row["item_key"]
        if (kind, key) not in refs:
            try:
                refs[kind, key] = read_item(conn, kind, key).ref
            except NotFoundError:
                refs[kind, key] = f"{key} (deleted)"
        note = ReviewNote(
            ref=row["ref"],
            item_type=kind,
            item_key=key,
            item_ref=refs[kind, key],
            text=row["text"],
            raised_by=names.get(row["raised_by"], "?"),
            raised_at=row["raised_at"],
            response=row["response"],
            responded_by=names.get(row["responded_by"], "") if row["responded_by"] else "",
            status=NoteStatus(row["status"]),
            cleared_by=names.get(row["cleared_by"], "") if row["cleared_by"] else "",
        )
        if note.open or not open_only:
            notes.append(note)
    return notes


def list_notes(db: Engagement, open_only: bool = False) -> list[ReviewNote]:
    with db.reading() as conn:
        return read_notes(conn, open_only)


def _one(conn: Connection, ref: str) -> ReviewNote:
    return next(note for note in read_notes(conn) if note.ref == ref)
