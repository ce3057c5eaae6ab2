"""Sections IV and IV-A: every requirement in order, the controls serving it, the tests and their results.

A control that serves several requirements is listed under each with the same tests and
results (it was tested once). A requirement no control serves is shown and flagged, never
dropped. The same rows serve both frameworks, so a result reads the same wherever it appears.
"""

from __future__ import annotations

from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table

from app.domain.records import Control, ControlTest, EvidenceFile, Requirement, SoaLine
from app.domain.vocabulary import Conclusion, Framework, RequirementKind, Selection, TestKind
from app.exports.pdf.figures import ReportFigures
from app.exports.pdf.fonts import markup
from app.exports.pdf.front import wording
from app.exports.pdf.layout import Outline, RoomFor
from app.exports.pdf.styles import (
    BODY,
    CELL_EXCEPTION,
    CELL_GAP,
    CELL_NOTE,
    CELL_STRONG,
    GROUP_ROW,
    MUTED,
    flag,
    gap,
    text_or_gap,
)
from app.exports.pdf.tables import Cell, cell, filled_cell, grid, header_cells, text_cell, widths

CONTROL_COLUMNS = widths(0.32, 0.44, 0.24)
SUMMARY_COLUMNS = widths(0.34, 0.11, 0.11, 0.11, 0.11, 0.11, 0.11)
SOA_COLUMNS = widths(0.18, 0.11, 0.28, 0.145, 0.125, 0.16)
SEEDED = (Selection.RANDOM, Selection.SYSTEMATIC)


def _items(count: int) -> str:
    return f"{count:,} item" if count == 1 else f"{count:,} items"


def _stacked(groups: list[list[Flowable]]) -> list[Flowable]:
    """The groups of a cell one under another, with a little air between them."""
    stacked: list[Flowable] = []
    for group in groups:
        stacked += [Spacer(0, 5), *group] if stacked else group
    return stacked


def _control(control: Control) -> list[Flowable]:
    facts = " · ".join([control.frequency.label, control.nature.label, control.control_type.label])
    facts += " · key control" if control.is_key else ""
    return [
        text_cell(f"{control.ref} {control.title}", CELL_STRONG),
        filled_cell(control.description, "control description"),
        filled_cell(control.owner, "control owner", CELL_NOTE, before="Owner: ", after=f" · {facts}"),
    ]


def _sample(test: ControlTest) -> Paragraph:
    if test.selection is Selection.ALL:
        return text_cell("Sample: all items in the population", CELL_NOTE)
    if test.population_size == 0:
        return text_cell("Sample: none, as the population is empty", CELL_NOTE)
    if test.sample_size is None or test.selection is None:
        missing = "sample size" if test.sample_size is None else "selection method"
        return cell(f"Sample: {gap(f'MISSING: {missing}')}", CELL_NOTE)
    seed = f" (seed {test.seed})" if test.selection in SEEDED and test.seed is not None else ""
    return text_cell(f"Sample: {_items(test.sample_size)}, {test.selection.label.lower()} selection{seed}", CELL_NOTE)


def _test(test: ControlTest) -> list[Flowable]:
    """What the auditor did: the procedure, the methods and, for operating effectiveness, the sample."""
    methods = ", ".join(m.label.lower() for m in test.methods)
    lines = [
        text_cell(f"{test.ref} · {test.kind.label}", CELL_STRONG),
        filled_cell(test.procedure, "procedure"),
        filled_cell(methods, "methods", CELL_NOTE, before="Methods: "),
    ]
    if test.kind is TestKind.OPERATING:
        size = f" ({_items(test.population_size)})" if test.population_size is not None else ""
        lines.append(filled_cell(test.population, "population", CELL_NOTE, before="Population: ", after=size))
        lines.append(_sample(test))
    return lines


def _evidence(files: list[EvidenceFile]) -> Paragraph:
    return text_cell("Evidence examined: " + "; ".join(f"{e.ref} {e.original_name}" for e in files), CELL_NOTE)


