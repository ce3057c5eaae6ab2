"""What a delete takes with it, said before the user confirms it.

The delete itself is run and rolled back, and the deletions it recorded are counted: the preview cannot
disagree with the delete, however its cascade grows. Nothing is kept: the transaction never commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Table, func, select

from fieldwork.app.domain.ids import (
    ControlId,
    DeviationId,
    FindingId,
    MisstatementId,
    PbcRequestId,
    SampleItemId,
    TestId,
)
from fieldwork.app.engagement import Engagement
from fieldwork.app.services.controls import remove_control
from fieldwork.app.services.findings import remove_finding
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.testing import remove_sample_items, remove_test
from fieldwork.app.storage.schema import (
    control,
    control_test,
    description_misstatement,
    deviation,
    finding,
    history,
    pbc_request,
    sample_item,
)

#: What a deleted row is called, one and many, for the tables a cascade reaches (others by the table's name).
NOUNS = {
    "control": ("control", "controls"),
    "control_test": ("test", "tests"),
    "sample_item": ("sample item", "sample items"),
    "deviation": ("deviation", "deviations"),
    "population": ("imported population", "imported populations"),
    "population_row": ("population row", "population rows"),
    "ipe_assessment": ("IPE assessment", "IPE assessments"),
    "fairness_result": ("fairness review result", "fairness review results"),
    "deviation_sample_item": ("link from a deviation to a sample item", "links from deviations to sample items"),
    "control_requirement": ("link to a requirement", "links to requirements"),
    "dismissed_suggestion": ("dismissed suggestion", "dismissed suggestions"),
    "evidence_link": ("link to evidence (the file stays in the library)", "links to evidence (the files stay)"),
    "conclusion_deviation": ("citation in a requirement's conclusion", "citations in requirements' conclusions"),
    "compensating_control": ("compensating control in a conclusion", "compensating controls in conclusions"),
    "finding_deviation": ("link from a finding to a deviation", "links from findings to deviations"),
    "finding_requirement": ("link from a finding to a requirement", "links from findings to requirements"),
}


@dataclass(frozen=True)
class WhatGoes:
    """The records a delete takes besides the ones deleted: (table, how many), records before links."""

    counts: tuple[tuple[str, int], ...]

    def parts(self) -> list[str]:
        """Each kind with its count, in words ("25 sample items")."""
        return [f"{count} {_noun(kind, count)}" for kind, count in self.counts]

    def sentence(self) -> str:
        return f"It also deletes {_listed(self.parts())}." if self.counts else "Nothing else goes with it."


def _noun(kind: str, count: int) -> str:
    one, many = NOUNS.get(kind, (kind.replace("_", " "), kind.replace("_", " ") + "s"))
    return one if count == 1 else many


def _listed(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


class _RolledBack(Exception):
    def __init__(self, found: WhatGoes) -> None:
        super().__init__("preview")
        self.found = found


def what_goes(db: Engagement, remove: Callable[[Changes], object], deleted: Table, how_many: int = 1) -> WhatGoes:
    """Run `remove` and roll it back; the rows it deleted, less the `how_many` of `deleted` asked for."""
    try:
        with changes(db) as ch:
            origin, before, _ = ch.head()
            remove(ch)
            raise _RolledBack(_counted(ch.conn, origin, before, deleted.name, how_many))
    except _RolledBack as preview:
        return preview.found


def _counted(conn: Connection, origin: object, before: int, deleted: str, how_many: int) -> WhatGoes:
    query = (
        select(history.c.item_type, func.count())
        .where(history.c.origin == origin, history.c.seq > before, history.c.action == "delete")
        .group_by(history.c.item_type)
    )
    counts = {kind: int(count) - (how_many if kind == deleted else 0) for kind, count in conn.execute(query)}
    order = list(NOUNS)
    found = sorted(
        ((kind, count) for kind, count in counts.items() if count > 0),
        key=lambda pair: order.index(pair[0]) if pair[0] in NOUNS else len(order),
    )
    return WhatGoes(tuple(found))


def what_goes_with_control(db: Engagement, control_id: ControlId) -> WhatGoes:
    return what_goes(db, lambda ch: remove_control(ch, control_id), control)


def what_goes_with_test(db: Engagement, test_id: TestId) -> WhatGoes:
    return what_goes(db, lambda ch: remove_test(ch, test_id), control_test)


def what_goes_with_items(db: Engagement, item_ids: Sequence[SampleItemId]) -> WhatGoes:
    return what_goes(db, lambda ch: remove_sample_items(ch, item_ids), sample_item, len(item_ids))


def what_goes_with_deviation(db: Engagement, deviation_id: DeviationId) -> WhatGoes:
    return what_goes(db, lambda ch: ch.delete(deviation, {"id": deviation_id}), deviation)


def what_goes_with_finding(db: Engagement, finding_id: FindingId) -> WhatGoes:
    return what_goes(db, lambda ch: remove_finding(ch, finding_id), finding)


def what_goes_with_request(db: Engagement, request_id: PbcRequestId) -> WhatGoes:
    return what_goes(db, lambda ch: ch.delete(pbc_request, {"id": request_id}), pbc_request)


def what_goes_with_misstatement(db: Engagement, key: MisstatementId) -> WhatGoes:
    return what_goes(db, lambda ch: ch.delete(description_misstatement, {"id": key}), description_misstatement)
