"""The engagement at a glance: counts and progress per framework, for `info`, the dashboard and exports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, Table, func, select

from fieldwork.app.domain.records import EngagementDetails, FileFacts, Requirement, RequirementStatus, StatusCounts
from fieldwork.app.domain.vocabulary import Framework, RequirementKind, Status
from fieldwork.app.engagement import Engagement
from fieldwork.app.services.engagement import read_details, read_facts
from fieldwork.app.services.requirements import read_scope
from fieldwork.app.services.status import group_status, read_requirement_statuses
from fieldwork.app.storage.schema import control, control_test, deviation, evidence, live, sample_item


@dataclass(frozen=True)
class GroupProgress:
    """A SOC 2 category, an ISO/IEC 42001 clause or an Annex A objective."""

    framework: Framework
    key: str
    title: str
    status: Status
    counts: StatusCounts
    requirements: tuple[str, ...]


@dataclass(frozen=True)
class Overview:
    details: EngagementDetails
    facts: FileFacts
    counts: dict[str, int]
    groups: tuple[GroupProgress, ...]
    statuses: dict[str, RequirementStatus]
    gaps: tuple[str, ...]

    @property
    def in_scope(self) -> tuple[str, ...]:
        return requirements_in_scope(self.statuses)

    def framework_counts(self, framework: Framework) -> StatusCounts:
        totals: dict[str, int] = defaultdict(int)
        for group in self.groups:
            if group.framework is framework:
                for name in ("not_started", "in_progress", "exceptions", "concluded", "excluded"):
                    totals[name] += getattr(group.counts, name)
        return StatusCounts(**totals)


def requirements_in_scope(statuses: Mapping[str, RequirementStatus]) -> tuple[str, ...]:
    """The one definition every output counts as "requirements in scope": the criteria, subclauses and Annex A
    controls of the engagement's scope, less the Annex A controls the Statement of Applicability excludes."""
    return tuple(code for code, state in statuses.items() if state.status is not Status.EXCLUDED)


def requirement_gaps(statuses: Mapping[str, RequirementStatus]) -> tuple[str, ...]:
    """Requirements in scope that no control serves: shown and flagged everywhere, never dropped."""
    return tuple(code for code, state in statuses.items() if state.gap and state.status is not Status.EXCLUDED)


def read_counts(conn: Connection) -> dict[str, int]:
    def total(table: Table) -> int:
        return int(conn.execute(select(func.count()).select_from(table).where(live(table))).scalar_one())

    return {
        "controls": total(control),
        "tests": total(control_test),
        "sample_items": total(sample_item),
        "deviations": total(deviation),
        "evidence": total(evidence),
    }


def read_groups(scope: list[Requirement], statuses: dict[str, RequirementStatus]) -> list[GroupProgress]:
    """SOC 2 by category; ISO/IEC 42001 by clause, then Annex A by objective."""
    groups: list[GroupProgress] = []
    by_category: dict[str, list[str]] = defaultdict(list)
    for req in scope:
        if req.framework is Framework.SOC2 and req.category:
            by_category[req.category].append(req.code)
    for category, codes in by_category.items():
        status, counts = group_status(codes, statuses)
        groups.append(GroupProgress(Framework.SOC2, category, category, status, counts, tuple(codes)))
    top_of: dict[str, str] = {}
    for req in scope:
        if req.framework is Framework.ISO42001:
            top_of[req.code] = top_of.get(req.parent, req.parent) if req.parent else req.code
    tops = [r for r in scope if r.framework is Framework.ISO42001 and r.parent is None]
    for top in tops:
        codes = [code for code, root in top_of.items() if root == top.code and code in statuses]
        status, counts = group_status(codes, statuses)
        label = f"{'Clause ' if top.kind is RequirementKind.CLAUSE else ''}{top.code} {top.title}"
        groups.append(GroupProgress(Framework.ISO42001, top.code, label, status, counts, tuple(codes)))
    return groups


def overview(db: Engagement) -> Overview:
    with db.reading() as conn:
        details = read_details(conn)
        scope = read_scope(conn)
        return read_overview(conn, db.encrypted, scope, read_requirement_statuses(conn, scope, details.report_type))


def read_overview(
    conn: Connection, encrypted: bool, scope: list[Requirement], statuses: dict[str, RequirementStatus]
) -> Overview:
    """The overview from a scope and statuses already read (by the judgements, say) in the same transaction."""
    groups = tuple(read_groups(scope, statuses))
    facts = read_facts(conn, encrypted)
    return Overview(read_details(conn), facts, read_counts(conn), groups, statuses, requirement_gaps(statuses))
