"""AI systems: the client's inventory, their impact assessments, and what the engagement's work covers of each.

ISO/IEC 42001 is about the AI systems an organization develops, provides or uses; SOC 2 knows none of them. An
inventory record says what a system is for, who it affects, where it is in its life cycle (with dates), the
models and data sets it is built from and where they came from, and whether the AI management system covers it.
Controls, tests, findings, evidence and impact assessments link to it, so the work can be read per system.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date

from fieldwork.app.domain.ids import AiSystemId, ControlId, FindingId, ImpactAssessmentId, TestId
from fieldwork.app.domain.vocabulary import Labelled, Status


class AiRole(Labelled):
    """The organization's role for the system (ISO/IEC 22989 5.19): it may hold more than one."""

    DEVELOPER = "developer", "Developer"
    PROVIDER = "provider", "Provider"
    USER = "user", "User"


class RiskLevel(Labelled):
    """The organization's own rating of the system's risk (its risk assessment, 6.1.2, decides it)."""

    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class LifeCycleStage(Labelled):
    """Where a system is in its life cycle (A.6.2), in order; each stage has the date it was reached."""

    DESIGN = "design", "Design"
    DEVELOPMENT = "development", "Development"
    VERIFICATION = "verification", "Verification and validation"
    DEPLOYED = "deployed", "Deployed"
    RETIRED = "retired", "Retired"

    @property
    def date_field(self) -> str:
        """The inventory field that holds the date the stage was reached."""
        return f"{self.value}_on"


STAGES = tuple(LifeCycleStage)

#: Annex A controls whose controls count as monitoring the system in operation: A.6.2.6, "AI system operation and
#: monitoring" (performance, drift and errors in production). 9.1 measures the management system, not a system.
MONITORING = ("A.6.2.6",)

#: Annex A controls whose controls count as documented human oversight of the system's use: the A.9 controls, "Use
#: of AI systems" (processes for responsible use, its objectives (human review among them), and intended use).
#: Annex A has no control named "human oversight"; A.9 is where the standard puts the people who use the outputs.
HUMAN_OVERSIGHT = ("A.9.2", "A.9.3", "A.9.4")


@dataclass(frozen=True)
class Component:
    """A model or a data set a system uses, and where it came from (trained in-house, a vendor, a public set)."""

    name: str
    provenance: str = ""

    @property
    def text(self) -> str:
        return f"{self.name}: {self.provenance}" if self.provenance else self.name


_PARENTHESIS = re.compile(r"^(?P<name>.+?)\s*\((?P<provenance>[^()]*)\)$")
_SEPARATORS = re.compile(r"[;\n]")


def parse_components(text: str) -> tuple[Component, ...]:
    """Models or data sets written as people write them in an inventory: one per line or separated by semicolons,
    each "name: provenance" or "name (provenance)"; a name alone has no provenance recorded."""
    found = []
    for part in _SEPARATORS.split(text):
        item = part.strip()
        if not item:
            continue
        if match := _PARENTHESIS.match(item):
            found.append(Component(match["name"].strip(), match["provenance"].strip()))
        elif ":" in item:
            name, provenance = item.split(":", 1)
            found.append(Component(name.strip(), provenance.strip()))
        else:
            found.append(Component(item))
    return tuple(found)


def components_text(components: tuple[Component, ...]) -> str:
    """The components one per line, as `parse_components` reads them back."""
    return "\n".join(component.text for component in components)


@dataclass(frozen=True)
class AiSystemInput:
    """An inventory record as the auditor types it or the client's spreadsheet gives it."""

    name: str
    purpose: str = ""
    roles: tuple[AiRole, ...] = ()
    affected: str = ""
    risk_level: RiskLevel | None = None
    stage: LifeCycleStage = LifeCycleStage.DESIGN
    design_on: date | None = None
    development_on: date | None = None
    verification_on: date | None = None
    deployed_on: date | None = None
    retired_on: date | None = None
    models: tuple[Component, ...] = ()
    datasets: tuple[Component, ...] = ()
    owner: str = ""
    in_scope: bool = True
    scope_reason: str = ""

    def stage_date(self, stage: LifeCycleStage) -> date | None:
        found: date | None = getattr(self, stage.date_field)
        return found


@dataclass(frozen=True, kw_only=True)
class AiSystem(AiSystemInput):
    """An inventory record with what links to it (controls, tests and findings by reference)."""

    id: AiSystemId
    ref: str
    controls: tuple[str, ...] = ()
    control_ids: tuple[ControlId, ...] = ()
    tests: tuple[str, ...] = ()
    test_ids: tuple[TestId, ...] = ()
    findings: tuple[str, ...] = ()
    finding_ids: tuple[FindingId, ...] = ()
    evidence: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.ref} {self.name}"

    @property
    def roles_text(self) -> str:
        return ", ".join(role.label for role in self.roles)

    def as_input(self) -> AiSystemInput:
        return AiSystemInput(**{each.name: getattr(self, each.name) for each in fields(AiSystemInput)})

    def in_production(self, start: date, end: date) -> bool:
        """Whether the system ran in production at some time from `start` to `end` (the period, or the as-of date
        twice): deployed by the end, not retired before the start."""
        deployed = self.deployed_on is not None and self.deployed_on <= end
        return deployed and (self.retired_on is None or self.retired_on >= start)


