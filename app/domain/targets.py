"""What the user can open: a page, and on it a record by id or a requirement by its code.

One type for the navigator, the menus, the links between pages and the services that say where something is
shown (the dashboard's next step, a file's uses, a review note's item). A page names what its key is, so a
target with a key of the wrong kind is refused where it is made, not found missing when the page loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class Page(StrEnum):
    """The workspace's pages; the value is how settings and tests name them."""

    DASHBOARD = "dashboard"
    MATRIX = "matrix"
    REQUIREMENT = "requirement"
    CONTROL = "control"
    TEST = "test"
    SOA = "soa"
    EVIDENCE = "evidence"
    PBC = "pbc"
    READINESS = "readiness"
    FINDINGS = "findings"
    OPINION = "opinion"
    AI_SYSTEMS = "ai_systems"
    SETTINGS = "settings"
    NOTES = "notes"
    CHANGED = "changed"
    WORKPAPERS = "workpapers"
    WORKPAPER = "workpaper"
    IPE = "ipe"

    @property
    def key_type(self) -> type | None:
        """What a target on this page is keyed by: a record's UUID, a code (a requirement's, an SoA line's, a
        description section's heading), or nothing (the page shows one thing)."""
        return _KEYS.get(self)


_KEYS: dict[Page, type] = {
    Page.REQUIREMENT: str,
    Page.SOA: str,
    Page.SETTINGS: str,
    Page.CONTROL: UUID,
    Page.TEST: UUID,
    Page.FINDINGS: UUID,
    Page.AI_SYSTEMS: UUID,
    Page.WORKPAPER: UUID,
    Page.PBC: UUID,
    Page.IPE: UUID,
}


@dataclass(frozen=True)
class Target:
    """A page (`kind`: a name is taken for its `Page`), and what on it: `key` of the page's `key_type`, or None for
    the page itself."""

    kind: Page
    key: UUID | str | None = None

    def __post_init__(self) -> None:
        page = Page(self.kind)
        object.__setattr__(self, "kind", page)
        wanted = page.key_type
        if self.key is not None and (wanted is None or not isinstance(self.key, wanted)):
            raise TypeError(f"The {page} page is not opened by {self.key!r}.")
