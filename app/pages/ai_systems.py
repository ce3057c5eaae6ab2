"""The AI systems page: the inventory, each system's impact assessments, links and gaps, and the coverage matrix.

One read gives the page everything, including what can be linked to a system (controls, their tests, findings), so
choosing a system or opening a picker asks nothing more of the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import Connection

from fieldwork.app.domain.ai_systems import AiOverview, AiSystem, ImpactAssessment, SystemCoverage
from fieldwork.app.domain.ids import AiSystemId, ControlId
from fieldwork.app.engagement import Engagement
from fieldwork.app.services.ai_coverage import examined, read_ai_overview
from fieldwork.app.services.conclusions import read_grounds
from fieldwork.app.services.controls import read_controls
from fieldwork.app.services.engagement import read_details
from fieldwork.app.services.findings import read_findings
from fieldwork.app.services.testing import read_tests


@dataclass(frozen=True)
class Choice:
    """Something that can be linked to a system: a control, a test (with its control) or a finding."""

    id: UUID
    ref: str
    title: str
    control_id: ControlId | None = None

    @property
    def label(self) -> str:
        return f"{self.ref}  {self.title}"


@dataclass(frozen=True)
class AiSystemsPage:
    overview: AiOverview
    #: The days the examination covers, as the page says which systems ran in production in it.
    examined: str
    controls: tuple[Choice, ...]
    tests: tuple[Choice, ...]
    findings: tuple[Choice, ...]

    @property
    def systems(self) -> tuple[AiSystem, ...]:
        return self.overview.systems

    def system(self, system_id: AiSystemId) -> AiSystem | None:
        return next((s for s in self.overview.systems if s.id == system_id), None)

    def assessments_of(self, system_id: AiSystemId) -> tuple[ImpactAssessment, ...]:
        return tuple(found for found in self.overview.assessments if found.ai_system_id == system_id)

    def coverage_of(self, system_id: AiSystemId) -> SystemCoverage | None:
        return self.overview.coverage_of(system_id)

    def tests_for(self, system: AiSystem) -> tuple[Choice, ...]:
        """The tests a system's controls have: the only ones it can name."""
        return tuple(test for test in self.tests if test.control_id in system.control_ids)


def _days(days: tuple[date, date] | None) -> str:
    if days is None:
        return "not set"
    start, end = days
    return start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"


def read_ai_systems_page(conn: Connection) -> AiSystemsPage:
    details = read_details(conn)
    findings = read_findings(conn)
    return AiSystemsPage(
        overview=read_ai_overview(conn, read_grounds(conn), details, findings),
        examined=_days(examined(details)),
        controls=tuple(Choice(c.id, c.ref, c.title) for c in read_controls(conn)),
        tests=tuple(Choice(t.id, t.ref, t.kind.label, t.control_id) for t in read_tests(conn)),
        findings=tuple(Choice(f.id, f.ref, f.statement) for f in findings),
    )


def ai_systems_page(db: Engagement) -> AiSystemsPage:
    with db.reading() as conn:
        return read_ai_systems_page(conn)
