"""Plain, frozen records the services return. No ORM object ever leaves `app/`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from fieldwork.app.domain.ids import (
    ControlId,
    DeviationId,
    EvidenceId,
    PbcRequestId,
    PersonId,
    SampleItemId,
    TestId,
)
from fieldwork.app.domain.judgements import DeviationNature
from fieldwork.app.domain.over_time import Span, TestRound
from fieldwork.app.domain.vocabulary import (
    Conclusion,
    ControlType,
    Framework,
    Frequency,
    ImplementationStatus,
    Method,
    Nature,
    Relationship,
    ReportType,
    RequirementKind,
    Role,
    SampleResult,
    Selection,
    Status,
    TestKind,
)


@dataclass(frozen=True)
class TeamMember:
    name: str
    initials: str
    role: Role
    id: PersonId | None = None


@dataclass(frozen=True)
class EngagementDetails:
    """What an auditor enters about the engagement; validated by the engagement service."""

    client: str
    system_name: str
    report_type: ReportType
    period_start: date | None = None
    period_end: date | None = None
    as_of_date: date | None = None
    tsc_categories: tuple[str, ...] = ("Security",)
    iso_scope: str = ""
    report_release_date: date | None = None
    documentation_completion_date: date | None = None
    auditor_firm: str = ""
    auditor_city: str = ""
    #: Days from the report release date to documentation completion (AICPA 60; 45 or 14 where a firm's policy
    #: or PCAOB work asks), years the file is retained, and whether one member may prepare and review an item.
    completion_days: int = 60
    retention_years: int = 5
    allow_self_review: bool = False

    @property
    def period(self) -> Span | None:
        """The Type 2 period as days; a Type 1 examination is as of a date and has none."""
        if self.report_type is not ReportType.TYPE2 or not self.period_start or not self.period_end:
            return None
        return Span(self.period_start, self.period_end)

    @property
    def period_label(self) -> str:
        if self.report_type is ReportType.TYPE1:
            return f"as of {self.as_of_date.isoformat() if self.as_of_date else '(no date)'}"
        start = self.period_start.isoformat() if self.period_start else "?"
        end = self.period_end.isoformat() if self.period_end else "?"
        return f"{start} to {end}"


@dataclass(frozen=True)
class FileFacts:
    """Facts about the file itself, for the title bar, `info` and the exports."""

    engagement_id: str
    encrypted: bool
    created_with: str
    created_at: str
    catalog_versions: dict[str, str]
    #: For an engagement rolled forward: the prior period's engagement id and its file's SHA-256.
    rolled_from_engagement_id: str | None = None
    rolled_from_sha256: str | None = None


@dataclass(frozen=True)
class Tickmark:
    symbol: str
    meaning: str


@dataclass(frozen=True)
class Requirement:
    code: str
    framework: Framework
    kind: RequirementKind
    title: str
    description: str
    parent: str | None
    category: str | None
    group: str | None

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}"


@dataclass(frozen=True)
class Mapping:
    iso_code: str
    soc2_code: str
    relationship: Relationship
    rationale: str
    origin: str
    active: bool


@dataclass(frozen=True)
class ControlInput:
    title: str
    description: str = ""
    owner: str = ""
    frequency: Frequency = Frequency.ON_OCCURRENCE
    nature: Nature = Nature.MANUAL
    control_type: ControlType = ControlType.PREVENTIVE
    is_key: bool = True


@dataclass(frozen=True)
class Control:
    id: ControlId
    ref: str
    title: str
    description: str
    owner: str
    frequency: Frequency
    nature: Nature
    control_type: ControlType
    is_key: bool
    requirements: tuple[str, ...] = ()
    #: When it was in operation (None: throughout), the control it replaced and the one that replaced it.
    effective_from: date | None = None
    effective_to: date | None = None
    replaces_id: ControlId | None = None
    replaces_ref: str | None = None
    replaced_by_ref: str | None = None
    #: The prior period's control it was rolled forward from.
    predecessor_id: UUID | None = None


@dataclass(frozen=True)
class Suggestion:
    """A requirement the crosswalk proposes for a control, and the link it comes from."""

    code: str
    title: str
    via: str
    relationship: Relationship
    rationale: str


@dataclass(frozen=True)
class TestPlan:
    kind: TestKind
    procedure: str = ""
    methods: tuple[Method, ...] = ()
    population: str = ""
    population_size: int | None = None
    sample_size: int | None = None
    selection: Selection | None = None
    seed: int | None = None


@dataclass(frozen=True)
class ControlTest:
    id: TestId
    ref: str
    control_id: ControlId
    control_ref: str
    kind: TestKind
    procedure: str
    methods: tuple[Method, ...]
    population: str
    population_size: int | None
    sample_size: int | None
    selection: Selection | None
    seed: int | None
    conclusion: Conclusion | None
    conclusion_note: str
    status: Status
    items_total: int = 0
    items_with_result: int = 0
    items_with_deviation: int = 0
    deviation_count: int = 0
    round: TestRound | None = None
    #: The test's own window as recorded (None: the period while the control was in operation) ...
    window_start: date | None = None
    window_end: date | None = None
    #: ... and the days it covers (None in a Type 1 examination, which is as of a date).
    window: Span | None = None
    predecessor_id: UUID | None = None


@dataclass(frozen=True)
class SampleItemInput:
    identifier: str
    item_date: date | None = None
    result: SampleResult | None = None
    tickmarks: str = ""
    deviation_text: str = ""


@dataclass(frozen=True)
class SampleItem:
    id: SampleItemId
    test_id: TestId
    seq: int
    identifier: str
    item_date: date | None
    result: SampleResult | None
    tickmarks: str
    deviation_text: str


@dataclass(frozen=True)
class DeviationInput:
    """A deviation and the auditor's evaluation of it (JUDGEMENTS.md section 2)."""

    description: str
    root_cause: str = ""
    management_response: str = ""
    effect: str = ""
    sample_items: tuple[SampleItemId, ...] = ()
    nature: DeviationNature | None = None
    expected_deviations: int | None = None
    extended: bool = False
    extension_result: str = ""
    evaluation: str = ""


