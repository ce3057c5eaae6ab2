"""The demo's AI systems: the four the scope names, their impact assessments, and the controls and tests linked to
each, written through the same services as the app's screens (so the demo holds nothing the app would refuse).

The Interview Summary Assistant went live on 2026-03-17 and its impact assessment was approved on 2026-04-28: the
coverage matrix flags it. The Skills Graph was retired in August 2026, inside the period. The auditor re-performed
the bias audit's impact ratios for two categories (C-022.T2) from the auditor's data table, attached as evidence.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from fieldwork.app.demo_evidence import BIAS_AUDIT_FILE, demo_file_content
from fieldwork.app.domain.ai_systems import (
    STAGES,
    AiRole,
    AiSystemInput,
    Component,
    ImpactAssessmentInput,
    LifeCycleStage,
    RiskLevel,
)
from fieldwork.app.domain.fairness import FairnessResult
from fieldwork.app.domain.sampling import PopulationSource
from fieldwork.app.services.ai_systems import LinkKind, insert_system, set_links
from fieldwork.app.services.fairness import record_fairness_run, reperform
from fieldwork.app.services.fairness_results import store_fairness_result
from fieldwork.app.services.history import Changes
from fieldwork.app.services.impact_assessments import insert_assessment
from fieldwork.app.services.testing import find_test_id
from fieldwork.app.storage.schema import control, control_test, live

_ASSESSMENT_DATES = ("assessed_on", "approved_on", "next_review")


def day_of(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _system(raw: dict[str, Any]) -> AiSystemInput:
    return AiSystemInput(
        name=raw["name"],
        purpose=raw.get("purpose", ""),
        roles=tuple(AiRole(role) for role in raw.get("roles", ())),
        affected=raw.get("affected", ""),
        risk_level=RiskLevel(raw["risk_level"]) if raw.get("risk_level") else None,
        stage=LifeCycleStage(raw["stage"]),
        **{stage.date_field: day_of(raw.get(stage.date_field)) for stage in STAGES},
        models=tuple(Component(**part) for part in raw.get("models", ())),
        datasets=tuple(Component(**part) for part in raw.get("datasets", ())),
        owner=raw.get("owner", ""),
        in_scope=bool(raw.get("in_scope", True)),
        scope_reason=raw.get("scope_reason", ""),
    )


def _assessment(raw: dict[str, Any]) -> ImpactAssessmentInput:
    fields = {key: value for key, value in raw.items() if key not in _ASSESSMENT_DATES}
    dates = {key: day_of(raw.get(key)) for key in _ASSESSMENT_DATES}
    return ImpactAssessmentInput(**fields, **dates)  # type: ignore[arg-type]


def fill_demo_ai(ch: Changes, data: dict[str, Any]) -> None:
    """Write the demo's inventory in the caller's transaction, after its controls and tests."""
    controls = dict(ch.conn.execute(select(control.c.ref, control.c.id).where(live(control))).all())
    tests = dict(ch.conn.execute(select(control_test.c.ref, control_test.c.id).where(live(control_test))).all())
    for raw in data.get("ai_systems", []):
        system_id = insert_system(ch, _system(raw))
        set_links(ch, system_id, LinkKind.CONTROL, [controls[ref] for ref in raw.get("controls", ())])
        set_links(ch, system_id, LinkKind.TEST, [tests[ref] for ref in raw.get("tests", ())])
        for assessment in raw.get("impact_assessments", ()):
            insert_assessment(ch, system_id, _assessment(assessment))


#: The categories C-022.T2 re-performed, as columns of the bias auditor's data table.
REPERFORMED = ("sex", "race_ethnicity")


def fill_demo_fairness(ch: Changes) -> None:
    """Re-perform the bias audit's scoring rates for C-022.T2 from the attached data table, and store them."""
    test_id = find_test_id(ch.conn, "C-022.T2")
    with tempfile.TemporaryDirectory(prefix="fieldwork-demo-") as folder:
        path = Path(folder) / BIAS_AUDIT_FILE
        path.write_bytes(demo_file_content(BIAS_AUDIT_FILE))
        for column in REPERFORMED:
            figures = reperform(PopulationSource(path), column, "scored_above_median")
            result = FairnessResult("C-022.T2", ch.person, ch.at_utc, figures)
            store_fairness_result(ch, test_id, result)
            record_fairness_run(ch, test_id, result)
