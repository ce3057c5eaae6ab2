"""The judgements an opinion rests on: conclusions per requirement, ISO findings, misstatements, the opinion.

`../shared/design/JUDGEMENTS.md` is the model. Progress (`vocabulary.Status`, derived from the tests) is not
a conclusion: a conclusion is the auditor's, recorded with its basis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from fieldwork.app.domain.ids import AiSystemId, ControlId, DeviationId, EvidenceId, FindingId, MisstatementId
from fieldwork.app.domain.vocabulary import Framework, Labelled, Opinion, Status


class CriterionConclusion(Labelled):
    """The auditor's conclusion on one requirement in scope (a SOC 2 criterion or an ISO/IEC 42001 one)."""

    MET = "met", "Met"
    MET_WITH_EXCEPTIONS = "met_with_exceptions", "Met with exceptions"
    NOT_MET = "not_met", "Not met"
    NOT_RELEVANT = "not_relevant", "Not relevant"
    EXCLUDED = "excluded", "Excluded"
    NOT_CONCLUDED = "not_concluded", "Not concluded"


#: Conclusions that say the requirement is met, which open tests cannot support.
MET_CONCLUSIONS = frozenset({CriterionConclusion.MET, CriterionConclusion.MET_WITH_EXCEPTIONS})


class DeviationNature(Labelled):
    ISOLATED = "isolated", "Isolated"
    SYSTEMATIC = "systematic", "Systematic"
    OVERRIDE = "override", "Management override"
    FRAUD_INDICATOR = "fraud_indicator", "Indicator of fraud"


class FindingKind(Labelled):
    """ISO/IEC 17021-1 grades, for the findings register only; the attestation report never uses them."""

    MAJOR = "major_nonconformity", "Major nonconformity"
    MINOR = "minor_nonconformity", "Minor nonconformity"
    OBSERVATION = "observation", "Observation"
    OFI = "opportunity_for_improvement", "Opportunity for improvement"

    @property
    def nonconformity(self) -> bool:
        """Nonconformities need clause 10.2's corrective action; observations and OFIs do not."""
        return self in (FindingKind.MAJOR, FindingKind.MINOR)


class FindingStatus(Labelled):
    """Clause 10.2's life cycle: action planned, implemented, verified effective, closed."""

    OPEN = "open", "Open"
    ACTION_PLANNED = "action_planned", "Corrective action planned"
    IMPLEMENTED = "implemented", "Implemented, awaiting verification"
    VERIFIED = "verified", "Verified effective"
    CLOSED = "closed", "Closed"


#: Statuses of a finding no longer open for the opinion worksheet.
SETTLED = frozenset({FindingStatus.VERIFIED, FindingStatus.CLOSED})


class OpinionArea(Labelled):
    """What an examination opines on, judged separately (JUDGEMENTS.md section 3)."""

    DESCRIPTION = "description", "Description of the system"
    DESIGN = "design", "Suitability of design"
    OPERATION = "operation", "Operating effectiveness"


#: Opinions from least to most severe: the combined proposal is the most severe of its parts.
SEVERITY = (Opinion.UNMODIFIED, Opinion.QUALIFIED, Opinion.ADVERSE, Opinion.DISCLAIMER)


def most_severe(opinions: list[Opinion]) -> Opinion:
    return max(opinions, key=SEVERITY.index, default=Opinion.UNMODIFIED)


# --- records -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConclusionInput:
    """What the auditor records on a requirement: the conclusion, its basis, what it considered."""

    conclusion: CriterionConclusion
    basis: str = ""
    deviations: tuple[DeviationId, ...] = ()
    compensating_controls: tuple[ControlId, ...] = ()


@dataclass(frozen=True)
class RequirementConclusion:
    """A requirement's conclusion beside its progress, with what it rests on.

    `unsupported` says why a recorded conclusion no longer holds on what the file now shows (a test reopened,
    a deviation found after "met"); it is derived on every read, never stored.
    """

    code: str
    title: str
    framework: Framework
    conclusion: CriterionConclusion
    basis: str
    progress: Status
    deviations: tuple[str, ...]
    findings: tuple[str, ...]
    compensating_controls: tuple[str, ...]
    controls: tuple[str, ...]
    unsupported: str = ""


