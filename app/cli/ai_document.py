"""The AI systems as `fieldwork info` gives them: the inventory with each system's impact assessment and coverage."""

from __future__ import annotations

from datetime import date
from typing import Any

from fieldwork.app.domain.ai_systems import AiOverview, AiSystem, AssessmentState, SystemCoverage


def iso_day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _assessment(state: AssessmentState | None) -> dict[str, Any] | None:
    """The latest assessment, the first approval and whether the system reached production before it."""
    if state is None or state.latest is None:
        return None
    latest = state.latest
    return {
        "reference": latest.reference or None,
        "assessed_on": iso_day(latest.assessed_on),
        "approved_on": iso_day(latest.approved_on),
        "next_review": iso_day(latest.next_review),
        "first_approved_on": iso_day(state.first_approved_on),
        "assessments": state.count,
        "late": state.late,
        "late_by_days": state.late_by_days,
    }


def _coverage(found: SystemCoverage | None) -> dict[str, Any] | None:
    """Counts over the matrix, the covered cells with their controls, tests and result, and the gaps flagged."""
    if found is None:
        return None
    return {
        "in_production": found.in_production,
        "requirements": len(found.cells),
        "covered": found.covered,
        "tested": found.tested,
        "with_exceptions": found.with_exceptions,
        "cells": {
            cell.code: {"controls": list(cell.controls), "tests": list(cell.tests), "status": cell.status.value}
            for cell in found.cells
            if cell.covered
        },
        "gaps": [{"kind": gap.kind.value, "text": gap.text} for gap in found.gaps],
    }


def _system(system: AiSystem, overview: AiOverview) -> dict[str, Any]:
    found = overview.coverage_of(system.id)
    return {
        "ref": system.ref,
        "name": system.name,
        "purpose": system.purpose,
        "role": [role.value for role in system.roles],
        "risk_level": system.risk_level.value if system.risk_level else None,
        "stage": system.stage.value,
        "deployed_on": iso_day(system.deployed_on),
        "retired_on": iso_day(system.retired_on),
        "in_scope": system.in_scope,
        "scope_reason": system.scope_reason or None,
        "controls": list(system.controls),
        "impact_assessment": _assessment(found.assessment if found else None),
        "coverage": _coverage(found),
    }


def ai_systems_document(overview: AiOverview) -> list[dict[str, Any]]:
    return [_system(system, overview) for system in overview.systems]


def print_ai_systems(systems: list[dict[str, Any]]) -> None:
    """The inventory in a few lines, gaps under their system."""
    print("\nAI systems:")
    for system in systems:
        scope = "in scope" if system["in_scope"] else "out of scope"
        coverage = system["coverage"]
        counts = f"{coverage['covered']}/{coverage['requirements']} covered" if coverage else ""
        print(f"  {system['ref']:<6} {system['name'][:40]:<40} {system['stage']:<12} {scope:<12} {counts}")
        for gap in coverage["gaps"] if coverage else ():
            print(f"         gap: {gap['text']}")
