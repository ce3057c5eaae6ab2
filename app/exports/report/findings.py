"""The ISO/IEC 42001 findings register in the usual form: number, requirements, statement, objective evidence,
grade, and clause 10.2's corrective action with its owner, due date and status.

Certification grades never enter the attestation report's sections (`JUDGEMENTS.md` section 1): the register
appears as an appendix of the internal copy and as the separate findings report for management.
"""

from __future__ import annotations

from app.domain.judgements import Finding
from app.exports.report.conclusions import labelled
from app.exports.report.figures import ReportFigures
from app.exports.report.model import Block, Heading, PageBreak, Para, Run, Style


def _field(label: str, text: str) -> Para:
    """ "Label: text", the text in the body's weight (a register is read, not scanned)."""
    return Para(labelled(label, (Run(text),)))


def _finding(found: Finding) -> list[Block]:
    due = found.due_date.isoformat() if found.due_date else "no due date"
    blocks: list[Block] = [
        Para(f"{found.ref} {found.kind.label}: {', '.join(found.requirements)}", Style.SUBHEAD, keep_with_next=True),
        _field("Requirement", ", ".join(found.requirements)),
        _field("Statement", found.statement),
    ]
    if found.prior_period:
        blocks.append(_field("Raised", "in the prior period; its corrective action is followed up in this one"))
    evidence = "; ".join(filter(None, (found.objective_evidence, ", ".join(found.evidence))))
    if evidence:
        blocks.append(_field("Objective evidence", evidence))
    if found.deviations:
        blocks.append(_field("Found in testing", ", ".join(found.deviations)))
    for label, text in (
        ("Correction", found.correction),
        ("Root cause", found.root_cause),
        ("Corrective action", found.corrective_action),
    ):
        if text:
            blocks.append(_field(label, text))
    if found.kind.nonconformity:
        owner = found.owner or "no owner named"
        blocks.append(_field("Owner and due date", f"{owner}, {due}"))
    blocks.append(_field("Status", found.status.label))
    if found.verified_on:
        verified = f"{found.verified_by}, {found.verified_on.isoformat()}: {found.verification}"
        blocks.append(_field("Verification of effectiveness", verified))
    return blocks


def findings_register(figures: ReportFigures, title: str) -> list[Block]:
    """The register as an appendix (or the body of the findings report), one finding after another."""
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
        story += _finding(found)
    return story
