"""The history's chain checked from its stored text: SQLite puts each entry's canonical text together, Python hashes
it, and only an entry whose text does not hash to its hash is checked again by the definition (`entry_hash`)."""

from __future__ import annotations

import hashlib
import json
import random

import pytest

from fieldwork.app.services.history import changes
from fieldwork.app.services.history_chain import COMPOSED
from fieldwork.app.services.verify import verify
from fieldwork.app.storage.chain import canonical_json, entry_hash
from fieldwork.app.storage.engagement_file import EngagementFile

#: Text that JSON escapes, or that a careless escaper would: every control character, quotes, backslashes, the
#: characters JavaScript treats as line ends, DEL, accents and a character outside the Basic Multilingual Plane.
AWKWARD = [chr(code) for code in range(32)] + ['"', "\\", "/", "'", "\x7f", "\u2028", "\u2029", "é", "✓", "😀"]


def _history(db: EngagementFile) -> tuple[bool, str]:
    [found] = [f for f in verify(db) if f.check == "history"]
    return found.ok, found.detail


def test_sqlite_quotes_text_exactly_as_the_canonical_form_does(engagement: EngagementFile) -> None:
    with engagement.reading() as conn:
        for text in [*AWKWARD, "".join(AWKWARD), 'say "hi"\\n', ""]:
            assert conn.exec_driver_sql("SELECT json_quote(?)", (text,)).scalar_one() == canonical_json(text), text


def test_awkward_entries_verify_from_their_stored_text_alone(engagement: EngagementFile) -> None:
    detail = {"text": "".join(AWKWARD), "nested": [{"b": 1.5, "a": None}, [True, 10**20]], "é": "✓"}
    with changes(engagement) as ch:
        ch.record("export", "engagement_file", 'C:\\Exports\\"final"\n' + "".join(AWKWARD), detail)
    with engagement.reading() as conn:
        composed = conn.exec_driver_sql(COMPOSED).all()
        stored = conn.exec_driver_sql("SELECT * FROM history ORDER BY origin, seq").mappings().all()
    assert len(composed) == len(stored) > 1
    for (_origin, _seq, prev, digest, text, trusted), row in zip(composed, stored, strict=True):
        entry = {**row, "old_values": json.loads(row["old_values"]), "new_values": json.loads(row["new_values"])}
        assert trusted and hashlib.sha256(text).hexdigest() == digest == entry_hash(entry, prev)
    assert json.loads(stored[-1]["new_values"]) == detail
    assert _history(engagement)[0]


def _tamper(db: EngagementFile, update: str, rng: random.Random, where: str = "1") -> int:
    """Change one entry at a random position (triggers removed first, as someone with the passphrase could)."""
    with db.writing() as conn:
        conn.exec_driver_sql("DROP TRIGGER history_no_update")
        rows = conn.exec_driver_sql(f"SELECT origin, seq FROM history WHERE {where} ORDER BY origin, seq").all()
        origin, seq = rows[rng.randrange(1, len(rows) - 1)]
        conn.exec_driver_sql(f"UPDATE history SET {update} WHERE origin = ? AND seq = ?", (origin, seq))
    return int(seq)


EDITS = {
    "time": "at_utc = '2020-01-01T00:00:00+00:00'",
    "person": "person = person || '\"'",
    "action": "action = 'delete'",
    "item type": "item_type = 'finding'",
    "item": "item_id = item_id || char(10)",
    "old values": 'old_values = \'{"title":"Backdated"}\'',
    "new values": "new_values = json_set(new_values, '$.added', 1)",
    "bytes for text": "person = CAST(person AS BLOB)",
    "not JSON": "new_values = substr(new_values, 2)",
}


@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_to_any_part_of_an_entry_is_found_at_its_position(demo: EngagementFile, edit: str) -> None:
    assert _history(demo)[0]
    seq = _tamper(demo, EDITS[edit], random.Random(edit), "new_values != 'null'")
    ok, detail = _history(demo)
    assert not ok and f"history entry {seq} " in detail and "content changed" in detail, detail


def test_text_moved_from_the_new_values_to_the_old_ones_is_found(demo: EngagementFile) -> None:
    """The same whole text, split between the two values at another place: only the values' form tells."""
    with demo.reading() as conn:
        before = {row[1]: row for row in conn.exec_driver_sql(COMPOSED)}
    comma = "instr(new_values, ',')"
    move = (
        f"old_values = old_values || ',' || substr(new_values, 1, {comma} - 1), "
        f"new_values = substr(new_values, {comma} + 1)"
    )
    seq = _tamper(demo, move, random.Random(1), f"action = 'update' AND {comma} > 0")
    with demo.reading() as conn:
        after = {row[1]: row for row in conn.exec_driver_sql(COMPOSED)}
    assert after[seq][4] == before[seq][4] and not after[seq][5], "the same text, no longer trusted"
    ok, detail = _history(demo)
    assert not ok and f"history entry {seq} " in detail, detail


def test_values_stored_in_another_json_form_with_the_same_content_still_verify(demo: EngagementFile) -> None:
    """The hash covers what an entry says, not how its JSON is spaced: the definition decides such an entry."""
    spaced = "new_values = replace(replace(new_values, '\":', '\": '), ',\"', ', \"')"
    seq = _tamper(demo, spaced, random.Random(2), "new_values LIKE '%,\"%'")
    with demo.reading() as conn:
        [(*_, digest, text, _trusted)] = [row for row in conn.exec_driver_sql(COMPOSED) if row[1] == seq]
    assert hashlib.sha256(text).hexdigest() != digest, "the stored text is no longer the text hashed"
    ok, detail = _history(demo)
    assert ok, detail
