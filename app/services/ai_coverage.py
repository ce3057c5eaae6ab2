"""The coverage matrix: each AI system in scope against the Annex A controls and the clause 8 requirements, and
the gaps a system in production must not have.

A cell is covered when a control linked to the system serves the requirement; its tests are those of such controls
that count for the system (all of a control's tests, except a test that names other systems), and its status is
theirs combined as everywhere (`status.combine`; a Type 2 control tested for design only is not started). A concluded
test's exceptions count against a system unless every deviation it found is attributed elsewhere, by a finding that
names other systems (one release of nine, of another system, lacked its assessment). Controls
serving the requirement but linked to no AI system are organization-wide: named in the cell, never counted as
covering a system, so a forgotten link shows as a gap instead of hiding one.

A system in scope that ran in production in the examination (the period, or the as-of date) is flagged when it
has no approved impact assessment, reached production before its first approved one, or has no linked control
serving the monitoring or the human oversight Annex A controls (`ai_systems.MONITORING`, `HUMAN_OVERSIGHT`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, select

from fieldwork.app.domain.ai_systems import (
    HUMAN_OVERSIGHT,
    MONITORING,
    AiOverview,
    AiSystem,
    CoverageCell,
    Gap,
    GapKind,
    ImpactAssessment,
    MatrixRequirement,
    SystemCoverage,
)
from fieldwork.app.domain.ids import AiSystemId, ControlId, DeviationId, TestId
from fieldwork.app.domain.judgements import Finding
from fieldwork.app.domain.records import EngagementDetails
from fieldwork.app.domain.vocabulary import RequirementKind, Status
from fieldwork.app.services.ai_systems import read_systems
from fieldwork.app.services.conclusions import Grounds
from fieldwork.app.services.impact_assessments import assessment_state, read_assessments
from fieldwork.app.services.status import TestState, combine
from fieldwork.app.storage.schema import (
    control_test,
    deviation,
    finding,
    finding_ai_system,
    finding_deviation,
    live,
    test_ai_system,
)


def examined(details: EngagementDetails) -> tuple[date, date] | None:
    """The days the examination covers: the period, or the as-of date (None while neither is set)."""
    start = details.period_start or details.as_of_date
    end = details.period_end or details.as_of_date
    return (start, end) if start and end else None


def matrix_requirements(grounds: Grounds) -> tuple[MatrixRequirement, ...]:
    """The clause 8 requirements and the Annex A controls in scope, in catalog order."""
    return tuple(
        MatrixRequirement(req.code, req.title, req.code in grounds.excluded)
        for req in grounds.scope
        if req.kind is RequirementKind.ANNEX_CONTROL or (req.kind is RequirementKind.SUBCLAUSE and req.code[:2] == "8.")
    )


def _grouped(conn: Connection, query: Select[Any]) -> dict[Any, set[Any]]:
    found: dict[Any, set[Any]] = defaultdict(set)
    for key, value in conn.execute(query):
        found[key].add(value)
    return found


class _Links:
    """Who is linked to which system, read once for the whole matrix."""

    def __init__(self, conn: Connection, systems: Sequence[AiSystem]) -> None:
        self.controls: dict[AiSystemId, frozenset[ControlId]] = {s.id: frozenset(s.control_ids) for s in systems}
        self.linked_anywhere = frozenset(c for s in systems for c in s.control_ids)
        self.tests_named: dict[TestId, set[AiSystemId]] = _grouped(
            conn, select(test_ai_system.c.test_id, test_ai_system.c.ai_system_id).where(live(test_ai_system))
        )
        self.deviations: dict[TestId, set[DeviationId]] = _grouped(
            conn, select(deviation.c.test_id, deviation.c.id).where(live(deviation))
        )
        self.attributed: dict[DeviationId, set[AiSystemId]] = _grouped(
            conn,
            select(finding_deviation.c.deviation_id, finding_ai_system.c.ai_system_id)
            .join(finding_ai_system, finding_ai_system.c.finding_id == finding_deviation.c.finding_id)
            .join(finding, finding.c.id == finding_deviation.c.finding_id)
            .where(live(finding_deviation), live(finding_ai_system), live(finding)),
        )
        concluded = select(control_test.c.id).where(control_test.c.conclusion.is_not(None), live(control_test))
        self.concluded = frozenset(conn.execute(concluded).scalars())

    def status_for(self, state: TestState, system_id: AiSystemId) -> Status:
        """A test's status as it bears on one system: a concluded test whose every deviation is attributed to other
        systems only found no exception in this one."""
        found = self.deviations.get(state.test_id, set())
        elsewhere = bool(found) and all(d in self.attributed and system_id not in self.attributed[d] for d in found)
        if state.status is Status.EXCEPTIONS and elsewhere and state.test_id in self.concluded:
            return Status.CONCLUDED
        return state.status


def _cell(grounds: Grounds, links: _Links, system: AiSystem, code: str) -> CoverageCell:
    serving = grounds.controls.get(code, ())
    mine = [c for c in serving if c in links.controls[system.id]]
    tests = [
        state
        for c in mine
        for state in grounds.tests.get(c, ())
        if system.id in links.tests_named.get(state.test_id, {system.id})
    ]
    statuses = [links.status_for(t, system.id) for t in tests] + [
        Status.NOT_STARTED for c in mine if c in grounds.awaiting
    ]
    status = combine(statuses) if statuses else Status.NOT_STARTED
    return CoverageCell(
        code=code,
        controls=tuple(grounds.control_refs[c] for c in mine),
        organization_wide=tuple(grounds.control_refs[c] for c in serving if c not in links.linked_anywhere),
        tests=tuple(grounds.test_refs[t.test_id] for t in tests),
        status=Status.EXCLUDED if code in grounds.excluded else status,
    )


def _serves(grounds: Grounds, controls: frozenset[ControlId], codes: Sequence[str]) -> bool:
    return any(c in controls for code in codes for c in grounds.controls.get(code, ()))


def _gaps(grounds: Grounds, links: _Links, found: SystemCoverage) -> tuple[Gap, ...]:
    system, state = found.system, found.assessment
    deployed = system.deployed_on.isoformat() if system.deployed_on else ""
    gaps = []
    if state.first_approved_on is None:
        recorded = f"; {state.count} recorded, none approved" if state.count else ""
        text = f"{system.name} ran in production (deployed {deployed}) without an approved impact assessment{recorded}."
        gaps.append(Gap(GapKind.NO_IMPACT_ASSESSMENT, text))
    elif state.late_by_days is not None:
        text = (
            f"{system.name} reached production on {deployed}; its first impact assessment was approved on "
            f"{state.first_approved_on.isoformat()}, {state.late_by_days} days later."
        )
        gaps.append(Gap(GapKind.LATE_IMPACT_ASSESSMENT, text))
    controls = links.controls[system.id]
    if not _serves(grounds, controls, MONITORING):
        serves = f"serves {', '.join(MONITORING)} (AI system operation and monitoring)"
        text = f"No control linked to {system.name} {serves}."
        gaps.append(Gap(GapKind.NO_MONITORING, text))
    if not _serves(grounds, controls, HUMAN_OVERSIGHT):
        text = (
            f"No control linked to {system.name} serves {', '.join(HUMAN_OVERSIGHT)} (use of AI systems), where "
            "human oversight of its outputs is documented."
        )
        gaps.append(Gap(GapKind.NO_HUMAN_OVERSIGHT, text))
    return tuple(gaps)


def coverage(
    conn: Connection,
    grounds: Grounds,
    details: EngagementDetails,
    systems: Sequence[AiSystem],
    assessments: Sequence[ImpactAssessment],
) -> tuple[SystemCoverage, ...]:
    """The matrix's rows, one per system in scope, with its gaps if it ran in production in the examination."""
    links = _Links(conn, systems)
    requirements = matrix_requirements(grounds)
    days = examined(details)
    found = []
    for system in systems:
        if not system.in_scope:
            continue
        running = days is not None and system.in_production(*days)
        row = SystemCoverage(
            system=system,
            in_production=running,
            assessment=assessment_state(system, assessments),
            cells=tuple(_cell(grounds, links, system, req.code) for req in requirements),
            gaps=(),
        )
        found.append(replace(row, gaps=_gaps(grounds, links, row)) if running else row)
    return tuple(found)


