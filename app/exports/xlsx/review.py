"""Review in the workbook: sign-off columns on every sheet of signable items, a Sign-offs sheet, and the Review
notes sheet a manager writes in on a plane and sends back (`fieldwork review import`).

Every signable row carries an item key (`control:<uuid>`, `requirement_conclusion:CC6.1`) that stays the same
whatever is renamed, so a note written against it comes back to the right item.
"""

from __future__ import annotations

from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.xlsx.places import REVIEW_NOTES, SIGNOFFS
from fieldwork.app.exports.xlsx.table import Column, Mark, Row, Table, Value, utc_datetime, yes_no
from fieldwork.app.services.signables import ItemType, written_key
from fieldwork.app.services.signoffs import ItemSignOffs, SignOff

#: Rows below the notes a manager can write in: formatted, and inside the sheet's filter.
WRITABLE_ROWS = 300

SIGNOFF_COLUMNS = (
    Column("Item key", 14),
    Column("Preparer", 16),
    Column("Prepared (UTC)", 19),
    Column("Reviewer", 16),
    Column("Reviewed (UTC)", 19),
    Column("Changed after review", 10),
)
NOTE_COLUMNS = (
    Column("Note", 9),
    Column("Item key", 20),
    Column("Item", 14),
    Column("Raised by", 18),
    Column("Raised (UTC)", 19),
    Column("Note text", 70),
    Column("Response", 60),
    Column("Responded by", 18),
    Column("Status", 14),
    Column("Cleared by", 18),
)


def _who(found: SignOff | None) -> tuple[Value, Value]:
    return (found.initials, utc_datetime(found.signed_at)) if found else (None, None)


def signoff_values(data: ReportData, item_type: ItemType, key: str) -> tuple[Value, ...]:
    """The sign-off cells of one row (all empty for an item that has none)."""
    state = data.signoffs.get(item_type, {}).get(key)
    if state is None:
        return (written_key(item_type, key), None, None, None, None, None)
    changed = yes_no(state.stale) if state.preparer or state.reviewer else None
    return (written_key(item_type, key), *_who(state.preparer), *_who(state.reviewer), changed)


def signoff_mark(data: ReportData, item_type: ItemType, key: str) -> Mark | None:
    state = data.signoffs.get(item_type, {}).get(key)
    return Mark.EXCEPTION if state is not None and state.stale else None


def signoffs_table(data: ReportData) -> Table:
    """Every signable item, its sign-offs and whether it changed after review (the description and the opinion
    have no sheet of their own, so this is where they are signed off in the workbook)."""
    columns = (Column("Kind", 18), Column("Item", 16), *SIGNOFF_COLUMNS)
    rows = []
    for kind in ItemType:
        for key, state in data.signoffs.get(kind, {}).items():
            rows.append(Row((kind.label, state.item.ref, *signoff_values(data, kind, key)), _stale(state)))
    return Table(SIGNOFFS, columns, rows, "Nothing is signed off yet.")


def _stale(state: ItemSignOffs) -> Mark | None:
    return Mark.EXCEPTION if state.stale else None


def review_notes_table(data: ReportData) -> Table:
    """The notes raised, and room below them: a new row (item key or item reference, note text, your initials)
    becomes a review note when the workbook is imported."""
    rows = [
        Row(
            (
                note.ref,
                written_key(note.item_type, note.item_key),
                note.item_ref,
                note.raised_by,
                utc_datetime(note.raised_at),
                note.text,
                note.response or None,
                note.responded_by or None,
                note.status.label,
                note.cleared_by or None,
            ),
            Mark.EXCEPTION if note.open else None,
        )
        for note in data.review_notes
    ]
    return Table(REVIEW_NOTES, NOTE_COLUMNS, rows, writable_rows=WRITABLE_ROWS)
