"""The subservice organizations and the CUECs and CSOCs as `info` prints them (JSON and a few lines)."""

from __future__ import annotations

from typing import Any

from fieldwork.app.cli.ai_document import iso_day
from fieldwork.app.domain.subservice import ComplementaryControl, Subservice, SubserviceOrganization


def _organization(found: SubserviceOrganization) -> dict[str, Any]:
    report = found.report
    return {
        "name": found.name,
        "services": found.services,
        "method": found.method.value,
        "assertion_received": found.assertion_received,
        "controls": list(found.controls),
        "soc_report": {
            "type": report.report_type.value if report.report_type else None,
            "start": iso_day(report.start),
            "end": iso_day(report.end),
            "opinion": report.opinion.value if report.opinion else None,
            "exceptions": report.exceptions,
            "reviewed_on": iso_day(report.reviewed_on),
            "bridge_letter": report.bridge_letter,
        },
    }


def _complementary(found: ComplementaryControl) -> dict[str, Any]:
    return {
        "ref": found.ref,
        "kind": found.kind.value,
        "text": found.text,
        "organization": found.organization or None,
        "criteria": list(found.criteria),
    }


def subservice_document(subservice: Subservice) -> dict[str, Any]:
    """No organization is the "none" state: an empty list."""
    return {
        "subservice_organizations": [_organization(o) for o in subservice.organizations],
        "complementary_controls": [_complementary(c) for c in subservice.complementary],
    }


def print_subservice(doc: dict[str, Any]) -> None:
    print("\nSubservice organizations:" if doc["subservice_organizations"] else "\nSubservice organizations: none")
    for found in doc["subservice_organizations"]:
        reviewed = found["soc_report"]["reviewed_on"] or "not reviewed"
        print(f"  {found['name'][:60]}  {found['method']}  SOC report {reviewed}")
    for found in doc["complementary_controls"]:
        print(f"  {found['ref']:<8} {found['text'][:70]}  [{', '.join(found['criteria'])}]")
