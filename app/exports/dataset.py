"""Everything an export shows, read in one snapshot through the same service queries as the screens.

The report (PDF and Word) and the workbook all render a `ReportData`; none runs a query of its own,
so the exports and the app cannot disagree about a figure. What counts as "in scope" and which tests a
report examines are defined here once, for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from fieldwork.app.domain.ai_systems import AiOverview
from fieldwork.app.domain.fairness import StoredFairnessResult
from fieldwork.app.domain.ids import ControlId, TestId
from fieldwork.app.domain.ipe import IpeRegister, IpeRule
from fieldwork.app.domain.judgements import Finding, Misstatement, OpinionWorksheet, RequirementConclusion
from fieldwork.app.domain.records import (
    Control,
    ControlTest,
    Deviation,
    EngagementDetails,
    EvidenceFile,
    FileFacts,
    HistoryEntry,
    Mapping,
    PbcRequest,
    Requirement,
    RequirementStatus,
    SampleItem,
    SoaLine,
    TeamMember,
    Tickmark,
)
from fieldwork.app.domain.report_inputs import ReportInputs, report_inputs
from fieldwork.app.domain.vocabulary import EngagementStage, ReportType, Status, TestKind
from fieldwork.app.domain.workpapers import Stage, Workpaper
from fieldwork.app.engagement import Engagement
from fieldwork.app.services import engagement as engagement_service
from fieldwork.app.services.ai_coverage import read_ai_overview
from fieldwork.app.services.controls import read_controls
from fieldwork.app.services.deviations import read_deviations
from fieldwork.app.services.evidence import read_evidence
from fieldwork.app.services.fairness_results import read_fairness_results
from fieldwork.app.services.finalizing import read_finalized
from fieldwork.app.services.history import read_history
from fieldwork.app.services.ipe import read_register
from fieldwork.app.services.judged import read_judgements
from fieldwork.app.services.overview import (
    GroupProgress,
    read_counts,
    read_groups,
    requirement_gaps,
    requirements_in_scope,
)
from fieldwork.app.services.pbc import read_pbc_requests
from fieldwork.app.services.requirements import read_mappings
from fieldwork.app.services.review_notes import ReviewNote, read_notes
from fieldwork.app.services.signables import ItemType
from fieldwork.app.services.signoffs import ItemSignOffs, read_signoffs
from fieldwork.app.services.soa import read_soa
from fieldwork.app.services.stage import read_stage
from fieldwork.app.services.status import control_statuses, read_awaiting_operating_test
from fieldwork.app.services.subservice import read_subservice
from fieldwork.app.services.testing import read_sample_items, read_tests
from fieldwork.app.services.unevidenced import read_tests_without_evidence
from fieldwork.app.services.workpapers import read_workpapers


@dataclass(frozen=True)
class ReportData:
    details: EngagementDetails
    facts: FileFacts
    file_name: str
    generated_at: str
    team: tuple[TeamMember, ...]
    tickmarks: tuple[Tickmark, ...]
    system_description: dict[str, str]
    requirements: tuple[Requirement, ...]
    statuses: dict[str, RequirementStatus]
    groups: tuple[GroupProgress, ...]
    counts: dict[str, int]
    controls: tuple[Control, ...]
    control_status: dict[ControlId, Status]
    #: Controls a Type 2 examination has tested for design only (`status.awaiting_operating_test`).
    awaiting_operating_test: frozenset[ControlId]
    tests: tuple[ControlTest, ...]
    sample_items: tuple[SampleItem, ...]
    deviations: tuple[Deviation, ...]
    soa: tuple[SoaLine, ...]
    mappings: tuple[Mapping, ...]
    history: tuple[HistoryEntry, ...]
    evidence: tuple[EvidenceFile, ...]
    pbc_requests: tuple[PbcRequest, ...]
    conclusions: tuple[RequirementConclusion, ...]
    findings: tuple[Finding, ...]
    misstatements: tuple[Misstatement, ...]
    worksheet: OpinionWorksheet
    #: The opinion per area, subservice organizations and complementary controls, as the wording takes them.
    inputs: ReportInputs = field(default_factory=ReportInputs)
    #: Every signable item's sign-offs (stale or not), by kind and key; and the review notes.
    signoffs: dict[ItemType, dict[str, ItemSignOffs]] = field(default_factory=dict)
    review_notes: tuple[ReviewNote, ...] = ()
    #: Concluded tests that no evidence file supports (`unevidenced.read_tests_without_evidence`), id to reference.
    tests_without_evidence: dict[TestId, str] = field(default_factory=dict)
    #: When the engagement was finalized (None while it is a draft).
    finalized_at: str | None = None
    #: What a review pack's rows are limited to (`review_pack.limit`), said on the Index; empty for everything.
    limited_to: str = ""
    #: The engagement's workpapers in index order, each with what it still misses (revision 0009).
    workpapers: tuple[Workpaper, ...] = ()
    #: The populations the tests rely on and the key reports, with their IPE assessments and the rule.
    ipe: IpeRegister = field(default_factory=lambda: IpeRegister((), (), IpeRule()))
    stage: Stage = field(default_factory=lambda: Stage(EngagementStage.PLANNING, ""))
    #: The AI system inventory, its impact assessments and the coverage matrix (`ai_coverage.read_ai_overview`).
    ai: AiOverview = field(default_factory=AiOverview)
    #: Fairness re-performances stored with their tests.
    fairness: tuple[StoredFairnessResult, ...] = ()

    @property
    def gaps(self) -> tuple[str, ...]:
        """In-scope requirements no control serves: shown and flagged, never dropped."""
        return requirement_gaps(self.statuses)

    @property
    def in_scope(self) -> tuple[str, ...]:
        """The requirements every output counts as in scope (`overview.requirements_in_scope`)."""
        return requirements_in_scope(self.statuses)

    @property
    def type2(self) -> bool:
        return self.details.report_type is ReportType.TYPE2

    def in_examination(self, test: ControlTest) -> bool:
        """Whether a test is part of the examination the report describes: a Type 1 examination is of design only,
        so tests of operating effectiveness recorded in the file stay in the workpapers, outside the report."""
        return self.type2 or test.kind is TestKind.DESIGN

    @property
    def reported_deviations(self) -> tuple[Deviation, ...]:
        """The exceptions the report states: those found by the tests it examines."""
        examined = {test.id for test in self.tests if self.in_examination(test)}
        return tuple(found for found in self.deviations if found.test_id in examined)

    def controls_for(self, code: str) -> list[Control]:
        return [c for c in self.controls if code in c.requirements]

    def tests_for(self, control_id: ControlId) -> list[ControlTest]:
        return [t for t in self.tests if t.control_id == control_id]

    def deviations_for(self, test_id: TestId) -> list[Deviation]:
        return [d for d in self.deviations if d.test_id == test_id]


def gather(db: Engagement) -> ReportData:
    """Read everything the exports need in one read transaction (one consistent snapshot)."""
    with db.reading() as conn:
        details = engagement_service.read_details(conn)
        judged = read_judgements(conn)
        scope = list(judged.grounds.scope)
        statuses = judged.grounds.statuses
        tests = read_tests(conn)
        workpapers = read_workpapers(conn, worksheet=judged.worksheet)
        data = ReportData(
            details=details,
            facts=engagement_service.read_facts(conn, db.encrypted),
            file_name=db.path.name,
            generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
            team=tuple(engagement_service.read_team(conn)),
            tickmarks=tuple(engagement_service.read_tickmarks(conn)),
            system_description=engagement_service.read_system_description(conn),
            requirements=tuple(scope),
            statuses=statuses,
            groups=tuple(read_groups(scope, statuses)),
            counts=read_counts(conn),
            controls=tuple(read_controls(conn)),
            control_status=control_statuses(conn, details.report_type),
            awaiting_operating_test=read_awaiting_operating_test(conn, details.report_type),
            tests=tuple(tests),
            sample_items=tuple(read_sample_items(conn)),
            deviations=tuple(read_deviations(conn)),
            soa=tuple(read_soa(conn)),
            mappings=tuple(read_mappings(conn)),
            history=tuple(read_history(conn)),
            evidence=tuple(read_evidence(conn)),
            pbc_requests=tuple(read_pbc_requests(conn)),
            conclusions=judged.conclusions,
            findings=judged.findings,
            misstatements=judged.misstatements,
            worksheet=judged.worksheet,
            inputs=report_inputs(judged.worksheet, read_subservice(conn)),
            signoffs={kind: read_signoffs(conn, kind) for kind in ItemType},
            review_notes=tuple(read_notes(conn)),
            tests_without_evidence=read_tests_without_evidence(conn),
            finalized_at=finalized.finalized_at if (finalized := read_finalized(conn)) else None,
            workpapers=tuple(workpapers),
            ipe=read_register(conn, tests),
            stage=read_stage(conn, tests, workpapers),
            ai=read_ai_overview(conn, judged.grounds, details, judged.findings),
            fairness=tuple(read_fairness_results(conn)),
        )
    return data