def _result(figures: ReportFigures, test: ControlTest) -> list[Flowable]:
    """ "No exceptions noted", each deviation exactly as recorded, or a gap when the test is not concluded."""
    notes = figures.result(test)
    if any(note.exception for note in notes):
        label = text_cell(f"{test.ref}: {Conclusion.EXCEPTIONS.label}", CELL_EXCEPTION)
        return [label, *(text_cell(note.text) for note in notes)]
    return [
        text_cell(f"{test.ref}: [{n.text}]", CELL_GAP) if n.flagged else text_cell(f"{test.ref}: {n.text}")
        for n in notes
    ]


def _control_header(figures: ReportFigures) -> list[str]:
    tested = "Tests of operating effectiveness and design" if figures.type2 else "Tests of design"
    return [
        "Control specified by the service organization",
        f"{tested} performed by the service auditor",
        "Results of tests",
    ]


def control_rows(figures: ReportFigures, controls: list[Control]) -> list[list[Cell]]:
    """One row per control: the control, the tests performed (and evidence), the results."""
    missing = "MISSING: tests" if figures.type2 else "MISSING: test of design"
    rows: list[list[Cell]] = []
    for control in controls:
        tests = figures.tests_by_control[control.id]
        performed = [_test(test) for test in tests] or [[cell(gap(missing))]]
        results = [_result(figures, test) for test in tests] or [[cell(gap("No result"))]]
        if control.id in figures.data.awaiting_operating_test:
            performed.append([cell(gap("MISSING: test of operating effectiveness"))])
            results.append([cell(gap("No result for operating effectiveness"))])
        files = figures.evidence_by_control[control.id]
        performed += [[_evidence(files)]] if files else []
        rows.append([_control(control), _stacked(performed), _stacked(results)])
    return rows


def requirement_block(
    figures: ReportFigures, outline: Outline, requirement: Requirement, level: int, above: Flowable | None = None
) -> list[Flowable]:
    """A criterion or subclause: its heading, its conclusion (ISO) and its controls, or a flag when it has none.

    `above` (a group's heading) is kept on the same page as the requirement's first row.
    """
    lead: list[Flowable] = [above] if above is not None else []
    lead.append(outline.heading(requirement.label, level))
    if requirement.framework is Framework.ISO42001:
        concluded = figures.conclusion(requirement.code)
        text = gap(concluded.text) if concluded.flagged else f"<b>{markup(concluded.text)}</b>"
        lead.append(Paragraph(f'<font color="{MUTED.hexval()}">Conclusion:</font> {text}', BODY))
    controls = figures.controls_by_code.get(requirement.code, [])
    if controls:
        header, rows = _control_header(figures), control_rows(figures, controls)
        keep = RoomFor(lead, [header_cells(header), rows[0]], CONTROL_COLUMNS)
        return [keep, *lead, grid(header, rows, CONTROL_COLUMNS)]
    children = figures.children[requirement.code]
    state = figures.data.statuses.get(requirement.code)
    if children and state is not None and not state.gap:
        lead.append(Paragraph(f"Addressed through its subclauses: {', '.join(children)}.", BODY))
    else:
        lead.append(flag(f"No control is mapped to {requirement.code}: it is in scope and not yet addressed"))
    return [RoomFor(lead, [], CONTROL_COLUMNS), *lead]


def progress_summary(figures: ReportFigures, framework: Framework) -> Table:
    """Where each category or clause stands, from the same progress figures the app's overview shows."""
    gaps = set(figures.data.gaps)
    rows = []
    for group in figures.data.groups:
        if group.framework is framework:
            counts = group.counts
            without = sum(code in gaps for code in group.requirements)
            numbers = [counts.in_scope, counts.concluded, counts.exceptions, counts.in_progress, counts.not_started]
            without_cell = cell(gap(str(without)) if without else "0")
            rows.append([cell(markup(group.title)), *(cell(str(n)) for n in numbers), without_cell])
    first = "Category" if framework is Framework.SOC2 else "Clause or Annex A objective"
    header = [first, "In scope", "Concluded", "Exceptions", "In progress", "Not started", "No control"]
    return grid(header, rows, SUMMARY_COLUMNS)


