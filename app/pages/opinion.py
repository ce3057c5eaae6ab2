"""The opinion worksheet page: the opinion recorded per area beside the file's proposal per framework, what
does not support it, every matter the opinion must weigh (each pointing at what it names), and the
misstatements of the description.

The matters are the worksheet's (`app.services.opinion`); a matter that names several things (open tests,
requirements not concluded) is shown as one line per thing, so each opens what it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Connection

from fieldwork.app.domain.judgements import (
    AreaProposal,
    Matter,
    Misstatement,
    OpinionArea,
    OpinionJudgement,
    OpinionWorksheet,
    RequirementConclusion,
)
from fieldwork.app.domain.targets import Page, Target
from fieldwork.app.domain.vocabulary import Framework, Labelled, Opinion, ReportType, Status
from fieldwork.app.engagement import Engagement
from fieldwork.app.services.conclusions import Grounds
from fieldwork.app.services.judged import read_judgements


class MatterKind(Labelled):
    """The worksheet's kinds of matter, in the order the page groups them."""

    NOT_MET = "not_met", "Criteria not met"
    SCOPE_LIMITATION = "scope_limitation", "Scope limitations"
    MISSTATEMENT = "misstatement", "Material misstatements of the description"
    OPEN_TESTS = "open_tests", "Open tests"
    NOT_CONCLUDED = "not_concluded", "Requirements not concluded"
    UNSUPPORTED = "unsupported", "Conclusions the file no longer supports"
    MAJOR_NONCONFORMITY = "major_nonconformity", "Open major nonconformities"


class Opens(Labelled):
    """What a matter's line opens."""

    REQUIREMENT = "requirement", "Requirement"
    TEST = "test", "Test"
    FINDING = "finding", "Finding"
    MISSTATEMENT = "misstatement", "Misstatement"


_PAGES = {Opens.REQUIREMENT: Page.REQUIREMENT, Opens.TEST: Page.TEST, Opens.FINDING: Page.FINDINGS}

#: Test progress that leaves a test open, as the worksheet counts it.
OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)


@dataclass(frozen=True)
class MatterLine:
    kind: MatterKind
    text: str
    areas: tuple[OpinionArea, ...]
    framework: Framework | None
    opens: Opens | None = None
    key: str | UUID | None = None

    @property
    def target(self) -> Target | None:
        """The page the line opens (a misstatement is on the worksheet's own tab: None)."""
        page = _PAGES.get(self.opens) if self.opens is not None else None
        return Target(page, self.key) if page is not None and self.key is not None else None


@dataclass(frozen=True)
class AreaRow:
    """One area the report opines on: the opinion recorded and the file's proposal for each framework."""

    recorded: OpinionJudgement
    proposals: tuple[AreaProposal, ...]
    proposed: Opinion
    #: What each framework's proposal rests on, named short: requirement codes, a misstatement's reference.
    behind: dict[Framework, tuple[str, ...]]


@dataclass(frozen=True)
class OpinionPage:
    report_type: ReportType
    worksheet: OpinionWorksheet
    areas: tuple[AreaRow, ...]
    matters: tuple[MatterLine, ...]
    misstatements: tuple[Misstatement, ...]


def _by_ref(matter: Matter, refs: dict[str, UUID]) -> UUID | None:
    """The record a matter's text starts with ("F-002 major nonconformity ...", "M-001 (DC3): ...")."""
    return refs.get(matter.text.split(" ", 1)[0])


def _lines(
    matter: Matter, grounds: Grounds, conclusions: dict[str, RequirementConclusion], refs: dict[str, UUID]
) -> list[MatterLine]:
    kind = MatterKind(matter.kind)
    if kind is MatterKind.OPEN_TESTS:
        open_tests = [t for found in grounds.tests.values() for t in found if t.status in OPEN]
        return [
            MatterLine(kind, f"{ref} is open ({t.status.label.lower()})", matter.areas, None, Opens.TEST, t.test_id)
            for ref, t in sorted((grounds.test_refs[t.test_id], t) for t in open_tests)
        ]
    if kind is MatterKind.NOT_CONCLUDED:
        return [
            MatterLine(
                kind, f"{code} {conclusions[code].title}", matter.areas, matter.framework, Opens.REQUIREMENT, code
            )
            for code in matter.requirements
        ]
    if kind in (MatterKind.MISSTATEMENT, MatterKind.MAJOR_NONCONFORMITY):
        opens = Opens.MISSTATEMENT if kind is MatterKind.MISSTATEMENT else Opens.FINDING
        return [MatterLine(kind, matter.text, matter.areas, matter.framework, opens, _by_ref(matter, refs))]
    code = matter.requirements[0] if matter.requirements else None
    return [MatterLine(kind, matter.text, matter.areas, matter.framework, Opens.REQUIREMENT if code else None, code)]


def _short(matter: Matter) -> tuple[str, ...]:
    return matter.requirements or (matter.text.split(" ", 1)[0],)


def _area(worksheet: OpinionWorksheet, judged: OpinionJudgement) -> AreaRow:
    proposals = tuple(p for p in worksheet.proposals if p.area is judged.area)
    by_text = {m.text: m for m in worksheet.matters}
    behind = {p.framework: tuple(name for text in p.matters for name in _short(by_text[text])) for p in proposals}
    return AreaRow(judged, proposals, worksheet.proposed(judged.area), behind)


def read_opinion_page(conn: Connection) -> OpinionPage:
    found = read_judgements(conn)
    worksheet, grounds = found.worksheet, found.grounds
    conclusions = {c.code: c for c in found.conclusions}
    refs: dict[str, UUID] = {f.ref: f.id for f in found.findings} | {m.ref: m.id for m in found.misstatements}
    lines = [line for matter in worksheet.matters for line in _lines(matter, grounds, conclusions, refs)]
    order = list(MatterKind)
    areas = tuple(_area(worksheet, judged) for judged in worksheet.recorded)
    return OpinionPage(
        report_type=grounds.report_type,
        worksheet=worksheet,
        areas=areas,
        matters=tuple(sorted(lines, key=lambda line: order.index(line.kind))),
        misstatements=found.misstatements,
    )


def load_opinion_page(db: Engagement) -> OpinionPage:
    with db.reading() as conn:
        return read_opinion_page(conn)
