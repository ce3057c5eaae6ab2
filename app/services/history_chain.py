"""Checking the history's hash chain (`app/storage/chain.py`): what `fieldwork verify` reports, by position.

Each origin's entries must number 1, 2, 3 ... with no gap; each must hash to its stored hash; each must carry the
hash of the entry before it. An entry edited in place fails its own hash; one removed leaves a gap; one inserted
or moved breaks the link from the entry after it. Rewriting the whole chain from some point on (possible with the
passphrase in hand) is caught against the heads recorded elsewhere: with every sign-off and at finalizing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, select

from app.storage.chain import GENESIS, entry_hash
from app.storage.schema import finalization, history, live, signoff

#: An origin's last entry: (its seq, its hash).
Heads = dict[UUID, tuple[int, str]]


def _entries(conn: Connection) -> Iterator[Any]:
    query = select(history).order_by(history.c.origin, history.c.seq)
    yield from conn.execute(query).mappings()


def chain_problems(conn: Connection) -> tuple[list[str], Heads]:
    """What breaks each origin's chain (empty when it holds), and each origin's head."""
    problems: list[str] = []
    heads: Heads = {}
    for entry in _entries(conn):
        origin, seq = entry["origin"], entry["seq"]
        expected_seq, prev = (heads[origin][0] + 1, heads[origin][1]) if origin in heads else (1, GENESIS)
        where = f"history entry {seq} of origin {origin.hex[:8]}"
        if seq != expected_seq:
            problems.append(f"{where}: entries {expected_seq} to {seq - 1} are missing (removed)")
        elif entry["prev_hash"] != prev:
            problems.append(f"{where}: does not follow entry {seq - 1} (an entry inserted, moved or replaced there)")
        if entry_hash(entry, entry["prev_hash"]) != entry["hash"]:
            problems.append(f"{where} ({entry['action']} {entry['item_type']}): its content was changed")
        heads[origin] = (seq, entry["hash"])
    return problems, heads


def recorded_heads_missing(conn: Connection, heads: Heads) -> list[str]:
    """Heads recorded with sign-offs and at finalizing that the chain no longer reaches (it was cut or rewritten)."""
    known = {
        (row["origin"], row["seq"]): row["hash"]
        for row in conn.execute(select(history.c.origin, history.c.seq, history.c.hash)).mappings()
    }
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
