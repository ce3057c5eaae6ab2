"""The auditor's conclusion on each requirement in scope, with its basis, and whether the file still supports it.

A requirement in scope is an auditable SOC 2 criterion of the categories in scope, an ISO/IEC 42001 subclause
or an Annex A control; an Annex A control excluded in the Statement of Applicability is concluded "excluded"
there and nowhere else. A requirement with nothing recorded is "not concluded"; "not concluded" recorded with a
basis is a scope limitation (the auditor could not obtain what was needed).

"Met" or "met with exceptions" rests on the tests of the controls linked to the requirement (or to the
requirements under it): refused while one is open, and "met" while one found deviations. The same rules, read
again on every load, say when a recorded conclusion no longer holds (`RequirementConclusion.unsupported`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Select, Table, select

from fieldwork.app.domain.ids import ControlId, DeviationId, TestId
from fieldwork.app.domain.judgements import MET_CONCLUSIONS, ConclusionInput, CriterionConclusion, RequirementConclusion
from fieldwork.app.domain.records import Requirement, RequirementStatus
from fieldwork.app.domain.refs import listed
from fieldwork.app.domain.vocabulary import AUDITABLE_KINDS, Framework, ReportType, Status
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError, ValidationError
from fieldwork.app.services.engagement import read_details
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.requirements import read_scope
from fieldwork.app.services.status import (
    TestState,
    awaiting_operating_test,
    counted,
    read_requirement_statuses,
    read_test_states,
)
from fieldwork.app.storage.schema import (
    compensating_control,
    conclusion_deviation,
    control,
    control_requirement,
    control_test,
    deviation,
    finding,
    finding_requirement,
    live,
    requirement_conclusion,
    soa_line,
)


@dataclass(frozen=True)
class Grounds:
    """What the file holds that bears on conclusions, read once for all of them."""

    report_type: ReportType
    scope: tuple[Requirement, ...]
    statuses: dict[str, RequirementStatus]
    excluded: frozenset[str]
    controls: dict[str, tuple[ControlId, ...]]
    control_refs: dict[ControlId, str]
    tests: dict[ControlId, tuple[TestState, ...]]
    test_refs: dict[TestId, str]
    awaiting: frozenset[ControlId]
    deviations_by_control: dict[ControlId, tuple[tuple[DeviationId, str], ...]]

    def requirement(self, code: str) -> Requirement:
        found = next((r for r in self.scope if r.code == code), None)
        if found is None or found.kind not in AUDITABLE_KINDS:
            raise NotFoundError(f"{code} is not a criterion or requirement in the scope of this engagement.")
        return found

    def linked_controls(self, code: str) -> list[ControlId]:
        """Controls linked to the requirement or to a requirement under it (as progress counts them), in reference
        order: the same list in every export and every run (read from a set, it followed the process's hashing)."""
        below = {code}
        for req in self.scope:  # catalog order: parents before children
            if req.parent in below:
                below.add(req.code)
        found = {c for each in below for c in self.controls.get(each, ())}
        return sorted(found, key=lambda c: self.control_refs[c])

    def why_not_met(self, code: str, conclusion: CriterionConclusion, considered: Sequence[DeviationId]) -> str:
        """Why the file does not support `conclusion` on `code` ("" when it does)."""
        if conclusion not in MET_CONCLUSIONS:
            return ""
        controls = self.linked_controls(code)
        if not controls:
            return "no control is linked to it"
        open_tests = [self.test_refs[t.test_id] for c in controls for t in self.tests.get(c, ()) if _open(t)]
        if open_tests:
            return f"{listed(open_tests, NAMED)} {'is' if len(open_tests) == 1 else 'are'} not concluded"
        untested = [self.control_refs[c] for c in controls if not self.tests.get(c)]
        if untested:
            return f"{listed(untested, NAMED)} {'has' if len(untested) == 1 else 'have'} no test"
        design_only = [self.control_refs[c] for c in controls if c in self.awaiting]
        if design_only:
            return f"{listed(design_only, NAMED)} awaits a test of operating effectiveness"
        found = [d for c in controls for d in self.deviations_by_control.get(c, ())]
        excepted = [self.test_refs[t.test_id] for c in controls for t in self.tests.get(c, ()) if _excepted(t)]
        if conclusion is CriterionConclusion.MET and (found or excepted):
            names = [ref for _, ref in found] or excepted
            return f"{listed(names, NAMED)} {'was' if len(names) == 1 else 'were'} found; conclude met with exceptions"
        if conclusion is CriterionConclusion.MET_WITH_EXCEPTIONS and not (found or excepted or considered):
            return "no deviation was found; conclude met"
        return ""


def _open(state: TestState) -> bool:
    return state.status in (Status.NOT_STARTED, Status.IN_PROGRESS)


def _excepted(state: TestState) -> bool:
    return state.status is Status.EXCEPTIONS


#: How many references a "why not met" sentence names.
NAMED = 3


def read_grounds(conn: Connection, states_read: Mapping[TestId, TestState] | None = None) -> Grounds:
    """What conclusions rest on; `states_read` passes every test's state where the caller has read them already."""
    details = read_details(conn)
    scope = tuple(read_scope(conn))
    every = read_test_states(conn) if states_read is None else states_read
    states = [s for s in every.values() if counted(s, details.report_type)]
    tests: dict[ControlId, list[TestState]] = defaultdict(list)
    for state in states:
        tests[state.control_id].append(state)
    controls: dict[str, list[ControlId]] = defaultdict(list)
    links = select(control_requirement.c.control_id, control_requirement.c.requirement_code)
    for cid, code in conn.execute(links.where(live(control_requirement))):
        controls[code].append(cid)
    deviations: dict[ControlId, list[tuple[DeviationId, str]]] = defaultdict(list)
    query = (
        select(control_test.c.control_id, deviation.c.id, deviation.c.ref)
        .join(control_test, control_test.c.id == deviation.c.test_id)
        .where(live(deviation))
        .order_by(deviation.c.ref)
    )
    for cid, did, ref in conn.execute(query):
        deviations[cid].append((did, ref))
    excluded = conn.execute(select(soa_line.c.annex_code).where(soa_line.c.included.is_(False))).scalars()
    return Grounds(
        report_type=details.report_type,
        scope=scope,
        statuses=read_requirement_statuses(conn, list(scope), details.report_type, states),
        excluded=frozenset(excluded),
        controls={code: tuple(ids) for code, ids in controls.items()},
        control_refs=dict(conn.execute(select(control.c.id, control.c.ref).where(live(control))).all()),
        tests={cid: tuple(found) for cid, found in tests.items()},
        test_refs=dict(conn.execute(select(control_test.c.id, control_test.c.ref).where(live(control_test))).all()),
        awaiting=frozenset(awaiting_operating_test(states, details.report_type)),
        deviations_by_control={cid: tuple(found) for cid, found in deviations.items()},
    )


# --- reading -------------------------------------------------------------------------------------


def _pairs(conn: Connection, query: Select[Any]) -> dict[str, list[Any]]:
    """(code, value) rows grouped by code, in the query's order."""
    found: dict[str, list[Any]] = defaultdict(list)
    for code, value in conn.execute(query):
        found[code].append(value)
    return found


def read_conclusions(conn: Connection, grounds: Grounds | None = None) -> list[RequirementConclusion]:
    """One conclusion per requirement in scope, in catalog order, each beside its progress."""
    grounds = grounds or read_grounds(conn)
    stored = {
        row["requirement_code"]: row
        for row in conn.execute(select(requirement_conclusion).where(live(requirement_conclusion))).mappings()
    }
    considered = _pairs(
        conn,
        select(conclusion_deviation.c.requirement_code, deviation.c.ref)
        .join(deviation, deviation.c.id == conclusion_deviation.c.deviation_id)
        .where(live(conclusion_deviation), live(deviation))
        .order_by(deviation.c.ref),
    )
    considered_ids = _pairs(
        conn,
        select(conclusion_deviation.c.requirement_code, conclusion_deviation.c.deviation_id).where(
            live(conclusion_deviation)
        ),
    )
    compensating = _pairs(
        conn,
        select(compensating_control.c.requirement_code, control.c.ref)
        .join(control, control.c.id == compensating_control.c.control_id)
        .where(live(compensating_control), live(control))
        .order_by(control.c.ref),
    )
    findings = _pairs(
        conn,
        select(finding_requirement.c.requirement_code, finding.c.ref)
        .join(finding, finding.c.id == finding_requirement.c.finding_id)
        .where(live(finding_requirement), live(finding))
        .order_by(finding.c.ref),
    )
    result = []
    for req in grounds.scope:
        if req.kind not in AUDITABLE_KINDS:
            continue
        row = stored.get(req.code)
        if req.code in grounds.excluded:
            kind, basis = CriterionConclusion.EXCLUDED, "Excluded in the Statement of Applicability."
        elif row is None:
            kind, basis = CriterionConclusion.NOT_CONCLUDED, ""
        else:
            kind, basis = CriterionConclusion(row["conclusion"]), row["basis"]
        considered_here = considered_ids.get(req.code, [])
        result.append(
            RequirementConclusion(
                code=req.code,
                title=req.title,
                framework=req.framework,
                conclusion=kind,
                basis=basis,
                progress=grounds.statuses[req.code].status,
                deviations=tuple(considered.get(req.code, ())),
                findings=tuple(findings.get(req.code, ())),
                compensating_controls=tuple(compensating.get(req.code, ())),
                controls=tuple(grounds.control_refs[c] for c in grounds.linked_controls(req.code)),
                unsupported=grounds.why_not_met(req.code, kind, considered_here),
            )
        )
    return result


def list_conclusions(db: Engagement) -> list[RequirementConclusion]:
    with db.reading() as conn:
        return read_conclusions(conn)


def get_conclusion(db: Engagement, code: str) -> RequirementConclusion:
    with db.reading() as conn:
        found = next((c for c in read_conclusions(conn) if c.code == code), None)
    if found is None:
        raise NotFoundError(f"{code} is not a criterion or requirement in the scope of this engagement.")
    return found


# --- recording -----------------------------------------------------------------------------------


def _refuse(grounds: Grounds, req: Requirement, values: ConclusionInput) -> None:
    kind = CriterionConclusion(values.conclusion)
    if req.code in grounds.excluded:
        raise ValidationError(f"{req.code} is excluded in the Statement of Applicability; include it there first.")
    if kind is CriterionConclusion.EXCLUDED:
        raise ValidationError("An Annex A control is excluded in the Statement of Applicability, with a justification.")
    if kind is CriterionConclusion.NOT_RELEVANT and req.framework is not Framework.SOC2:
        raise ValidationError(
            f"Only a SOC 2 criterion can be not relevant to the system; {req.code} is an ISO/IEC 42001 requirement."
        )
    if kind is not CriterionConclusion.NOT_CONCLUDED and not values.basis.strip():
        irrelevant = kind is CriterionConclusion.NOT_RELEVANT
        reason = "why it is not relevant (DC8 discloses it)" if irrelevant else "its basis"
        raise ValidationError(f"Write {reason} for {req.code}.")
    why = grounds.why_not_met(req.code, kind, values.deviations)
    if why:
        raise ValidationError(f"{req.code} cannot be concluded {kind.label.lower()}: {why}.")


def set_conclusion(db: Engagement, code: str, values: ConclusionInput) -> RequirementConclusion:
    """Record the conclusion on a requirement (not concluded with no basis clears it)."""
    with changes(db) as ch:
        grounds = read_grounds(ch.conn)
        put_conclusion(ch, grounds, code, values)
        return next(c for c in read_conclusions(ch.conn, grounds) if c.code == code)


def put_conclusion(ch: Changes, grounds: Grounds, code: str, values: ConclusionInput) -> None:
    """Record a conclusion in the caller's transaction, on the evidence read in it."""
    _refuse(grounds, grounds.requirement(code), values)
    kind = CriterionConclusion(values.conclusion)
    if kind is CriterionConclusion.NOT_CONCLUDED and not values.basis.strip():
        ch.delete_where(requirement_conclusion, requirement_conclusion.c.requirement_code == code)
    else:
        _store(ch, grounds, code, kind, values)


def _store(ch: Changes, grounds: Grounds, code: str, kind: CriterionConclusion, values: ConclusionInput) -> None:
    row = {"conclusion": kind.value, "basis": values.basis.strip()}
    exists = ch.conn.execute(
        select(requirement_conclusion.c.requirement_code).where(
            requirement_conclusion.c.requirement_code == code, live(requirement_conclusion)
        )
    ).first()
    if exists is None:
        ch.insert(requirement_conclusion, {"requirement_code": code, **row})
    else:
        ch.update(requirement_conclusion, {"requirement_code": code}, row)
    deviations = list(values.deviations)
    if kind is CriterionConclusion.MET_WITH_EXCEPTIONS and not deviations:
        deviations = [d for c in grounds.linked_controls(code) for d, _ in grounds.deviations_by_control.get(c, ())]
    owner = ("requirement_code", code)
    ch.set_links(conclusion_deviation, owner, "deviation_id", _existing(ch, deviation, deviations, "deviation"))
    compensating = _existing(ch, control, list(values.compensating_controls), "control")
    if set(compensating) & set(grounds.linked_controls(code)):
        raise ValidationError("A compensating control is another control than those linked to the requirement.")
    ch.set_links(compensating_control, owner, "control_id", compensating)


def _existing(ch: Changes, table: Table, ids: Sequence[UUID], noun: str) -> list[UUID]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    found = set(ch.conn.execute(select(table.c.id).where(table.c.id.in_(wanted), live(table))).scalars())
    if len(found) != len(wanted):
        raise NotFoundError(f"A {noun} named in the conclusion no longer exists.")
    return wanted


def conclusion_kinds_for(requirement_: Requirement) -> list[CriterionConclusion]:
    """The conclusions a requirement can be given (excluded is the SoA's, not recorded here)."""
    kinds: list[CriterionConclusion] = [k for k in CriterionConclusion if k is not CriterionConclusion.EXCLUDED]
    if requirement_.framework is not Framework.SOC2:
        kinds.remove(CriterionConclusion.NOT_RELEVANT)
    return kinds