def section_four(figures: ReportFigures, outline: Outline) -> list[Flowable]:
    return [
        PageBreak(),
        outline.heading("Section IV: Trust services criteria, related controls, tests of controls and results", 0),
        *wording("section4_introduction.txt", figures),
        progress_summary(figures, Framework.SOC2),
    ]


def category(figures: ReportFigures, outline: Outline, name: str) -> list[Flowable]:
    story: list[Flowable] = [PageBreak(), outline.heading(name, 1)]
    for group, criteria in figures.criteria(name).items():
        above = outline.heading(group, 2)
        for number, criterion in enumerate(criteria):
            story += requirement_block(figures, outline, criterion, 3, above if number == 0 else None)
    return story


def section_four_a(figures: ReportFigures, outline: Outline) -> list[Flowable]:
    intro = (
        "This section presents our examination of the AI management system against ISO/IEC 42001:2023. For each "
        "subclause of clauses 4 to 10 it lists the controls and evidence we examined, the tests and their results, "
        "and our conclusion on the requirement: met, met with exceptions or not met. The Statement of "
        f"Applicability that follows lists all {len(figures.data.soa)} Annex A controls."
    )
    return [
        PageBreak(),
        outline.heading("Section IV-A: ISO/IEC 42001 AI management system", 0),
        Paragraph(intro, BODY),
        progress_summary(figures, Framework.ISO42001),
    ]


def clause(figures: ReportFigures, outline: Outline, top: Requirement) -> list[Flowable]:
    story: list[Flowable] = [PageBreak(), outline.heading(f"Clause {top.label}", 1)]
    for code in figures.descendants(top.code):
        story += requirement_block(figures, outline, figures.requirements[code], 1 + figures.depth(code))
    return story


def _soa_row(figures: ReportFigures, line: SoaLine) -> list[Cell]:
    finding = figures.conclusion(line.annex_code)
    status = line.implementation_status
    return [
        cell(f"<b>{markup(line.annex_code)}</b> {markup(line.title)}"),
        cell("Included" if line.included else "Excluded"),
        cell(text_or_gap(line.justification, "justification")),
        cell(status.label if status else (gap("MISSING: status") if line.included else "")),
        cell(markup(", ".join(line.controls)) if line.controls else (gap("None mapped") if line.included else "")),
        cell(gap(finding.text) if finding.flagged else markup(finding.text)),
    ]


def statement_of_applicability(figures: ReportFigures, outline: Outline) -> list[Flowable]:
    """All Annex A controls under their objectives, included or excluded, with the result of the work."""
    lines = {line.annex_code: line for line in figures.data.soa}
    rows: list[list[Cell]] = []
    group_rows = []
    kinds = (RequirementKind.ANNEX_OBJECTIVE, RequirementKind.ANNEX_SUB_OBJECTIVE, RequirementKind.ANNEX_CONTROL)
    for requirement in figures.iso(*kinds):
        if requirement.code in lines:
            rows.append(_soa_row(figures, lines[requirement.code]))
        elif requirement.kind is not RequirementKind.ANNEX_CONTROL:
            group_rows.append(len(rows) + 1)  # + the header row
            title = cell(f"{markup(requirement.code)} {markup(requirement.title)}", GROUP_ROW)
            rows.append([title, *[""] * (len(SOA_COLUMNS) - 1)])
    header = [
        "Annex A control",
        "Included or excluded",
        "Justification",
        "Implementation status",
        "Implemented by",
        "Result",
    ]
    return [
        PageBreak(),
        outline.heading("Statement of Applicability (Annex A)", 1),
        Paragraph(
            "Each Annex A control with the service organization's decision to include or exclude it, its "
            "justification and implementation status, the client controls that implement it and our result.",
            BODY,
        ),
        grid(header, rows, SOA_COLUMNS, group_rows=group_rows),
    ]
