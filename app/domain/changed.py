"""What one user action changed, so the screens reload only what shows it (Anki's `OpChanges` is the model).

The services do not assemble it: `history.changes` records every change in the history already, and the kinds of
record those entries name (their tables) are the summary. A screen asks `touches` with the kinds it shows; an
event that changes no row (an export recorded in the history) changes nothing a screen shows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class Changed:
    """The kinds of record (table names) one action created, updated or deleted; `everything` when that is
    unknown or truly all (a new member acting changes how every sign-off reads)."""

    kinds: frozenset[str] = frozenset()
    everything: bool = False

    def __bool__(self) -> bool:
        return self.everything or bool(self.kinds)

    def __or__(self, other: Changed) -> Changed:
        return Changed(self.kinds | other.kinds, self.everything or other.everything)

    def touches(self, kinds: Collection[str]) -> bool:
        """Whether any of `kinds` changed."""
        return self.everything or not self.kinds.isdisjoint(kinds)

    def only(self, kinds: Collection[str]) -> bool:
        """Whether every change was to one of `kinds` (so a screen that shows none of them can stay as it is)."""
        return not self.everything and self.kinds <= frozenset(kinds)


NOTHING = Changed()
EVERYTHING = Changed(everything=True)
