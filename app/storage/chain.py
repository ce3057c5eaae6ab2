"""The history's hash chain: each entry's hash covers its content and the hash of the entry before it in its
origin (the copy of the file it was made in), so an edited, removed, inserted or reordered entry shows.

This is part of the file format: a file written today must verify in every later Fieldwork, so the canonical form
below never changes (a new form would need a new field and a migration). Since revision 0013_history_canonical an
entry's old and new values are also stored in that form (`CanonicalJSON`), so the stored text is the text the hash
covers and verifying hashes it as it is, without decoding and encoding every value again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Dialect
from sqlalchemy.types import TypeDecorator

#: The hash the first entry of an origin follows.
GENESIS = ""


def _default(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be part of a history entry")


#: Sorted keys, no spaces, text as text: the same values always give the same bytes.
_canonical = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_default).encode


def canonical_json(value: object) -> str:
    """The canonical text of a value: what a hash covers, and how the history stores old and new values."""
    return _canonical(value)


class CanonicalJSON(TypeDecorator[Any]):
    """A JSON column written in the canonical form (read as any JSON): the history's old and new values."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Any:
        return _canonical


def content_hash(content: object) -> str:
    """The hash of an item's content as a sign-off records it (the same canonical form as the history)."""
    return hashlib.sha256(_canonical(content).encode("utf-8")).hexdigest()


def entry_hash(entry: Mapping[str, Any], prev_hash: str) -> str:
    """The hash of one history entry (its origin, seq, time, person, action, item, old and new values)."""
    origin = entry["origin"]
    fields = [
        origin.hex if isinstance(origin, UUID) else str(origin).replace("-", ""),
        entry["seq"],
        entry["at_utc"],
        entry["person"],
        entry["action"],
        entry["item_type"],
        entry["item_id"],
        entry["old_values"],
        entry["new_values"],
        prev_hash,
    ]
    return content_hash(fields)