def concerned(grounds: Grounds, systems: Sequence[AiSystem], findings: Sequence[Finding]) -> dict[str, tuple[str, ...]]:
    """Per requirement in scope, the systems in scope whose controls serve it or whose findings are raised on it."""
    names: dict[str, dict[str, None]] = defaultdict(dict)
    in_scope = [s for s in systems if s.in_scope]
    for code, controls in grounds.controls.items():
        for system in in_scope:
            if set(controls) & set(system.control_ids):
                names[code][system.name] = None
    scoped = {s.id for s in in_scope}
    for found in findings:
        for key, name in zip(found.ai_system_ids, found.ai_systems, strict=True):
            for code in found.requirements:
                if key in scoped:
                    names[code][name] = None
    order = {s.name: n for n, s in enumerate(in_scope)}
    return {code: tuple(sorted(found, key=order.__getitem__)) for code, found in names.items()}


def read_ai_overview(
    conn: Connection, grounds: Grounds, details: EngagementDetails, findings: Sequence[Finding]
) -> AiOverview:
    """The inventory, its assessments and the coverage matrix in one read (the caller's snapshot)."""
    systems = read_systems(conn)
    assessments = read_assessments(conn)
    return AiOverview(
        systems=tuple(systems),
        assessments=tuple(assessments),
        requirements=matrix_requirements(grounds),
        coverage=coverage(conn, grounds, details, systems, assessments),
        concerned=concerned(grounds, systems, findings),
    )
