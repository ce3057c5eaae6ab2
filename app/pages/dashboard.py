"""The dashboard: progress per framework and group, open items, the exceptions, and where the judgements stand
(conclusions by kind per framework, open findings by kind, whether the file supports the opinion recorded), and
review (open notes, items changed after review, the days left to assemble the documentation once released)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection

from app.domain.judgements import CriterionConclusion, FindingKind, OpinionWorksheet
from app.domain.records import Deviation, EngagementDetails, RequirementStatus, StatusCounts
from app.domain.vocabulary import Framework, Status
from app.domain.workpapers import CompletionItem, Stage, completion_item
from app.pages.review import ReviewSummary, read_review_summary
from app.services.deviations import read_deviations
from app.services.engagement import read_details
from app.services.judged import read_judgements
from app.services.overview import GroupProgress, read_counts, read_groups
from app.services.stage import read_stage
from app.services.status import count
from app.services.workpapers import read_workpapers
from app.storage.engagement_file import EngagementFile


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

    @property
    def open_completion_items(self) -> int:
        return sum(not item.complete for item in self.completion)


def read_dashboard_page(conn: Connection) -> DashboardPage:
    judged = read_judgements(conn)
    scope, statuses = list(judged.grounds.scope), judged.grounds.statuses
    framework_of = {r.code: r.framework for r in scope}
    workpapers = read_workpapers(conn, worksheet=judged.worksheet)
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
        review=read_review_summary(conn),
        stage=read_stage(conn, workpapers=workpapers),
        completion=tuple(completion_item(w) for w in workpapers if w.fields.completion_item),
    )


def load_dashboard_page(db: EngagementFile) -> DashboardPage:
    with db.reading() as conn:
        return read_dashboard_page(conn)