@dataclass(frozen=True)
class Deviation:
    id: DeviationId
    ref: str
    test_id: TestId
    test_ref: str
    control_ref: str
    description: str
    root_cause: str
    management_response: str
    effect: str
    requirements: tuple[str, ...] = ()
    #: The sample items it was found in ("#3"), of the test's `sample` items.
    sample_items: tuple[str, ...] = ()
    sample_item_ids: tuple[SampleItemId, ...] = ()
    sample: int = 0
    nature: DeviationNature | None = None
    expected_deviations: int | None = None
    extended: bool = False
    extension_result: str = ""
    evaluation: str = ""

    @property
    def found(self) -> int:
        return len(self.sample_items)

    @property
    def rate_label(self) -> str:
        """ "2 of 25 (8.0%)", or "" when no sample item is named."""
        if not self.found or not self.sample:
            return ""
        return f"{self.found} of {self.sample} ({100 * self.found / self.sample:.1f}%)"


@dataclass(frozen=True)
class SoaLine:
    annex_code: str
    title: str
    included: bool
    justification: str
    implementation_status: ImplementationStatus | None
    controls: tuple[str, ...]
    status: Status


@dataclass(frozen=True)
class RequirementStatus:
    """A requirement's derived state, with the counts behind it."""

    code: str
    status: Status
    controls: int
    tests: int
    tests_concluded: int
    tests_with_exceptions: int
    gap: bool = False
    #: Linked controls a Type 2 examination has tested for design only (see `status.awaiting_operating_test`).
    awaiting_operating_test: int = 0

    @property
    def awaiting_note(self) -> str:
        """Shown beside the test counts, so it is clear why concluded design work leaves the status open."""
        count = self.awaiting_operating_test
        if not count:
            return ""
        return f"{count} control(s) tested for design only, awaiting a test of operating effectiveness"


@dataclass(frozen=True)
class StatusCounts:
    not_started: int = 0
    in_progress: int = 0
    exceptions: int = 0
    concluded: int = 0
    excluded: int = 0

    @property
    def in_scope(self) -> int:
        return self.not_started + self.in_progress + self.exceptions + self.concluded


@dataclass(frozen=True)
class HistoryEntry:
    origin: UUID
    seq: int
    at_utc: str
    person: str
    action: str
    item_type: str
    item_id: str
    old_values: dict[str, object] | None
    new_values: dict[str, object] | None


@dataclass(frozen=True)
class ValidationResult:
    warnings: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PbcRequest:
    id: PbcRequestId
    ref: str
    request: str
    requested_of: str
    due_date: date | None
    status: str
    received_date: date | None
    evidence_count: int = 0
    #: Derived when read: due before that day and not received.
    overdue: bool = False


@dataclass(frozen=True)
class EvidenceFile:
    """One attached file: its metadata, fingerprint, and the items it supports."""

    id: EvidenceId
    ref: str
    original_name: str
    size: int
    media_type: str
    sha256: str
    received_date: date | None
    provided_by: str
    pbc_ref: str | None
    attached_by: str
    attached_at: str
    used_by: tuple[str, ...] = ()
    #: A document of the prior period, carried forward with the controls it supports.
    prior_period: bool = False