@dataclass(frozen=True)
class FindingInput:
    kind: FindingKind
    statement: str
    requirements: tuple[str, ...]
    objective_evidence: str = ""
    deviations: tuple[DeviationId, ...] = ()
    correction: str = ""
    root_cause: str = ""
    corrective_action: str = ""
    owner: str = ""
    due_date: date | None = None
    status: FindingStatus = FindingStatus.OPEN
    verified_by: str = ""
    verified_on: date | None = None
    verification: str = ""
    closed_on: date | None = None
    #: The AI systems the finding concerns, where it concerns particular ones; None leaves them as they are.
    ai_systems: tuple[AiSystemId, ...] | None = None


@dataclass(frozen=True)
class Finding:
    id: FindingId
    ref: str
    kind: FindingKind
    statement: str
    requirements: tuple[str, ...]
    objective_evidence: str
    deviations: tuple[str, ...]
    evidence: tuple[str, ...]
    correction: str
    root_cause: str
    corrective_action: str
    owner: str
    due_date: date | None
    status: FindingStatus
    verified_by: str
    verified_on: date | None
    verification: str
    closed_on: date | None
    deviation_ids: tuple[DeviationId, ...] = ()
    evidence_ids: tuple[EvidenceId, ...] = ()
    #: The prior period's finding this one follows up (rolled forward), if it is one.
    predecessor_id: UUID | None = None
    #: The names of the AI systems it concerns, and their ids.
    ai_systems: tuple[str, ...] = ()
    ai_system_ids: tuple[AiSystemId, ...] = ()

    @property
    def open(self) -> bool:
        return self.status not in SETTLED

    @property
    def prior_period(self) -> bool:
        """A prior-period finding to follow up: raised last period, its corrective action verified in this one."""
        return self.predecessor_id is not None


@dataclass(frozen=True)
class MisstatementInput:
    section: str
    description: str
    material: bool = False
    corrected: bool = False


@dataclass(frozen=True)
class Misstatement:
    id: MisstatementId
    ref: str
    section: str
    description: str
    material: bool
    corrected: bool


@dataclass(frozen=True)
class OpinionJudgement:
    """The recorded opinion on one area, and the auditor's judgement of pervasiveness behind a proposal."""

    area: OpinionArea
    kind: Opinion
    basis: str
    pervasive: bool
    departure_reason: str


@dataclass(frozen=True)
class Matter:
    """One thing the opinion must weigh, and the areas and framework it bears on."""

    kind: str
    text: str
    areas: tuple[OpinionArea, ...]
    framework: Framework | None = None
    requirements: tuple[str, ...] = ()


@dataclass(frozen=True)
class AreaProposal:
    area: OpinionArea
    framework: Framework
    proposed: Opinion
    matters: tuple[str, ...]


@dataclass(frozen=True)
class OpinionWorksheet:
    """Everything the opinion must weigh, the opinion the file proposes, and whether the recorded one is supported.

    `reasons` is what a draft prints beside an opinion the file does not support ("9 tests open", ...).
    """

    matters: tuple[Matter, ...]
    proposals: tuple[AreaProposal, ...]
    recorded: tuple[OpinionJudgement, ...]
    reasons: tuple[str, ...]

    @property
    def supported(self) -> bool:
        return not self.reasons

    def proposed(self, area: OpinionArea) -> Opinion:
        """The proposal for an area over both frameworks: the most severe."""
        return most_severe([p.proposed for p in self.proposals if p.area is area])

    def recorded_for(self, area: OpinionArea) -> OpinionJudgement:
        return next(r for r in self.recorded if r.area is area)

    @property
    def overall_recorded(self) -> Opinion:
        return most_severe([r.kind for r in self.recorded])

    @property
    def overall_proposed(self) -> Opinion:
        return most_severe([p.proposed for p in self.proposals])
