"""Records of a crosswalk update: what a newer bundled crosswalk would change in an engagement's links.

An engagement keeps the crosswalk it was created with (its own `mapping` rows) until the user accepts a newer
one, so its suggestions and its report never change under the auditor's feet.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldwork.app.domain.vocabulary import Labelled, Relationship


class LinkChange(Labelled):
    ADDED = "added", "Added"
    REMOVED = "removed", "Removed"
    CHANGED = "changed", "Changed"


@dataclass(frozen=True)
class CrosswalkChange:
    """One link the newer crosswalk adds, removes or words differently, and why."""

    change: LinkChange
    iso_code: str
    soc2_code: str
    #: As the link will be (added, changed) or as it was (removed).
    relationship: Relationship
    #: The link's rationale (added, changed), or why the crosswalk no longer makes it (removed).
    rationale: str
    #: A changed link as the engagement holds it now.
    old_relationship: Relationship | None = None
    old_rationale: str = ""

    @property
    def key(self) -> dict[str, str]:
        """The engagement's `mapping` row for this link: a crosswalk pair is its own key."""
        return {"iso_code": self.iso_code, "soc2_code": self.soc2_code}


@dataclass(frozen=True)
class CrosswalkUpdate:
    """An engagement's crosswalk against the one this Fieldwork carries."""

    held: str
    bundled: str
    changes: tuple[CrosswalkChange, ...]
    #: The engagement's own links (added or re-judged by the auditor), which an update leaves as they are.
    own_links: int

    @property
    def available(self) -> bool:
        """A newer crosswalk is bundled than the one the engagement holds."""
        return version_key(self.bundled) > version_key(self.held)

    def count(self, change: LinkChange) -> int:
        return sum(1 for item in self.changes if item.change is change)

    @property
    def summary(self) -> str:
        """'3 links added, 2 removed, 1 changed' (the kinds that occur)."""
        kinds = [kind for kind in LinkChange if self.count(kind)]
        if not kinds:
            return "no link changes"
        first, *rest = kinds
        head = f"{self.count(first)} link{'' if self.count(first) == 1 else 's'} {first.label.lower()}"
        return ", ".join([head, *(f"{self.count(kind)} {kind.label.lower()}" for kind in rest)])


def version_key(version: str) -> tuple[int, ...]:
    """'2026.2' -> (2026, 2), so versions compare as numbers; anything unreadable is oldest."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return ()
