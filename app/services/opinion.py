"""The opinion worksheet: what the opinion must weigh, the opinion the file proposes, and the one recorded.

Proposed per framework and per area (JUDGEMENTS.md section 3): criteria not met make a qualified opinion on
the area they failed in (design when a control's design was deficient or there is no control, else operating
effectiveness), adverse when the auditor judges the matters pervasive; a scope limitation (a requirement left
"not concluded" with the reason) makes a qualified opinion, a disclaimer when pervasive; uncorrected material
misstatements of the description qualify the opinion on the description. Open work is not a matter of the
opinion but leaves any opinion unsupported until it is done: a draft prints what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, select

from fieldwork.app.domain.judgements import (
    AreaProposal,
    CriterionConclusion,
    FindingKind,
    Matter,
    OpinionArea,
    OpinionJudgement,
    OpinionWorksheet,
    RequirementConclusion,
)
from fieldwork.app.domain.refs import listed
from fieldwork.app.domain.vocabulary import Framework, Opinion, ReportType, Status, TestKind
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.conclusions import Grounds, read_conclusions, read_grounds
from fieldwork.app.services.findings import read_findings
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.misstatements import read_misstatements
from fieldwork.app.storage.schema import live, opinion

CONTROL_AREAS = {ReportType.TYPE1: (OpinionArea.DESIGN,), ReportType.TYPE2: (OpinionArea.DESIGN, OpinionArea.OPERATION)}


def areas_for(report_type: ReportType) -> tuple[OpinionArea, ...]:
    """What the report opines on: a Type 1 report never speaks of operating effectiveness."""
    return (OpinionArea.DESCRIPTION, *CONTROL_AREAS[report_type])


def _failed_area(grounds: Grounds, code: str) -> OpinionArea:
    """Where a requirement not met failed: design (deficient design, or no control), else operation."""
    if grounds.report_type is ReportType.TYPE1:
        return OpinionArea.DESIGN
    controls = grounds.linked_controls(code)
    tests = [t for c in controls for t in grounds.tests.get(c, ())]
    design_failed = any(t.kind is TestKind.DESIGN and t.status is Status.EXCEPTIONS for t in tests)
    return OpinionArea.DESIGN if design_failed or not controls else OpinionArea.OPERATION


def _judgement_matters(grounds: Grounds, conclusions: Sequence[RequirementConclusion]) -> list[Matter]:
    control_areas = CONTROL_AREAS[grounds.report_type]
    matters = []
    for c in conclusions:
        basis = f": {c.basis}" if c.basis else ""
        if c.conclusion is CriterionConclusion.NOT_MET:
            area = _failed_area(grounds, c.code)
            text = f"{c.code} {c.title}: not met{basis}"
            matters.append(Matter("not_met", text, (area,), c.framework, (c.code,)))
        elif c.conclusion is CriterionConclusion.NOT_CONCLUDED and c.basis:
            text = f"{c.code} {c.title}: could not be concluded{basis}"
            matters.append(Matter("scope_limitation", text, control_areas[-1:], c.framework, (c.code,)))
    return matters


def _pending_matters(grounds: Grounds, conclusions: Sequence[RequirementConclusion]) -> list[Matter]:
    """Work the opinion cannot be supported without: open tests, requirements not concluded, stale conclusions."""
    control_areas = CONTROL_AREAS[grounds.report_type]
    matters = []
    open_tests = sorted(
        grounds.test_refs[t.test_id]
        for found in grounds.tests.values()
        for t in found
        if t.status in (Status.NOT_STARTED, Status.IN_PROGRESS)
    )
    if open_tests:
        noun = "test" if len(open_tests) == 1 else "tests"
        matters.append(Matter("open_tests", f"{len(open_tests)} {noun} open: {listed(open_tests, 5)}", control_areas))
    for framework in Framework:
        waiting = [
            c.code
            for c in conclusions
            if c.framework is framework and c.conclusion is CriterionConclusion.NOT_CONCLUDED and not c.basis
        ]
        if waiting:
            text = f"{len(waiting)} {framework.label} requirement(s) not concluded: {listed(waiting, 5)}"
            matters.append(Matter("not_concluded", text, control_areas, framework, tuple(waiting)))
    for c in conclusions:
        if c.unsupported:
            text = f"{c.code} is concluded {c.conclusion.label.lower()}, but {c.unsupported}"
            matters.append(Matter("unsupported", text, control_areas, c.framework, (c.code,)))
    return matters


def _major_findings(conn: Connection, conclusions: Sequence[RequirementConclusion]) -> tuple[list[Matter], list[str]]:
    """Open major nonconformities, and those raised against a requirement concluded met (a contradiction)."""
    met = {c.code for c in conclusions if c.conclusion is CriterionConclusion.MET}
    matters, contradictions = [], []
    for found in read_findings(conn):
        if found.kind is not FindingKind.MAJOR or not found.open:
            continue
        against = ", ".join(found.requirements)
        text = f"{found.ref} major nonconformity open against {against}: {found.statement}"
        matters.append(Matter("major_nonconformity", text, (), Framework.ISO42001, found.requirements))
        clash = ", ".join(code for code in found.requirements if code in met)
        if clash:
            contradictions.append(f"{found.ref} (a major nonconformity) is open against {clash}, concluded met")
    return matters, contradictions


def _propose(framework: Framework, area: OpinionArea, matters: Iterable[Matter], pervasive: bool) -> AreaProposal:
    bearing = [m for m in matters if area in m.areas and m.framework in (framework, None)]
    failed = [m.text for m in bearing if m.kind in ("not_met", "misstatement")]
    limited = [m.text for m in bearing if m.kind == "scope_limitation"]
    if failed:
        kind = Opinion.ADVERSE if pervasive else Opinion.QUALIFIED
    elif limited:
        kind = Opinion.DISCLAIMER if pervasive else Opinion.QUALIFIED
    else:
        kind = Opinion.UNMODIFIED
    if failed and limited and pervasive:
        kind = Opinion.DISCLAIMER
    return AreaProposal(area, framework, kind, tuple(failed + limited))


def read_judgements(conn: Connection) -> dict[OpinionArea, OpinionJudgement]:
    found = {}
    for row in conn.execute(select(opinion).where(live(opinion))).mappings():
        area = OpinionArea(row["area"])
        kind, reason = Opinion(row["kind"]), row["departure_reason"]
        found[area] = OpinionJudgement(area, kind, row["basis"], row["pervasive"], reason)
    return {area: found.get(area, OpinionJudgement(area, Opinion.UNMODIFIED, "", False, "")) for area in OpinionArea}


def read_worksheet(
    conn: Connection, grounds: Grounds | None = None, conclusions: Sequence[RequirementConclusion] | None = None
) -> OpinionWorksheet:
    grounds = grounds or read_grounds(conn)
    conclusions = conclusions if conclusions is not None else read_conclusions(conn, grounds)
    areas = areas_for(grounds.report_type)
    judgements = read_judgements(conn)
    misstated = [
        Matter("misstatement", f"{m.ref} ({m.section}): {m.description}", (OpinionArea.DESCRIPTION,))
        for m in read_misstatements(conn)
        if m.material and not m.corrected
    ]
    majors, contradictions = _major_findings(conn, conclusions)
    pending = _pending_matters(grounds, conclusions)
    matters = [*_judgement_matters(grounds, conclusions), *misstated, *pending, *majors]
    proposals = tuple(
        _propose(framework, area, matters, judgements[area].pervasive) for area in areas for framework in Framework
    )
    worksheet = OpinionWorksheet(tuple(matters), proposals, tuple(judgements[a] for a in areas), ())
    reasons = [m.text for m in pending] + contradictions + _departures(worksheet)
    return OpinionWorksheet(worksheet.matters, proposals, worksheet.recorded, tuple(reasons))


def _departures(worksheet: OpinionWorksheet) -> list[str]:
    """Recorded opinions the file does not propose (without a reason given), or modified without a basis."""
    reasons = []
    for judged in worksheet.recorded:
        proposed = worksheet.proposed(judged.area)
        if judged.kind is not proposed and not judged.departure_reason:
            reasons.append(
                f"{judged.area.label}: the opinion recorded is {judged.kind.label.lower()}, "
                f"the file proposes {proposed.label.lower()}"
            )
        if judged.kind is not Opinion.UNMODIFIED and not judged.basis:
            reasons.append(f"{judged.area.label}: the {judged.kind.label.lower()} opinion has no basis written")
    return reasons


def opinion_worksheet(db: Engagement) -> OpinionWorksheet:
    with db.reading() as conn:
        return read_worksheet(conn)


def put_judgement(ch: Changes, judged: OpinionJudgement) -> None:
    """Store the opinion on one area in the caller's transaction; a modified one needs its basis."""
    kind = Opinion(judged.kind)
    if kind is not Opinion.UNMODIFIED and not judged.basis.strip():
        raise ValidationError(f"A {kind.label.lower()} opinion needs its basis: the matters that cause it.")
    row = {
        "kind": kind.value,
        "basis": judged.basis.strip(),
        "pervasive": judged.pervasive,
        "departure_reason": judged.departure_reason.strip(),
    }
    ch.update(opinion, {"area": OpinionArea(judged.area).value}, row)


def record_opinion(db: Engagement, judged: OpinionJudgement) -> OpinionWorksheet:
    """Record the opinion on one area; one the file does not propose needs the reason, kept in the history."""
    with changes(db) as ch:
        grounds = read_grounds(ch.conn)
        if judged.area not in areas_for(grounds.report_type):
            area = judged.area.label.lower()
            raise ValidationError(f"A {grounds.report_type.label} report gives no opinion on {area}.")
        put_judgement(ch, judged)
        kind = Opinion(judged.kind)
        worksheet = read_worksheet(ch.conn, grounds)
        proposed = worksheet.proposed(judged.area)
        if kind is not proposed and not judged.departure_reason.strip():
            raise ValidationError(
                f"The file proposes {proposed.label.lower()} on {judged.area.label.lower()}: record that, "
                "or say why the opinion departs from it."
            )
        return worksheet
