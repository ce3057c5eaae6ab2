"""Section IV-A: the ISO/IEC 42001 criteria, each requirement once, and the Statement of Applicability.

A requirement states the results of tests in the attestation's words and where its controls are
described: under a trust services criterion in Section IV, or, for a control that serves only
ISO/IEC 42001 requirements, at the end of this section, so every control is described once.
Under each requirement: the auditor's conclusion with its basis, and the findings raised against it (statements
only: their certification grades stay in the findings register).
"""

from __future__ import annotations

from fieldwork.app.domain.records import Control, Requirement, SoaLine
from fieldwork.app.domain.vocabulary import Framework, RequirementKind
from fieldwork.app.exports.report.conclusions import conclusion_line, labelled
from fieldwork.app.exports.report.controls import Describer
from fieldwork.app.exports.report.figures import ISO_ONLY_CONTROLS, Note, ReportFigures
from fieldwork.app.exports.report.model import Block, Heading, PageBreak, Para, Row, Style, Table, Text, gap, single
from fieldwork.app.exports.report.soc2 import progress_summary
from fieldwork.app.exports.report.wording import render

SOA_WIDTHS = (0.18, 0.11, 0.28, 0.145, 0.125, 0.16)
SOA = "Statement of Applicability (Annex A)"


def _note(note: Note) -> Text:
    return (gap(note.text),) if note.flagged else note.text


class IsoSection:
    def __init__(self, figures: ReportFigures) -> None:
        self.figures = figures
        self.iso_only_ids = {c.id for c in figures.iso_only_controls()}

    def where(self, control: Control) -> str:
        """Where a control is described, with its tests and results."""
        criterion = self.figures.described_under.get(control.id)
        if criterion is not None:
            return f"described in Section IV under {criterion}"
        return f"described below, under {ISO_ONLY_CONTROLS}"

    def requirement(self, requirement: Requirement, level: int) -> list[Block]:
        figures, code = self.figures, requirement.code
        blocks: list[Block] = [Heading(requirement.label, level)]
        # A requirement's entry is short: its lines stay together with the first item under them.
        blocks.append(Para(labelled("Results of tests", _note(figures.iso_result(code))), keep_with_next=True))
        blocks.append(conclusion_line(figures, code))
        systems = figures.data.ai.systems_concerned(code)
        if systems:
            blocks.append(Para(labelled("AI systems concerned", ", ".join(systems)), keep_with_next=True))
        blocks += self._exceptions(code)
        blocks += [
            Para(f"Finding {found.ref}: {found.statement}", Style.ITEM)
            for found in figures.data.findings
            if code in found.requirements
        ]
        blocks += self._controls(requirement)
        return blocks

    def _exceptions(self, code: str) -> list[Block]:
        """The exceptions bearing on this requirement itself, exactly as recorded, with the test that found them."""
        found = self.figures.deviations_by_code.get(code, [])
        if not found:
            return []
        named = (lambda d: f"{d.test_ref}: ") if self.figures.internal else (lambda d: f"{d.control_ref}: ")
        return [
            Para("Exceptions noted:", Style.BODY, keep_with_next=True),
            *(Para(named(d) + d.description, Style.ITEM) for d in found),
        ]

    def _controls(self, requirement: Requirement) -> list[Block]:
        figures, code = self.figures, requirement.code
        controls = figures.controls_by_code.get(code, [])
        if controls:
            return [
                Para("Controls:", Style.BODY, keep_with_next=True),
                *(Para(f"{c.ref} {c.title}: {self.where(c)}.", Style.ITEM) for c in controls),
            ]
        children = figures.children[code]
        state = figures.data.statuses.get(code)
        if children and state is not None and not state.gap:
            return [Para(f"Addressed through the requirements under it: {', '.join(children)}.")]
        return [Para(f"[No control is mapped to {code}: it is in scope and not yet addressed]", Style.FLAG)]

    def clause(self, top: Requirement) -> list[Block]:
        story: list[Block] = [PageBreak(), Heading(f"Clause {top.label}", 1)]
        for code in self.figures.descendants(top.code):
            story += self.requirement(self.figures.requirements[code], 1 + self.figures.depth(code))
        return story

    def annex_a(self) -> list[Block]:
        """The included Annex A controls under their objectives (the excluded ones are in the SoA with why)."""
        figures = self.figures
        included = {line.annex_code for line in figures.data.soa if line.included}
        story: list[Block] = [PageBreak(), Heading("Annex A controls included in the Statement of Applicability", 1)]
        for requirement in figures.iso_tree(RequirementKind.ANNEX_OBJECTIVE):
            level = 2 + figures.depth(requirement.code)
            if requirement.kind is not RequirementKind.ANNEX_CONTROL:
                story.append(Heading(requirement.label, level))
            elif requirement.code in included:
                story += self.requirement(requirement, level)
        return story

    def iso_only(self) -> list[Block]:
        controls = [c for c in self.figures.data.controls if c.id in self.iso_only_ids]
        story: list[Block] = [PageBreak(), Heading(ISO_ONLY_CONTROLS, 1)]
        if not controls:
            return [*story, Para("Every control that serves an ISO/IEC 42001 requirement is described in Section IV.")]
        lead = (
            "These controls serve no trust services criterion in scope, so they are described here, once, with the "
            "ISO/IEC 42001 requirements each serves, the tests we performed and their results."
        )
        return [*story, Para(lead), Describer(self.figures).table(controls, ISO_ONLY_CONTROLS, serves=True)]

    def _soa_row(self, line: SoaLine) -> Row:
        figures = self.figures
        concluded = figures.conclusion(line.annex_code)
        status = line.implementation_status
        missing_status: Text = (gap("MISSING: status"),) if line.included else ""
        implemented_by: Text = ", ".join(line.controls) or ((gap("None mapped"),) if line.included else "")
        result = (Para(_note(figures.iso_result(line.annex_code)), Style.CELL),)
        cells = (
            single(f"{line.annex_code} {line.title}", Style.CELL_STRONG),
            single("Included" if line.included else "Excluded"),
            single(line.justification or (gap("MISSING: justification"),)),
            single(status.label if status else missing_status),
            single(implemented_by),
            result + ((Para(f"Conclusion: {concluded.conclusion.label}", Style.CELL_NOTE),) if concluded else ()),
        )
        return Row(cells)

    def statement_of_applicability(self) -> list[Block]:
        """All Annex A controls under their objectives, in tree order, included or excluded, with the results."""
        figures = self.figures
        lines = {line.annex_code: line for line in figures.data.soa}
        rows: list[Row] = []
        for requirement in figures.iso_tree(RequirementKind.ANNEX_OBJECTIVE):
            if requirement.code in lines:
                rows.append(self._soa_row(lines[requirement.code]))
            elif requirement.kind is not RequirementKind.ANNEX_CONTROL:
                rows.append(Row((single(requirement.label, Style.GROUP),), group=True))
        header = (
            "Annex A control",
            "Included or excluded",
            "Justification",
            "Implementation status",
            "Implemented by",
            "Results of tests",
        )
        lead = (
            "Each Annex A control with the service organization's decision to include or exclude it, its "
            "justification and implementation status, the controls that implement it and the results of our tests."
        )
        return [PageBreak(), Heading(SOA, 1), Para(lead), Table(header, tuple(rows), SOA_WIDTHS, SOA)]


def section_four_a(figures: ReportFigures) -> list[Block]:
    return [
        PageBreak(),
        Heading("Section IV-A: ISO/IEC 42001 criteria", 0),
        *render("section4a_introduction.txt", figures.data),
        *progress_summary(figures, Framework.ISO42001),
    ]
