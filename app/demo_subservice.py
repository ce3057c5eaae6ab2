"""The demo's subservice organization and complementary controls, written through the services' own checks.

AWS hosts the platform and is carved out: its SOC 2 Type 2 report was reviewed with a bridge letter, the CSOCs
Wrenfield's controls assume of it (DC7) and the CUECs its customers are assumed to perform (DC6) are records, each
linked to the criteria it supports.
"""

from __future__ import annotations

from typing import Any

from fieldwork.app.demo_ai import day_of
from fieldwork.app.domain.subservice import (
    ComplementaryControl,
    ComplementaryKind,
    SocReportReview,
    SubserviceOrganization,
)
from fieldwork.app.domain.vocabulary import Opinion, ReportType, SubserviceTreatment
from fieldwork.app.services.history import Changes
from fieldwork.app.services.subservice import insert_complementary, insert_organization


def _organization(raw: dict[str, Any]) -> SubserviceOrganization:
    report = raw.get("report", {})
    return SubserviceOrganization(
        name=raw["name"],
        services=raw.get("services", ""),
        method=SubserviceTreatment(raw["method"]),
        assertion_received=bool(raw.get("assertion_received", False)),
        report=SocReportReview(
            report_type=ReportType(report["type"]) if report.get("type") else None,
            start=day_of(report.get("start")),
            end=day_of(report.get("end")),
            opinion=Opinion(report["opinion"]) if report.get("opinion") else None,
            exceptions=report.get("exceptions", ""),
            reviewed_on=day_of(report.get("reviewed_on")),
            bridge_letter=bool(report.get("bridge_letter", False)),
        ),
    )


def fill_demo_subservice(ch: Changes, data: dict[str, Any]) -> None:
    raw = data.get("subservice", {})
    ids = {found["name"]: insert_organization(ch, _organization(found)) for found in raw.get("organizations", [])}
    for kind, key in ((ComplementaryKind.CUEC, "cuecs"), (ComplementaryKind.CSOC, "csocs")):
        for found in raw.get(key, []):
            organization = ids[found["organization"]] if "organization" in found else None
            made = ComplementaryControl(kind, found["text"], tuple(found["criteria"]), organization_id=organization)
            insert_complementary(ch, made)
