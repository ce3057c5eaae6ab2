"""The demo's judgements: findings, conclusions on every requirement it has the work for, a misstatement of the
description, and the opinion recorded so far (fieldwork is not finished, so the draft says what it still lacks).

Requirements whose tests all concluded clean are concluded met; those whose tests found deviations are met with
exceptions, on the deviations' own evaluations, unless the sample data says otherwise. Everything goes through
the same rules as the app's screens, so the demo cannot hold a judgement the app would refuse.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fieldwork.app.domain.judgements import (
    ConclusionInput,
    CriterionConclusion,
    FindingInput,
    FindingKind,
    FindingStatus,
    MisstatementInput,
    OpinionArea,
    OpinionJudgement,
)
from fieldwork.app.domain.vocabulary import Opinion
from fieldwork.app.services.ai_systems import read_systems
from fieldwork.app.services.conclusions import Grounds, put_conclusion, read_grounds
from fieldwork.app.services.deviations import read_deviations
from fieldwork.app.services.findings import insert_finding
from fieldwork.app.services.history import Changes
from fieldwork.app.services.misstatements import insert_misstatement
from fieldwork.app.services.opinion import put_judgement

_DATES = ("due_date", "verified_on", "closed_on")


def _finding(raw: dict[str, Any], deviations: dict[str, Any], systems: dict[str, Any]) -> FindingInput:
    named = ("ref", "deviations", "kind", "status", "requirements", "ai_systems")
    fields = {k: v for k, v in raw.items() if k not in named}
    fields.update({name: date.fromisoformat(raw[name]) for name in _DATES if raw.get(name)})
    return FindingInput(
        kind=FindingKind(raw["kind"]),
        status=FindingStatus(raw.get("status", "open")),
        requirements=tuple(raw["requirements"]),
        deviations=tuple(deviations[control] for control in raw["deviations"]),
        ai_systems=tuple(systems[name] for name in raw.get("ai_systems", ())),
        **fields,
    )


def _automatic(ch: Changes, grounds: Grounds, explicit: dict[str, Any]) -> None:
    """Met where the work supports it, met with exceptions on the deviations' evaluations."""
    evaluations = {d.id: f"{d.ref}: {d.evaluation}" for d in read_deviations(ch.conn)}
    for req in grounds.scope:
        if req.code in explicit or req.code in grounds.excluded or req.code not in grounds.statuses:
            continue
        controls = grounds.linked_controls(req.code)
        found = [d for c in controls for d, _ in grounds.deviations_by_control.get(c, ())]
        refs = ", ".join(grounds.control_refs[c] for c in controls)
        if found and not grounds.why_not_met(req.code, CriterionConclusion.MET_WITH_EXCEPTIONS, found):
            basis = " ".join(evaluations[d] for d in found)
            put_conclusion(ch, grounds, req.code, ConclusionInput(CriterionConclusion.MET_WITH_EXCEPTIONS, basis))
        elif not grounds.why_not_met(req.code, CriterionConclusion.MET, ()):
            basis = f"The tests of {refs} concluded without exceptions."
            put_conclusion(ch, grounds, req.code, ConclusionInput(CriterionConclusion.MET, basis))


def fill_demo_judgements(ch: Changes, data: dict[str, Any]) -> None:
    """Write the demo's judgements in the caller's transaction (after its controls, tests and grounds)."""
    by_control = {d.control_ref: d.id for d in read_deviations(ch.conn)}
    systems = {s.name: s.id for s in read_systems(ch.conn)}
    for raw in data.get("findings", []):
        insert_finding(ch, _finding(raw, by_control, systems))
    grounds = read_grounds(ch.conn)
    explicit = data.get("conclusions", {})
    controls = {ref: key for key, ref in grounds.control_refs.items()}
    for code, raw in explicit.items():
        compensating = tuple(controls[ref] for ref in raw.get("compensating", ()))
        values = ConclusionInput(CriterionConclusion(raw["conclusion"]), raw["basis"], (), compensating)
        put_conclusion(ch, grounds, code, values)
    _automatic(ch, grounds, explicit)
    for raw in data.get("misstatements", []):
        insert_misstatement(ch, MisstatementInput(**raw))
    for area, raw in data.get("opinion", {}).items():
        put_judgement(ch, OpinionJudgement(OpinionArea(area), Opinion(raw["kind"]), raw["basis"], False, ""))
