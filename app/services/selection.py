"""Reproducible selection: the same population, size and seed give the same rows on any machine.

Nothing here uses Python's `random`, whose algorithms may change between versions. Both methods
draw from SHA-256, which anyone can recompute with any tool:

- **Random.** Row n's key is SHA-256 of the ASCII text "<seed>:<n>" (e.g. `printf 42:17 | sha256sum`).
  The sample is the rows with the smallest keys, compared as unsigned big-endian numbers; an extension
  takes the next smallest, so the rows already chosen never change.
- **Systematic.** Over the N rows still to choose from, in population order, n items: the interval is
  N / n (not rounded, so the sample spans the whole population even when n is more than N / 2), and
  u = (the first 8 bytes of SHA-256 of "<seed>:start:<rows already selected>", unsigned big-endian) / 2^64
  places the start. Item i (from 0) is at position 1 + floor((u + i) * N / n), computed in exact integers;
  when N / n is whole this is the familiar random start between 1 and the interval, then every interval-th
  row. An extension is a new systematic pass over the rows not yet selected, with its own start.

Rows are the population's row numbers; the services choose which rows are eligible (in the period,
not yet selected) and pass them in population order, streamed, so memory follows the sample size.
"""

from __future__ import annotations

import hashlib
import heapq
import secrets
from collections.abc import Iterable

#: Seeds are stored in an SQLite integer and printed for the working papers: nine digits read well.
SEED_LIMIT = 10**9
#: The largest seed an auditor may give (one drawn elsewhere): what an SQLite integer holds.
MAX_SEED = 2**63 - 1


def new_seed() -> int:
    return secrets.randbelow(SEED_LIMIT)


def random_key(seed: int, row_no: int) -> bytes:
    return hashlib.sha256(f"{seed}:{row_no}".encode("ascii")).digest()


def random_rows(seed: int, rows: Iterable[int], count: int) -> list[int]:
    """The `count` rows with the smallest keys, smallest first."""
    return [row for _key, row in heapq.nsmallest(count, ((random_key(seed, row), row) for row in rows))]


def systematic_positions(seed: int, available: int, count: int, already: int) -> tuple[float, list[int]]:
    """(interval, 1-based positions among the `available` rows) of a systematic pass of `count` items."""
    digest = hashlib.sha256(f"{seed}:start:{already}".encode("ascii")).digest()
    start = int.from_bytes(digest[:8], "big")
    scale = count << 64
    return available / count, [1 + (start + (step << 64)) * available // scale for step in range(count)]


def rows_at(rows: Iterable[int], positions: list[int]) -> list[int]:
    """The rows at the given ascending 1-based positions of a stream."""
    wanted = iter(positions)
    target = next(wanted, None)
    found: list[int] = []
    for position, row in enumerate(rows, start=1):
        if position == target:
            found.append(row)
            target = next(wanted, None)
            if target is None:
                break
    return found
