"""Section IV: every trust services criterion in order, the controls serving it, the tests and their results.

A control that serves several criteria is listed under each with the same tests and results (it was
tested once), as SOC 2 reports present it. A criterion no control serves is shown and flagged, never
dropped. The complementary controls a criterion depends on are listed under it.
"""

from __future__ import annotations

from fieldwork.app.domain.ipe import IpeResult
from fieldwork.app.domain.judgements import CriterionConclusion
from fieldwork.app.domain.records import Requirement
from fieldwork.app.domain.subservice import ComplementaryControl, ComplementaryKind
from fieldwork.app.domain.vocabulary import Framework
from fieldwork.app.exports.report.conclusions import conclusion_line, labelled
from fieldwork.app.exports.report.controls import Describer
from fieldwork.app.exports.report.figures import ReportFigures
from fieldwork.app.exports.report.model import Block, Cell, Heading, PageBreak, Para, Row, Style, Table, gap, single
from fieldwork.app.exports.report.wording import render

SUMMARY_WIDTHS = (0.34, 0.11, 0.11, 0.11, 0.11, 0.11, 0.11)


def progress_summary(figures: ReportFigures, framework: Framework) -> list[Block]:
    """Where each category or clause stands (internal copy only: work in progress is for the engagement team),
    from the same progress figures the app's overview shows."""
    if not figures.internal:
        return []
    gaps = set(figures.data.gaps)
    rows = []
    totals = [0] * 6
    for group in figures.data.groups:
        if group.framework is framework:
            counts = group.counts
            without = sum(code in gaps for code in group.requirements)
            numbers = [counts.in_scope, counts.concluded, counts.exceptions, counts.in_progress, counts.not_started]
            totals = [a + b for a, b in zip(totals, [*numbers, without], strict=True)]
            rows.append(Row((single(group.title), *_numbers(numbers, without))))
    rows.append(Row((single("Total", Style.CELL_STRONG), *_numbers(totals[:5], totals[5]))))
    first = "Category" if framework is Framework.SOC2 else "Clause or Annex A objective"
    header = (first, "In scope", "Concluded", "Exceptions", "In progress", "Not started", "No control")
    return [
        Para("Progress of the work (internal copy only):", Style.BODY, keep_with_next=True),
        Table(header, tuple(rows), SUMMARY_WIDTHS, "Progress"),
    ]


def _numbers(numbers: list[int], without: int) -> list[Cell]:
    """A summary row's figures; requirements without a control are a gap."""
    return [*(single(str(n)) for n in numbers), single((gap(str(without)),)) if without else single("0")]


def ipe_summary(figures: ReportFigures) -> list[Block]:
    """Where the assessments of the populations the tests rely on stand (internal copy only), from the register the
    workbook's Tests sheet and `info` show."""
    register = figures.data.ipe
    if not figures.internal or not register.populations:
        return []
    populations = register.populations
    reliable = sum(p.result is IpeResult.RELIABLE for p in populations)
    not_reliable = [p.test_ref for p in populations if p.result is IpeResult.NOT_RELIABLE]
    unassessed = [p.test_ref for p in populations if not p.assessed]
    text = (
        f"Information produced by the entity (internal copy only): {len(populations)} tests rely on a population; "
        f"{register.assessed} are assessed, {reliable} complete and accurate."
    )
    blocks: list[Block] = [Para(text, Style.BODY)]
    for label, refs in (("Found not complete and accurate", not_reliable), ("Not yet assessed", unassessed)):
        if refs:
            blocks.append(Para(f"{label}: {', '.join(refs)}.", Style.FLAG))
    if not register.rule.required:
        blocks.append(
            Para(
                f"The rule requiring an assessment before a clean conclusion is off: {register.rule.reason}", Style.FLAG
            )
        )
    return blocks


def complementary_under(figures: ReportFigures, code: str) -> list[Block]:
    """The CUECs and CSOCs a criterion depends on, as the description identifies them."""
    found = [c for c in figures.data.inputs.complementary if code in c.criteria]
    blocks: list[Block] = []
    for kind in ComplementaryKind:
        listed = [c for c in found if c.kind is kind]
        if listed:
            blocks.append(Para(f"{kind.label}s this criterion depends on:", Style.BODY, keep_with_next=True))
            blocks += [Para(_complementary_line(c), Style.ITEM) for c in listed]
    return blocks


def _complementary_line(found: ComplementaryControl) -> str:
    """ "CSOC-01 Amazon Web Services, Inc.: AWS restricts ...": its reference, for a CSOC who performs it, its text."""
    who = f"{found.organization}: " if found.organization else ""
    return " ".join(part for part in (found.ref, who + found.text) if part)


def criterion_block(figures: ReportFigures, describer: Describer, criterion: Requirement) -> list[Block]:
    """A criterion, its controls and their tests; not relevant to the system: the reason instead (DC8 discloses it).

    The internal copy states the auditor's conclusion on each criterion; the client copy's opinion speaks for all.
    """
    controls = figures.controls_by_code.get(criterion.code, [])
    blocks: list[Block] = [Heading(criterion.label, 3)]
    concluded = figures.conclusion(criterion.code)
    if concluded is not None and concluded.conclusion is CriterionConclusion.NOT_RELEVANT:
        return [*blocks, Para(labelled("Not relevant to the system", concluded.basis))]
    if figures.internal:
        blocks.append(conclusion_line(figures, criterion.code))
    if controls:
        blocks.append(describer.table(controls, criterion.code))
    else:
        text = f"[No control is mapped to {criterion.code}: it is in scope and not yet addressed]"
        blocks.append(Para(text, Style.FLAG))
    return blocks + complementary_under(figures, criterion.code)


def section_four(figures: ReportFigures) -> list[Block]:
    return [
        PageBreak(),
        Heading("Section IV: Trust services criteria, related controls, tests of controls and results", 0),
        *render("section4_introduction.txt", figures.data),
        *ipe_summary(figures),
        *progress_summary(figures, Framework.SOC2),
    ]


def category(figures: ReportFigures, name: str) -> list[Block]:
    describer = Describer(figures)
    story: list[Block] = [PageBreak(), Heading(name, 1)]
    for group, criteria in figures.criteria(name).items():
        story.append(Heading(group, 2))
        for criterion in criteria:
            story += criterion_block(figures, describer, criterion)
    return story
