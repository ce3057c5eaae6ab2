"""Bringing review notes back from a workbook a manager wrote in, away from the app.

A new row on the Review notes sheet (an item key or the item's reference, the note, the initials or name of the
team member who wrote it) becomes a review note by that member; a note marked cleared there is cleared. Each
imported row keeps a key of what it said and who said it, so importing the same workbook again adds nothing.
The workbook must come from this engagement (its document properties name the engagement file's id), and it
is read with the same limits as a client's population file. Rows that cannot be placed are reported, never
guessed; the rest go in as one change.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from sqlalchemy import Connection, select

from fieldwork.app.domain.records import TeamMember
from fieldwork.app.domain.sampling import PopulationSource
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError, ValidationError
from fieldwork.app.services.engagement import read_facts, read_team
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.population_files import open_table
from fieldwork.app.services.population_table import cell_text
from fieldwork.app.services.review_notes import NoteStatus, insert_note, put_clear
from fieldwork.app.services.signables import ItemType, resolve_item
from fieldwork.app.storage.schema import live, review_note

SHEET = "Review notes"
#: The document properties are small; a larger part is not a workbook Fieldwork wrote.
MAX_CORE_BYTES = 64 * 1024
_IDENTIFIER = "{http://purl.org/dc/elements/1.1/}identifier"


@dataclass(frozen=True)
class ImportReport:
    added: tuple[str, ...]
    cleared: tuple[str, ...]
    already: int
    unplaced: tuple[str, ...]

    @property
    def summary(self) -> str:
        parts = [f"{len(self.added)} note(s) added", f"{len(self.cleared)} cleared", f"{self.already} imported before"]
        if self.unplaced:
            parts.append(f"{len(self.unplaced)} row(s) could not be placed")
        return ", ".join(parts)


def _workbook_engagement(path: Path) -> str:
    """The engagement id a Fieldwork workbook carries in its document properties ("" when none)."""
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("docProps/core.xml")
            if info.file_size > MAX_CORE_BYTES:
                return ""
            found = ElementTree.fromstring(archive.read(info)).find(_IDENTIFIER)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return ""
    return (found.text or "").strip() if found is not None else ""


@dataclass
class _Places:
    """How a row's words find an item and a member."""

    conn: Connection
    members: dict[str, TeamMember]

    @classmethod
    def of(cls, conn: Connection) -> _Places:
        members: dict[str, TeamMember] = {}
        for member in read_team(conn):
            members[member.initials.casefold()] = members[member.name.casefold()] = member
        return cls(conn, members)

    def item(self, key: str, ref: str) -> tuple[ItemType, str] | None:
        for said in (key, ref):
            if said:
                try:
                    return resolve_item(self.conn, said)
                except NotFoundError:
                    continue
        return None

    def member(self, said: str) -> TeamMember | None:
        text = said.strip()
        if text.endswith(")") and "(" in text:  # "Hannah Brightwater (HB)", as the sheet shows an author
            text = text[text.rindex("(") + 1 : -1]
        return self.members.get(text.casefold())


def _import_key(engagement_id: str, item: tuple[ItemType, str], text: str, author: TeamMember) -> str:
    said = "\x1f".join((engagement_id, item[0].value, item[1], " ".join(text.split()), author.initials))
    return hashlib.sha256(said.encode("utf-8")).hexdigest()


def _cells(columns: tuple[str, ...], cells: list[Any]) -> dict[str, str]:
    return {name: cell_text(cells[index]).strip() if index < len(cells) else "" for index, name in enumerate(columns)}


def import_review_notes(db: Engagement, workbook: Path | str) -> ImportReport:
    """Import the new and cleared notes of a workbook's Review notes sheet (one change); report the rest."""
    path = Path(workbook)
    with db.reading() as conn:
        engagement_id = read_facts(conn, db.encrypted).engagement_id
    if _workbook_engagement(path) != engagement_id:
        raise ValidationError(f"{path.name} is not a workbook exported from this engagement; nothing was imported.")
    with open_table(PopulationSource(path, sheet=SHEET, header_row=1)) as table:
        rows = [(number, _cells(table.columns, cells)) for number, cells in table.rows]
    with changes(db) as ch:
        return _import(ch, engagement_id, rows)


def _import(ch: Changes, engagement_id: str, rows: list[tuple[int, dict[str, str]]]) -> ImportReport:
    places = _Places.of(ch.conn)
    known = {
        row.import_key: row.ref
        for row in ch.conn.execute(select(review_note.c.import_key, review_note.c.ref).where(live(review_note)))
    }
    added: list[str] = []
    cleared: list[str] = []
    unplaced: list[str] = []
    already = 0
    for number, row in rows:
        if row.get("Note"):
            if row.get("Status", "").casefold() == NoteStatus.CLEARED.label.casefold():
                cleared += _clear(ch, places, row, number, unplaced)
            continue
        if not any(row.values()):
            continue
        item = places.item(row.get("Item key", ""), row.get("Item", ""))
        author = places.member(row.get("Raised by", ""))
        text = row.get("Note text", "")
        problem = _why_not(item, author, text, row)
        if problem:
            unplaced.append(f"row {number}: {problem}")
            continue
        assert item is not None and author is not None
        key = _import_key(engagement_id, item, text, author)
        if key in known:
            already += 1
            continue
        known[key] = insert_note(ch, item[0], item[1], text, author.id, import_key=key)
        added.append(known[key])
    return ImportReport(tuple(added), tuple(cleared), already, tuple(unplaced))


def _why_not(item: object, author: TeamMember | None, text: str, row: dict[str, str]) -> str:
    if item is None:
        named = row.get("Item key") or row.get("Item") or "nothing"
        return f"no item of this engagement is {named!r} (give the item key or reference from another sheet)"
    if not text:
        return "it has no note text"
    if author is None:
        return f"{row.get('Raised by') or 'no one'!r} is not on the engagement team (give your initials)"
    return ""


def _clear(ch: Changes, places: _Places, row: dict[str, str], number: int, unplaced: list[str]) -> list[str]:
    """A note marked cleared in the workbook, by the member named as clearing it."""
    found = (
        ch.conn.execute(select(review_note).where(review_note.c.ref == row["Note"], live(review_note)))
        .mappings()
        .first()
    )
    who = places.member(row.get("Cleared by", ""))
    if found is None:
        unplaced.append(f"row {number}: there is no review note {row['Note']}")
        return []
    if found["status"] == NoteStatus.CLEARED.value:
        return []
    if who is None:
        unplaced.append(f"row {number}: say who cleared {row['Note']} (the reviewer's initials, under Cleared by)")
        return []
    try:
        put_clear(ch, row["Note"], who.id)
    except ValidationError as exc:
        unplaced.append(f"row {number}: {exc.message}")
        return []
    return [row["Note"]]
