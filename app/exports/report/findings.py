"""An ISO/IEC 42001 finding in the usual form: number, grade, requirements, statement, objective evidence, where
it came from, and clause 10.2's correction, root cause and corrective action with owner, due date, status,
verification of effectiveness and closure.

Certification grades never enter the attestation report's sections (`JUDGEMENTS.md` section 1): the form is
used by the internal copy's appendix and by the separate findings report for management, so both say the same.
What names workpapers (deviation and evidence references, file names) is in the internal copy only.
"""

from __future__ import annotations

from fieldwork.app.domain.judgements import Finding, FindingStatus
from fieldwork.app.exports.report.figures import ReportFigures
from fieldwork.app.exports.report.model import Block, Cell, Heading, PageBreak, Para, Row, Style, Table, gap, single
from fieldwork.app.exports.report.wording import long_date

#: What management has not yet given for a nonconformity: a gap, since the finding is incomplete without it.
AWAITED = "to be provided by management"


def _requirements(figures: ReportFigures, found: Finding) -> Cell:
    """Each requirement with its title, as management looks it up in the standard."""
    known = figures.requirements
    return tuple(Para(known[code].label if code in known else code, Style.CELL) for code in found.requirements)


def _sources(figures: ReportFigures, found: Finding) -> Cell:
    """The exceptions the finding came from, as the report names them for this copy."""
    paras = []
    for key in found.deviation_ids:
        deviation = figures.deviation_by_id.get(key)
        if deviation is None:
            continue
        named = f"{deviation.ref} ({deviation.control_ref})" if figures.internal else deviation.control_ref
        paras.append(Para(f"{named}: {deviation.description}", Style.CELL))
    return tuple(paras)


def _evidence(figures: ReportFigures, found: Finding) -> Cell:
    """The objective evidence as written; the internal copy adds the evidence files it rests on."""
    paras = [Para(found.objective_evidence, Style.CELL)] if found.objective_evidence else []
    if figures.internal and found.evidence_ids:
        known = figures.evidence_by_id
        files = "; ".join(f"{known[key].ref} {known[key].original_name}" for key in found.evidence_ids if key in known)
        paras.append(Para(f"Evidence files: {files}", Style.CELL_NOTE, space_before=bool(paras)))
    return tuple(paras)


def _response(text: str) -> Cell:
    """A nonconformity's clause 10.2 step: what management wrote, or a gap while it is awaited."""
    return single(text if text else (gap(AWAITED),))


def _verification(found: Finding) -> Cell:
    if found.verified_on:
        by = found.verified_by or "the engagement team"
        return single(f"Verified by {by} on {long_date(found.verified_on)}: {found.verification}")
    return single("Not yet verified" if found.open else "-")


def _rows(figures: ReportFigures, found: Finding) -> list[tuple[str, Cell]]:
    rows: list[tuple[str, Cell]] = [
        ("Requirements" if len(found.requirements) > 1 else "Requirement", _requirements(figures, found)),
        ("Statement", single(found.statement)),
        ("Objective evidence", _evidence(figures, found) or single("-")),
    ]
    if found.ai_systems:
        rows.append(("AI systems concerned", single(", ".join(found.ai_systems))))
    if found.deviation_ids:
        rows.append(("Exceptions it arose from", _sources(figures, found)))
    if found.prior_period:
        rows.append(("Raised", single("In the prior period; its corrective action is followed up in this one")))
    steps = (
        ("Correction", found.correction),
        ("Root cause", found.root_cause),
        ("Corrective action", found.corrective_action),
    )
    if found.kind.nonconformity:
        rows += [(label, _response(text)) for label, text in steps]
        rows += [("Owner", _response(found.owner)), ("Due date", _response(long_date(found.due_date) or ""))]
    else:
        rows += [(label, single(text)) for label, text in steps if text]
    closed = f", {long_date(found.closed_on)}" if found.status is FindingStatus.CLOSED and found.closed_on else ""
    rows.append(("Status", single(f"{found.status.label}{closed}")))
    if found.kind.nonconformity or found.verified_on:
        rows.append(("Verification of effectiveness", _verification(found)))
    return rows


def finding_title(found: Finding) -> str:
    return f"{found.ref} {found.kind.label}: {', '.join(found.requirements)}"


def finding_form(figures: ReportFigures, found: Finding) -> Table:
    """One finding's form, whose header repeats on any page it runs onto."""
    rows = tuple(Row((single(label, Style.CELL_STRONG), cell)) for label, cell in _rows(figures, found))
    header = ("Finding", f"{found.ref} · {found.kind.label}")
    return Table(header, rows, (0.24, 0.76), found.ref)


def findings_register(figures: ReportFigures, title: str) -> list[Block]:
    """The register as the internal copy's appendix, one finding after another in reference order."""
    story: list[Block] = [PageBreak(), Heading(title, 0)]
    findings = figures.data.findings
    if not findings:
        return [*story, Para("No ISO/IEC 42001 findings are recorded.")]
    story.append(
        Para(
            "Findings are raised against the ISO/IEC 42001 requirements they concern and graded as in a "
            "certification audit (major or minor nonconformity, observation, opportunity for improvement). "
            "The grades are for management and the engagement team; the examination report states results and "
            "conclusions in the attestation's words.",
            Style.BODY,
        )
    )
    for found in findings:
        story += [Para(finding_title(found), Style.SUBHEAD, keep_with_next=True), finding_form(figures, found)]
    return story
