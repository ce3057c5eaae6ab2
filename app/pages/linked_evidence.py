"""The files linked to the item a page shows (a control, a test and its sample items, a finding)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection

from fieldwork.app.domain.records import EvidenceFile
from fieldwork.app.engagement import Engagement
from fieldwork.app.services import evidence as ev


@dataclass(frozen=True)
class LinkedEvidence:
    file: EvidenceFile
    uses: tuple[ev.EvidenceUse, ...]  # its links to the item shown (or to that test's sample items)


def read_linked(conn: Connection, targets: Collection[ev.Link]) -> list[LinkedEvidence]:
    """The files linked to any of `targets`, read in the caller's transaction with the page."""
    wanted = set(targets)
    uses = {key: tuple(u for u in found if u.link in wanted) for key, found in ev.read_uses(conn).items()}
    uses = {key: found for key, found in uses.items() if found}
    return [LinkedEvidence(file, uses[file.id]) for file in ev.read_evidence(conn, uses)]


def load_linked(db: Engagement, targets: Collection[ev.Link]) -> list[LinkedEvidence]:
    """The files linked to `targets`, for a panel that shows one selected record's evidence."""
    with db.reading() as conn:
        return read_linked(conn, targets)