@dataclass(frozen=True)
class ImpactAssessmentInput:
    """An AI system impact assessment (A.5): who assessed what, what it found, and who approved it when."""

    assessed_on: date
    assessor: str
    reference: str = ""
    individuals: str = ""
    societal: str = ""
    results: str = ""
    approved_by: str = ""
    approved_on: date | None = None
    next_review: date | None = None


@dataclass(frozen=True, kw_only=True)
class ImpactAssessment(ImpactAssessmentInput):
    id: ImpactAssessmentId
    ai_system_id: AiSystemId
    #: The system's name, for lists of assessments of several systems.
    system: str

    @property
    def approved(self) -> bool:
        return self.approved_on is not None

    @property
    def label(self) -> str:
        return self.reference or f"assessed {self.assessed_on.isoformat()}"


class GapKind(Labelled):
    """What a system in production lacks, as the coverage matrix flags it."""

    NO_IMPACT_ASSESSMENT = "no_impact_assessment", "No approved impact assessment"
    LATE_IMPACT_ASSESSMENT = "late_impact_assessment", "In production before its impact assessment"
    NO_MONITORING = "no_monitoring", "No monitoring"
    NO_HUMAN_OVERSIGHT = "no_human_oversight", "No human oversight documented"


@dataclass(frozen=True)
class Gap:
    kind: GapKind
    text: str


@dataclass(frozen=True)
class AssessmentState:
    """A system's impact assessments in one line: the first approval (lateness) and the latest (its review)."""

    count: int
    first_approved_on: date | None
    latest: ImpactAssessment | None
    late_by_days: int | None

    @property
    def late(self) -> bool:
        return self.late_by_days is not None


@dataclass(frozen=True)
class CoverageCell:
    """One system and one requirement: the controls linked to both, the tests of them that count for the system,
    and where those tests stand. `organization_wide` names controls serving the requirement that are linked to no
    AI system: shown, never counted as covering a system."""

    code: str
    controls: tuple[str, ...]
    organization_wide: tuple[str, ...]
    tests: tuple[str, ...]
    status: Status

    @property
    def covered(self) -> bool:
        return bool(self.controls)

    @property
    def tested(self) -> bool:
        return self.status in (Status.CONCLUDED, Status.EXCEPTIONS)

    @property
    def result(self) -> str:
        """In words: not covered, covered but not tested, or the tests' status."""
        if self.status is Status.EXCLUDED:
            return "Excluded in the SoA"
        if not self.covered:
            return "Not covered"
        if not self.tests:
            return "Covered, no test"
        return {
            Status.CONCLUDED: "Tested, no exceptions",
            Status.EXCEPTIONS: "Tested, exceptions",
            Status.IN_PROGRESS: "Testing in progress",
        }.get(self.status, "Not yet tested")

    @property
    def text(self) -> str:
        """The cell as the page and the workbook show it: "C-040, C-041: Tested, exceptions", and on a line of its
        own the organization-wide controls serving the requirement."""
        shown = f"{', '.join(self.controls)}: {self.result}" if self.covered else self.result
        wide = f"\nOrganization-wide: {', '.join(self.organization_wide)}" if self.organization_wide else ""
        return shown + wide


@dataclass(frozen=True)
class SystemCoverage:
    system: AiSystem
    in_production: bool
    assessment: AssessmentState
    cells: tuple[CoverageCell, ...]
    gaps: tuple[Gap, ...]

    def cell(self, code: str) -> CoverageCell:
        return next(cell for cell in self.cells if cell.code == code)

    @property
    def covered(self) -> int:
        return sum(cell.covered for cell in self.cells)

    @property
    def tested(self) -> int:
        return sum(cell.covered and cell.tested for cell in self.cells)

    @property
    def with_exceptions(self) -> int:
        return sum(cell.covered and cell.status is Status.EXCEPTIONS for cell in self.cells)


@dataclass(frozen=True)
class MatrixRequirement:
    code: str
    title: str
    excluded: bool


@dataclass(frozen=True)
class AiOverview:
    """The inventory, the assessments and the coverage matrix, read in one snapshot for the page and the exports."""

    systems: tuple[AiSystem, ...] = ()
    assessments: tuple[ImpactAssessment, ...] = ()
    requirements: tuple[MatrixRequirement, ...] = ()
    coverage: tuple[SystemCoverage, ...] = ()
    #: Per requirement code, the names of the systems whose controls serve it or whose findings are raised on it.
    concerned: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def in_scope(self) -> tuple[AiSystem, ...]:
        return tuple(system for system in self.systems if system.in_scope)

    def coverage_of(self, system_id: AiSystemId) -> SystemCoverage | None:
        return next((found for found in self.coverage if found.system.id == system_id), None)

    def systems_concerned(self, code: str) -> tuple[str, ...]:
        return self.concerned.get(code, ())

    @property
    def gaps(self) -> int:
        return sum(len(found.gaps) for found in self.coverage)
