"""Subservice organizations and complementary controls (`JUDGEMENTS.md` section 5), as the services return them.

No organization at all is a real state ("none"): the report then has no subservice wording. A carved-out
organization's controls stay outside the examination, so the entity's controls assume some of its own (CSOCs); an
inclusive organization's controls are in scope (the controls it performs are marked) and its own assertion must
accompany the report. CUECs are what user entities are assumed to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fieldwork.app.domain.ids import ComplementaryId, SubserviceId
from fieldwork.app.domain.vocabulary import Labelled, Opinion, ReportType, SubserviceTreatment


@dataclass(frozen=True)
class SocReportReview:
    """The subservice organization's own SOC report as the service auditor reviewed it."""

    report_type: ReportType | None = None  # None: no report reviewed (yet)
    start: date | None = None
    end: date | None = None  # a Type 1 report's date
    opinion: Opinion | None = None
    exceptions: str = ""
    reviewed_on: date | None = None
    bridge_letter: bool = False

    @property
    def period_label(self) -> str:
        """ "As of ..." for a Type 1 report, "start to end" for a Type 2; empty when no date is recorded."""
        if self.report_type is ReportType.TYPE1 or self.start is None:
            return f"As of {self.end.isoformat()}" if self.end else ""
        return f"{self.start.isoformat()} to {self.end.isoformat() if self.end else '(no end)'}"


@dataclass(frozen=True)
class SubserviceOrganization:
    """A subservice organization, the services it provides, how the report treats it and, under the inclusive
    method, whether its own assertion (which must accompany the report) has been received and which controls in
    the report it performs (their references)."""

    name: str
    services: str = ""
    method: SubserviceTreatment = SubserviceTreatment.CARVE_OUT
    assertion_received: bool = False
    report: SocReportReview = SocReportReview()
    controls: tuple[str, ...] = ()
    id: SubserviceId | None = None


class ComplementaryKind(Labelled):
    CUEC = "cuec", "Complementary user entity control"
    CSOC = "csoc", "Complementary subservice organization control"

    @property
    def short(self) -> str:
        return self.value.upper()


@dataclass(frozen=True)
class ComplementaryControl:
    """A control the service organization's controls assume someone else performs, with the criteria it supports.

    A CSOC names the subservice organization expected to perform it (`organization_id`, its name in
    `organization`); a CUEC is the user entities'."""

    kind: ComplementaryKind
    text: str
    criteria: tuple[str, ...] = ()
    organization: str = ""
    ref: str = ""
    organization_id: SubserviceId | None = None
    id: ComplementaryId | None = None


@dataclass(frozen=True)
class Subservice:
    """Every subservice organization (name order) and complementary control (reference order) of the engagement."""

    organizations: tuple[SubserviceOrganization, ...] = ()
    complementary: tuple[ComplementaryControl, ...] = ()


def performed_by(organizations: tuple[SubserviceOrganization, ...]) -> dict[str, tuple[str, ...]]:
    """Per control reference, the inclusive organizations that perform it (a carved-out one performs none in the
    examination, whatever was marked before its method changed)."""
    found: dict[str, list[str]] = {}
    for organization in organizations:
        if organization.method is SubserviceTreatment.INCLUSIVE:
            for ref in organization.controls:
                found.setdefault(ref, []).append(organization.name)
    return {ref: tuple(names) for ref, names in found.items()}


def in_brief(organizations: tuple[SubserviceOrganization, ...]) -> str:
    """The subservice organizations in a few words, each method and how many, or "None" (a real state)."""
    parts = [
        f"{method.label} method ({count})"
        for method in SubserviceTreatment
        if (count := sum(o.method is method for o in organizations))
    ]
    return "; ".join(parts) or "None"
