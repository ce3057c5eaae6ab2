"""The judgements the combined report is worded from, as plain values (`JUDGEMENTS.md` sections 1-5).

The report never decides an opinion or a method itself: it states what these records say. Until the
engagement file holds them as records of their own, `derived_*` builds them from what it holds today
(the engagement's opinion, its basis and the subservice text), so the wording already follows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.domain.records import EngagementDetails
from app.domain.vocabulary import Labelled, Opinion, ReportType, SubserviceTreatment

#: Most severe last: an examination's overall opinion is the most severe of its areas'.
SEVERITY = (Opinion.UNMODIFIED, Opinion.QUALIFIED, Opinion.ADVERSE, Opinion.DISCLAIMER)


class Area(Labelled):
    """What an opinion judges, each separately: an adverse opinion on operation says nothing of the description."""

    DESCRIPTION = "description", "Description"
    DESIGN = "design", "Suitability of design"
    OPERATION = "operation", "Operating effectiveness"


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

    def areas(self, report_type: ReportType) -> dict[Area, AreaOpinion]:
        found = {Area.DESCRIPTION: self.description, Area.DESIGN: self.design}
        if report_type is ReportType.TYPE2:
            found[Area.OPERATION] = self.operation
        return found

    def overall(self, report_type: ReportType) -> Opinion:
        return max((a.kind for a in self.areas(report_type).values()), key=SEVERITY.index)


@dataclass(frozen=True)
class SubserviceOrganization:
    """A subservice organization, the services it provides, how the report treats it and, under the inclusive
    method, whether its own assertion (which must accompany the report) has been received."""

    name: str
    services: str = ""
    method: SubserviceTreatment = SubserviceTreatment.CARVE_OUT
    assertion_received: bool = False


class ComplementaryKind(Labelled):
    CUEC = "cuec", "Complementary user entity control"
    CSOC = "csoc", "Complementary subservice organization control"


@dataclass(frozen=True)
class ComplementaryControl:
    """A control the service organization's controls assume someone else performs, with the criteria it supports."""

    kind: ComplementaryKind
    text: str
    criteria: tuple[str, ...] = ()
    organization: str = ""  # for a CSOC: the subservice organization expected to perform it


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


class Verdict(Labelled):
    """A conclusion on one requirement (`JUDGEMENTS.md` section 2); progress is never a conclusion."""

    MET = "met", "Met"
    MET_WITH_EXCEPTIONS = "met_with_exceptions", "Met with exceptions"
    NOT_MET = "not_met", "Not met"
    NOT_RELEVANT = "not_relevant", "Not relevant"
    EXCLUDED = "excluded", "Excluded"
    NOT_CONCLUDED = "not_concluded", "Not concluded"


@dataclass(frozen=True)
class RequirementConclusion:
    code: str
    verdict: Verdict
    basis: str = ""


@dataclass(frozen=True)
class RaisedFinding:
    """A finding from the ISO findings register, as Section IV-A lists it under the requirements it is raised
    against (its certification grade stays in the register and the findings report)."""

    ref: str
    statement: str
    requirements: tuple[str, ...] = ()


@dataclass(frozen=True)
class Judgements:
    """Everything the report's wording and Section IV-A take from the judgements recorded on the engagement."""

    opinion: OpinionInput = OpinionInput()
    subservice: tuple[SubserviceOrganization, ...] = ()
    complementary: tuple[ComplementaryControl, ...] = ()
    iso_timing: CriteriaTiming | None = None  # None: the same date or period as the trust services criteria
    conclusions: dict[str, RequirementConclusion] = field(default_factory=dict)
    findings: tuple[RaisedFinding, ...] = ()

    def organizations(self, method: SubserviceTreatment) -> tuple[SubserviceOrganization, ...]:
        return tuple(o for o in self.subservice if o.method is method)

    def complementary_of(self, kind: ComplementaryKind) -> tuple[ComplementaryControl, ...]:
        return tuple(c for c in self.complementary if c.kind is kind)


def derived_opinion(details: EngagementDetails) -> OpinionInput:
    """Today's single opinion and basis: a modification bears on operating effectiveness in a Type 2 report and on
    design in a Type 1 report; a disclaimer covers every area. The criteria are not recorded yet (a visible gap)."""
    if details.opinion is Opinion.UNMODIFIED:
        return OpinionInput()
    matters = (details.opinion_basis,) if details.opinion_basis.strip() else ()
    judged = AreaOpinion(details.opinion, matters)
    if details.opinion is Opinion.DISCLAIMER:
        every = AreaOpinion(Opinion.DISCLAIMER)
        if details.report_type is ReportType.TYPE1:
            return OpinionInput(description=every, design=judged, operation=every)
        return OpinionInput(description=every, design=every, operation=judged)
    if details.report_type is ReportType.TYPE1:
        return OpinionInput(design=judged)
    return OpinionInput(operation=judged)


def derived_subservice(details: EngagementDetails) -> tuple[SubserviceOrganization, ...]:
    """Today's free text about subservice organizations as one organization under the engagement's method; no text
    means none (then the report has no subservice wording at all)."""
    text = details.subservice_organizations.strip()
    return (SubserviceOrganization(text, method=details.subservice_treatment),) if text else ()


def derived_judgements(details: EngagementDetails) -> Judgements:
    return Judgements(opinion=derived_opinion(details), subservice=derived_subservice(details))
