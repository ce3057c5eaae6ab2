"""Checking the history's hash chain (`app/storage/chain.py`): what `fieldwork verify` reports, by position.

Each origin's entries must number 1, 2, 3 ... with no gap; each must hash to its stored hash; each must carry the
hash of the entry before it. An entry edited in place fails its own hash; one removed leaves a gap; one inserted
or moved breaks the link from the entry after it. Rewriting the whole chain from some point on (possible with the
passphrase in hand) is caught against the heads recorded elsewhere: with every sign-off and at finalizing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from hashlib import sha256
from typing import Any
from uuid import UUID

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Connection, select

from fieldwork.app.storage.chain import GENESIS, entry_hash
from fieldwork.app.storage.schema import finalization, history, live, signoff

#: An origin's last entry: (its seq, its hash).
Heads = dict[UUID, tuple[int, str]]
#: The columns an entry's hash covers, in the order `app.storage.chain.entry_hash` takes them.
COLUMNS = ("origin", "seq", "at_utc", "person", "action", "item_type", "item_id", "old_values", "new_values")


def _as_json(column: str) -> str:
    """SQL for one column as it stands in an entry's canonical text."""
    if column == "seq":
        return column
    if column in ("old_values", "new_values"):
        return f"coalesce({column}, 'null')"
    return f"json_quote({column})"


#: Each entry with its canonical text (what its hash covers) put together by SQLite from the stored columns, and
#: whether that text can be trusted to be the entry's: the old and new values go in as stored (in the canonical form
#: since 0013_history_canonical), the other text quoted by json_quote (which escapes as Python's encoder does: a test
#: keeps them equal). Every piece is then fixed by the text around it but the border between the old and new values;
#: old values that are JSON fix that too (text moved from one to the other cannot make the same whole). A text that
#: does not hash to the entry's hash is not yet a finding: the entry is checked again by the definition (`_changed`).
COMPOSED = (
    "SELECT origin, seq, prev_hash, hash, CAST('[' || "
    + " || ',' || ".join(_as_json(column) for column in (*COLUMNS, "prev_hash"))
    + " || ']' AS BLOB), json_valid(coalesce(old_values, 'null')) FROM history ORDER BY origin, seq"
)
#: The same entries with no text, each to be checked by the definition: for a value SQLite cannot quote (bytes).
UNCOMPOSED = "SELECT origin, seq, prev_hash, hash, NULL, 0 FROM history ORDER BY origin, seq"
ONE_ENTRY = f"SELECT {', '.join(COLUMNS)}, prev_hash, hash FROM history WHERE origin = ? AND seq = ?"


@dataclass(frozen=True)
class Chain:
    """What breaks each origin's chain (empty when it holds), and each origin's head."""

    problems: list[str]
    heads: Heads


_decode = json.JSONDecoder().decode


def read_chain(conn: Connection) -> Chain:
    """Recompute every entry's hash, origin by origin, from its stored text: hashing the text SQLite puts together
    costs a fraction of decoding and encoding every value again in Python (`benchmarks/verify_chain.py`)."""
    raw = conn.connection.driver_connection
    assert raw is not None
    try:
        return _walk(conn, raw.execute(COMPOSED))
    except sqlcipher.OperationalError:
        return _walk(conn, raw.execute(UNCOMPOSED))


def _walk(conn: Connection, rows: Iterable[tuple[Any, ...]]) -> Chain:
    """Each entry must follow the one before it in its origin and hash to its hash."""
    problems: list[str] = []
    heads: dict[str, tuple[int, str]] = {}
    current, expected_seq, prev = None, 1, GENESIS
    for origin, seq, prev_hash, digest, text, trusted in rows:
        if origin != current:
            current, expected_seq, prev = origin, 1, GENESIS
        if seq != expected_seq or prev_hash != prev:
            problems.append(_broken(origin, seq, expected_seq))
        if not (trusted and sha256(text).hexdigest() == digest) and (changed := _changed(conn, origin, seq)):
            problems.append(changed)
        heads[origin] = (seq, digest)
        expected_seq, prev = seq + 1, digest
    return Chain(problems, {UUID(origin): head for origin, head in heads.items()})


def _changed(conn: Connection, origin: str, seq: int) -> str | None:
    """The entry checked by the definition (`entry_hash` over its decoded values): why it no longer hashes to its
    hash, or None when it does (its values stored in another form than the canonical one, say)."""
    for row in conn.exec_driver_sql(ONE_ENTRY, (origin, seq)).mappings():
        try:
            entry = {name: row[name] for name in COLUMNS}
            for name in ("old_values", "new_values"):
                entry[name] = None if row[name] is None else _decode(row[name])
            intact = entry_hash(entry, row["prev_hash"]) == row["hash"]
        except (TypeError, ValueError):  # a value that is not JSON, or not of a kind an entry holds
            intact = False
        if not intact:
            return (
                f"history entry {seq} of origin {origin[:8]} ({row['action']} {row['item_type']}): its content changed"
            )
    return None


def _broken(origin: str, seq: int, expected_seq: int) -> str:
    where = f"history entry {seq} of origin {origin[:8]}"
    if seq != expected_seq:
        return f"{where}: entries {expected_seq} to {seq - 1} are missing (removed)"
    return f"{where}: does not follow entry {seq - 1} (an entry inserted, moved or replaced there)"


def recorded_heads_missing(conn: Connection) -> list[str]:
    """Heads recorded with sign-offs and at finalizing that the history no longer reaches (it was cut or rewritten);
    an entry still there whose content changed is the chain's finding."""
    recorded = [
        (f"the sign-off of {row.item_type} {row.item_key}", row.history_origin, row.history_seq, row.history_hash)
        for row in conn.execute(select(signoff).where(live(signoff)))
    ]
    for row in conn.execute(select(finalization.c.manifest).where(live(finalization))):
        for head in row.manifest.get("history_heads", []):
            recorded.append(("finalizing", UUID(head["origin"]), head["seq"], head["hash"]))
    problems = []
    for what, origin, seq, digest in recorded:
        found = conn.execute(select(history.c.hash).where(history.c.origin == origin, history.c.seq == seq)).scalars()
        if digest not in found.all():
            problems.append(f"{what} recorded history entry {seq} of origin {origin.hex[:8]}, which is no longer there")
    return problems
