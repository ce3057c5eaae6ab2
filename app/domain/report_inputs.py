"""What the combined report is worded from, as plain values (`JUDGEMENTS.md` sections 1-5).

The report never decides an opinion or a method itself: it states what these say. The opinion per area comes
from the opinion recorded on the worksheet (`opinion_input`); subservice organizations and complementary controls
from their records (`app.domain.subservice`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fieldwork.app.domain.judgements import OpinionArea, OpinionJudgement, OpinionWorksheet, most_severe
from fieldwork.app.domain.subservice import ComplementaryControl, ComplementaryKind, Subservice, SubserviceOrganization
from fieldwork.app.domain.vocabulary import Opinion, ReportType, SubserviceTreatment


@dataclass(frozen=True)
class AreaOpinion:
    """The opinion on one area, the matters behind a modification and the criteria those matters leave unmet."""

    kind: Opinion = Opinion.UNMODIFIED
    matters: tuple[str, ...] = ()
    criteria: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpinionInput:
    """The opinion worksheet's result: one opinion per area. Type 1 has no operating-effectiveness area."""

    description: AreaOpinion = AreaOpinion()
    design: AreaOpinion = AreaOpinion()
    operation: AreaOpinion = AreaOpinion()

    def areas(self, report_type: ReportType) -> dict[OpinionArea, AreaOpinion]:
        found = {OpinionArea.DESCRIPTION: self.description, OpinionArea.DESIGN: self.design}
        if report_type is ReportType.TYPE2:
            found[OpinionArea.OPERATION] = self.operation
        return found

    def overall(self, report_type: ReportType) -> Opinion:
        return most_severe([a.kind for a in self.areas(report_type).values()])


@dataclass(frozen=True)
class CriteriaTiming:
    """When the ISO/IEC 42001 criteria are examined, when not with the trust services criteria: a first-year AI
    management system is often examined as of a date while SOC 2 covers a period."""

    as_of: date | None = None
    start: date | None = None
    end: date | None = None

    @property
    def is_period(self) -> bool:
        return self.as_of is None


@dataclass(frozen=True)
class ReportInputs:
    """What the report's wording takes from the engagement's judgements (conclusions and findings are records of
    their own in `ReportData`)."""

    opinion: OpinionInput = OpinionInput()
    subservice: tuple[SubserviceOrganization, ...] = ()
    complementary: tuple[ComplementaryControl, ...] = ()
    iso_timing: CriteriaTiming | None = None  # None: the same date or period as the trust services criteria

    def organizations(self, method: SubserviceTreatment) -> tuple[SubserviceOrganization, ...]:
        return tuple(o for o in self.subservice if o.method is method)

    def complementary_of(self, kind: ComplementaryKind) -> tuple[ComplementaryControl, ...]:
        return tuple(c for c in self.complementary if c.kind is kind)


def opinion_input(worksheet: OpinionWorksheet) -> OpinionInput:
    """The opinion recorded per area, with its basis as the matter and the criteria the worksheet's matters name
    (those not met, or that could not be concluded, bearing on that area)."""

    def area(judged: OpinionJudgement) -> AreaOpinion:
        if judged.kind is Opinion.UNMODIFIED:
            return AreaOpinion()
        criteria = [
            code
            for matter in worksheet.matters
            if matter.kind in ("not_met", "scope_limitation") and judged.area in matter.areas
            for code in matter.requirements
        ]
        matters = (judged.basis,) if judged.basis.strip() else ()
        return AreaOpinion(judged.kind, matters, tuple(dict.fromkeys(criteria)))

    recorded = {judged.area: area(judged) for judged in worksheet.recorded}
    return OpinionInput(**{a.value: recorded.get(a, AreaOpinion()) for a in OpinionArea})


def report_inputs(worksheet: OpinionWorksheet, subservice: Subservice) -> ReportInputs:
    return ReportInputs(
        opinion=opinion_input(worksheet),
        subservice=subservice.organizations,
        complementary=subservice.complementary,
    )
