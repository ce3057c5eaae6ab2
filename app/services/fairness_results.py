"""Fairness re-performances stored with their test, shown in the test's findings and in the workpapers.

What is stored is what the figures rest on: the decisions file's name, sheet and SHA-256, the columns, how favourable
was decided, and per group its decisions, favourable decisions and whether it is small. Rates and ratios are not
stored; they are rebuilt as exact fractions, so what is shown later is what was computed then. Each run is kept
(a second run on a corrected file does not erase the first); one entered against the wrong test can be deleted.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, select

from fieldwork.app.domain.fairness import FairnessFigures, FairnessResult, GroupRate, StoredFairnessResult
from fieldwork.app.domain.ids import FairnessResultId, TestId
from fieldwork.app.engagement import Engagement
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.storage.schema import control_test, fairness_result, live


def store_fairness_result(ch: Changes, test_id: TestId, result: FairnessResult) -> FairnessResultId:
    """Keep a re-performance with its test, in the caller's transaction."""
    figures = result.figures
    row: dict[str, Any] = {
        "test_id": test_id,
        "source_name": figures.source_name,
        "sheet_name": figures.sheet,
        "sha256": figures.sha256,
        "group_column": figures.group_column,
        "outcome_column": figures.outcome_column,
        "favourable": list(figures.favourable),
        "rule": figures.rule,
        "outcomes": list(figures.outcomes),
        "decisions": figures.decisions,
        "left_out": figures.left_out,
        "groups": [
            {"group": g.group, "decisions": g.decisions, "favourable": g.favourable, "small": g.small}
            for g in figures.groups
        ],
        "caveats": list(figures.caveats),
        "computed_by": result.computed_by,
        "computed_at": result.computed_at,
    }
    return FairnessResultId(ch.insert(fairness_result, row))


def _groups(stored: list[dict[str, Any]]) -> tuple[GroupRate, ...]:
    """The groups as computed: highest rate first, each rate and its ratio to the first exact."""
    rates = [Fraction(g["favourable"], g["decisions"]) for g in stored]
    best = rates[0]
    return tuple(
        GroupRate(g["group"], g["decisions"], g["favourable"], rate, rate / best, bool(g["small"]))
        for g, rate in zip(stored, rates, strict=True)
    )


def read_fairness_results(conn: Connection, test_id: TestId | None = None) -> list[StoredFairnessResult]:
    """Stored re-performances, by test reference and then newest first."""
    query = (
        select(fairness_result, control_test.c.ref.label("test_ref"))
        .join(control_test, control_test.c.id == fairness_result.c.test_id)
        .where(live(fairness_result), live(control_test))
        .order_by(control_test.c.ref, fairness_result.c.computed_at.desc(), fairness_result.c.id.desc())
    )
    if test_id is not None:
        query = query.where(fairness_result.c.test_id == test_id)
    found = []
    for row in conn.execute(query).mappings():
        figures = FairnessFigures(
            source_name=row["source_name"],
            sheet=row["sheet_name"],
            sha256=row["sha256"],
            group_column=row["group_column"],
            outcome_column=row["outcome_column"],
            favourable=tuple(row["favourable"]),
            rule=row["rule"],
            outcomes=tuple(row["outcomes"]),
            decisions=row["decisions"],
            left_out=row["left_out"],
            groups=_groups(row["groups"]),
            caveats=tuple(row["caveats"]),
        )
        result = FairnessResult(row["test_ref"], row["computed_by"], row["computed_at"], figures)
        found.append(StoredFairnessResult(row["id"], row["test_id"], result))
    return found


def list_fairness_results(db: Engagement, test_id: TestId) -> list[StoredFairnessResult]:
    with db.reading() as conn:
        return read_fairness_results(conn, test_id)


def delete_fairness_result(db: Engagement, result_id: FairnessResultId) -> None:
    """Remove a run stored against the wrong test or file; its history entries stay."""
    with changes(db) as ch:
        ch.delete(fairness_result, {"id": result_id})
