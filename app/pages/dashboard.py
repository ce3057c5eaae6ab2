"""The dashboard: progress per framework and group, open items, the exceptions, and where the judgements stand
(conclusions by kind per framework, open findings by kind, whether the file supports the opinion recorded), and
review (open notes, items changed after review, the days left to assemble the documentation once released)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from fieldwork.app.domain.judgements import CriterionConclusion, FindingKind, OpinionWorksheet
from fieldwork.app.domain.records import Deviation, EngagementDetails, RequirementStatus, StatusCounts
from fieldwork.app.domain.targets import Page, Target
from fieldwork.app.domain.vocabulary import Framework, Status
from fieldwork.app.domain.workpapers import CompletionItem, Stage, completion_item
from fieldwork.app.engagement import Engagement
from fieldwork.app.pages.review import ReviewSummary, read_review_summary
from fieldwork.app.services.controls import read_controls
from fieldwork.app.services.deviations import read_deviations
from fieldwork.app.services.engagement import read_details
from fieldwork.app.services.judged import read_judgements
from fieldwork.app.services.overview import GroupProgress, read_counts, read_groups
from fieldwork.app.services.stage import read_stage
from fieldwork.app.services.status import count
from fieldwork.app.services.testing import read_tests
from fieldwork.app.services.unevidenced import read_tests_without_evidence
from fieldwork.app.services.workpapers import read_workpapers


@dataclass(frozen=True)
class DashboardPage:
    details: EngagementDetails
    counts: dict[str, int]
    groups: tuple[GroupProgress, ...]
    statuses: dict[str, RequirementStatus]
    titles: dict[str, str]
    gaps: tuple[str, ...]
    deviations: tuple[Deviation, ...]
    conclusions: dict[Framework, dict[CriterionConclusion, int]]
    open_findings: dict[FindingKind, int]
    worksheet: OpinionWorksheet
    totals: dict[Framework, StatusCounts]
    review: ReviewSummary
    stage: Stage
    #: The completion items finalizing checks, each saying whether it is complete.
    completion: tuple[CompletionItem, ...]
    #: Controls with no test yet, and tests not concluded, by reference (what the next step names).
    untested_controls: tuple[str, ...] = ()
    open_tests: tuple[str, ...] = ()
    #: Requirements in scope the auditor has not concluded on, in catalog order.
    not_concluded: tuple[str, ...] = ()

    @property
    def open_completion_items(self) -> int:
        return sum(not item.complete for item in self.completion)

    #: Concluded tests no evidence file supports (`unevidenced.read_tests_without_evidence`).
    tests_without_evidence: int = 0


def read_dashboard_page(conn: Connection) -> DashboardPage:
    judged = read_judgements(conn)
    scope, statuses = list(judged.grounds.scope), judged.grounds.statuses
    framework_of = {r.code: r.framework for r in scope}
    workpapers = read_workpapers(conn, worksheet=judged.worksheet)
    tests = read_tests(conn)
    conclusions = {
        framework: dict(Counter(c.conclusion for c in judged.conclusions if c.framework is framework))
        for framework in Framework
    }
    return DashboardPage(
        details=read_details(conn),
        counts=read_counts(conn),
        groups=tuple(read_groups(scope, statuses)),
        statuses=statuses,
        titles={r.code: r.title for r in scope},
        gaps=tuple(code for code, s in statuses.items() if s.gap and s.status is not Status.EXCLUDED),
        deviations=tuple(read_deviations(conn)),
        conclusions=conclusions,
        open_findings=dict(Counter(f.kind for f in judged.findings if f.open)),
        worksheet=judged.worksheet,
        totals={f: count(s.status for s in statuses.values() if framework_of[s.code] is f) for f in Framework},
        tests_without_evidence=len(read_tests_without_evidence(conn)),
        review=read_review_summary(conn),
        stage=read_stage(conn, workpapers=workpapers),
        completion=tuple(completion_item(w) for w in workpapers if w.fields.completion_item),
        untested_controls=tuple(c.ref for c in read_controls(conn) if c.id not in {t.control_id for t in tests}),
        open_tests=tuple(t.ref for t in tests if t.conclusion is None),
        not_concluded=tuple(c.code for c in judged.conclusions if c.conclusion is CriterionConclusion.NOT_CONCLUDED),
    )


@dataclass(frozen=True)
class NextStep:
    """What to do next, and the page that does it."""

    text: str
    opens: Target


def next_step(page: DashboardPage) -> NextStep:
    """The first thing still to do, in the order an engagement is worked: controls, links, tests, results,
    deviations' responses, conclusions, the opinion, the report."""
    if not page.counts.get("controls"):
        return NextStep(
            "Add the client's controls: Edit > New control (Ctrl+Shift+N), or start from the ISO/IEC 42001 "
            "readiness page's templates.",
            Target(Page.READINESS),
        )
    if page.gaps:
        gap = Target(Page.REQUIREMENT, page.gaps[0])
        return NextStep(f"{_count(page.gaps, 'requirement')} no control: link one from its page.", gap)
    if page.untested_controls:
        return NextStep(f"{_count(page.untested_controls, 'control')} no test yet (first: "
                        f"{page.untested_controls[0]}): open it and add a test.", Target(Page.MATRIX))  # fmt: skip
    if page.open_tests:
        open_tests = _count(page.open_tests, "test", ("is", "are"))
        return NextStep(
            f"{open_tests} not concluded yet (first: {page.open_tests[0]}): record the results and conclude.",
            Target(Page.MATRIX),
        )
    unanswered = [d for d in page.deviations if not d.management_response]
    if unanswered:
        return NextStep(f"{_count(unanswered, 'deviation')} no management response (first: "
                        f"{unanswered[0].ref}).", Target(Page.FINDINGS))  # fmt: skip
    open_codes = _ready_to_conclude(page)
    if open_codes:
        return NextStep(f"{_count(open_codes, 'requirement')} no conclusion yet: conclude each on its page.",
                        Target(Page.REQUIREMENT, open_codes[0]))  # fmt: skip
    if not page.worksheet.supported:
        return NextStep("Record the opinion the file supports on the opinion worksheet.", Target(Page.OPINION))
    return NextStep("Everything is concluded: export the draft report (File > Export, Ctrl+E).", Target(Page.DASHBOARD))


def _count(things: Sequence[object], noun: str, verbs: tuple[str, str] = ("has", "have")) -> str:
    """A count with its noun and the verb that agrees ("1 test is", "9 tests are")."""
    return f"1 {noun} {verbs[0]}" if len(things) == 1 else f"{len(things)} {noun}s {verbs[1]}"


def _ready_to_conclude(page: DashboardPage) -> list[str]:
    """Requirements whose testing is done (concluded or with exceptions) that the auditor has not concluded."""
    done = {code for code, s in page.statuses.items() if s.status in (Status.CONCLUDED, Status.EXCEPTIONS)}
    return [code for code in page.not_concluded if code in done]


def load_dashboard_page(db: Engagement) -> DashboardPage:
    with db.reading() as conn:
        return read_dashboard_page(conn)
