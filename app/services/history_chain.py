"""Checking the history's hash chain (`app/storage/chain.py`): what `fieldwork verify` reports, by position.

Each origin's entries must number 1, 2, 3 ... with no gap; each must hash to its stored hash; each must carry the
hash of the entry before it. An entry edited in place fails its own hash; one removed leaves a gap; one inserted
or moved breaks the link from the entry after it. Rewriting the whole chain from some point on (possible with the
passphrase in hand) is caught against the heads recorded elsewhere: with every sign-off and at finalizing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Connection, select

from app.storage.chain import GENESIS, content_hash
from app.storage.schema import finalization, live, signoff

#: An origin's last entry: (its seq, its hash).
Heads = dict[UUID, tuple[int, str]]
#: The columns an entry's hash covers, in the order `app.storage.chain.entry_hash` takes them, then its hashes.
COLUMNS = ("origin", "seq", "at_utc", "person", "action", "item_type", "item_id", "old_values", "new_values")


@dataclass(frozen=True)
class Chain:
    """What breaks each origin's chain (empty when it holds), each origin's head, and every entry's hash."""

    problems: list[str]
    heads: Heads
    hashes: dict[tuple[UUID, int], str]


_decode = json.JSONDecoder().decode


def read_chain(conn: Connection) -> Chain:
    """Recompute every entry's hash, origin by origin. The rows are read raw (the JSON decoded once, no column
    types, origins kept as stored until the end): at 40,000 entries the typed read cost more than the hashing."""
    problems: list[str] = []
    heads: dict[str, tuple[int, str]] = {}
    hashes: dict[tuple[str, int], str] = {}
    query = f"SELECT {', '.join(COLUMNS)}, prev_hash, hash FROM history ORDER BY origin, seq"
    for origin, seq, at, person, action, item_type, item_id, old, new, prev_hash, digest in conn.exec_driver_sql(query):
        expected_seq, prev = (heads[origin][0] + 1, heads[origin][1]) if origin in heads else (1, GENESIS)
        if seq != expected_seq or prev_hash != prev:
            problems.append(_broken(origin, seq, expected_seq))
        old_values = None if old is None else _decode(old)
        new_values = None if new is None else _decode(new)
        fields = [origin, seq, at, person, action, item_type, item_id, old_values, new_values, prev_hash]
        if content_hash(fields) != digest:
            problems.append(f"history entry {seq} of origin {origin[:8]} ({action} {item_type}): its content changed")
        heads[origin] = (seq, digest)
        hashes[(origin, seq)] = digest
    return Chain(
        problems,
        {UUID(origin): head for origin, head in heads.items()},
        {(UUID(origin), seq): digest for (origin, seq), digest in hashes.items()},
    )


def _broken(origin: str, seq: int, expected_seq: int) -> str:
    where = f"history entry {seq} of origin {origin[:8]}"
    if seq != expected_seq:
        return f"{where}: entries {expected_seq} to {seq - 1} are missing (removed)"
    return f"{where}: does not follow entry {seq - 1} (an entry inserted, moved or replaced there)"


def recorded_heads_missing(conn: Connection, chain: Chain) -> list[str]:
    """Heads recorded with sign-offs and at finalizing that the chain no longer reaches (it was cut or rewritten)."""
    known = chain.hashes
    recorded = [
        (f"the sign-off of {row.item_type} {row.item_key}", row.history_origin, row.history_seq, row.history_hash)
        for row in conn.execute(select(signoff).where(live(signoff)))
    ]
    for row in conn.execute(select(finalization.c.manifest).where(live(finalization))):
        for head in row.manifest.get("history_heads", []):
            recorded.append(("finalizing", UUID(head["origin"]), head["seq"], head["hash"]))
    problems = []
    for what, origin, seq, digest in recorded:
        if known.get((origin, seq)) != digest:
            problems.append(f"{what} recorded history entry {seq} of origin {origin.hex[:8]}, which is no longer there")
    return problems
