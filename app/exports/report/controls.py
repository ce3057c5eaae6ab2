"""A control as the report describes it: the control, the tests performed on it, and their results.

The same rows describe a control under a trust services criterion (Section IV) and, for a control that
serves only ISO/IEC 42001 requirements, in Section IV-A; a result reads the same wherever it appears.
The internal copy adds what only the engagement team needs: test references with their row in the
workpapers, sample seeds, the evidence examined and how far unfinished work has got. A control in operation for
part of the period says when it started, stopped or replaced another; a test covering part of it says the days
it covered and its round; a remediation retest is reported after the test whose exception it follows, which
stays as it was found.
"""

from __future__ import annotations

from collections import defaultdict

from fieldwork.app.domain.fairness import StoredFairnessResult
from fieldwork.app.domain.ids import TestId
from fieldwork.app.domain.over_time import Span
from fieldwork.app.domain.records import Control, ControlTest, EvidenceFile
from fieldwork.app.domain.subservice import performed_by
from fieldwork.app.domain.timeline import control_notes, coverage_gaps, gap_text, test_title, window_note
from fieldwork.app.domain.vocabulary import Conclusion, Selection, TestKind
from fieldwork.app.exports.report.figures import ReportFigures
from fieldwork.app.exports.report.model import Cell, Para, Row, Style, Table, filled, gap, joined
from fieldwork.app.services.fairness import ratio_text

CONTROL_WIDTHS = (0.32, 0.44, 0.24)
SEEDED = (Selection.RANDOM, Selection.SYSTEMATIC)


def items(count: int) -> str:
    return f"{count:,} item" if count == 1 else f"{count:,} items"


def _control(control: Control, period: Span | None, serves: str = "") -> list[Para]:
    facts = " · ".join([control.frequency.label, control.nature.label, control.control_type.label])
    facts += " · key control" if control.is_key else ""
    lines = [
        Para(f"{control.ref} {control.title}", Style.CELL_STRONG),
        filled(control.description, "control description"),
        filled(control.owner, "control owner", Style.CELL_NOTE, before="Owner: ", after=f" · {facts}"),
        *(Para(f"{note}.", Style.CELL_NOTE) for note in control_notes(control, period)),
    ]
    return [*lines, Para(f"Serves {serves}", Style.CELL_NOTE)] if serves else lines


def _sample(figures: ReportFigures, test: ControlTest) -> Para:
    if test.selection is Selection.ALL:
        return Para("Sample: all items in the population", Style.CELL_NOTE)
    if test.population_size == 0:
        return Para("Sample: none, as the population is empty", Style.CELL_NOTE)
    if test.sample_size is None or test.selection is None:
        missing = "sample size" if test.sample_size is None else "selection method"
        return Para(joined("Sample: ", (gap(f"MISSING: {missing}"),)), Style.CELL_NOTE)
    seeded = figures.internal and test.selection in SEEDED and test.seed is not None
    seed = f" (seed {test.seed})" if seeded else ""
    return Para(f"Sample: {items(test.sample_size)}, {test.selection.label.lower()} selection{seed}", Style.CELL_NOTE)


def _fairness(stored: StoredFairnessResult) -> Para:
    """A fairness re-performance in one line: the file, what it held, and the groups below four fifths."""
    figures = stored.result.figures
    below = ", ".join(f"{g.group} ({ratio_text(g.impact_ratio)})" for g in figures.below_four_fifths) or "none"
    return Para(
        f"Fairness re-performed from {figures.source_name} (SHA-256 {figures.sha256}): {figures.decisions:,} "
        f"decisions by {figures.group_column}; groups below four fifths of {figures.reference.group}'s rate: {below}",
        Style.CELL_NOTE,
    )


class Describer:
    """Builds control rows; knows where each test sits in the workpapers for the internal copy's pointers."""

    def __init__(self, figures: ReportFigures) -> None:
        self.figures = figures
        self.test_rows = {test.id: row for row, test in enumerate(figures.data.tests, start=2)}  # under the header
        self.period = figures.data.details.period
        shown = [test for tests in figures.tests_by_control.values() for test in tests]
        self.untested = coverage_gaps(figures.data.controls, shown, self.period)
        self.fairness: dict[TestId, list[StoredFairnessResult]] = defaultdict(list)
        for stored in figures.data.fairness:
            self.fairness[stored.test_id].append(stored)
        self.performed_by = performed_by(figures.data.inputs.subservice)

    def _name(self, test: ControlTest) -> str:
        """How a test is named: by its reference in the internal copy, by its kind (and round) in the client's."""
        return test.ref if self.figures.internal else test_title(test)

    def _test(self, test: ControlTest) -> list[Para]:
        """What the auditor did: the procedure, the methods and, for operating effectiveness, the sample."""
        methods = ", ".join(m.label.lower() for m in test.methods)
        if self.figures.internal:
            title = f"{test.ref} · {test_title(test)} · workpapers: Tests row {self.test_rows[test.id]}"
        else:
            title = test_title(test)
        window = window_note(test, self.period)
        lines = [
            Para(title, Style.CELL_STRONG, space_before=True),
            *([Para(f"{window}.", Style.CELL_NOTE)] if window else []),
            filled(test.procedure, "procedure"),
            filled(methods, "methods", Style.CELL_NOTE, before="Methods: "),
        ]
        if test.kind is TestKind.OPERATING:
            size = f" ({items(test.population_size)})" if test.population_size is not None else ""
            lines.append(filled(test.population, "population", Style.CELL_NOTE, before="Population: ", after=size))
            lines.append(_sample(self.figures, test))
        if self.figures.internal:  # the decisions file and its fingerprint are workpaper detail
            lines += [_fairness(stored) for stored in self.fairness[test.id]]
        return lines

    def _result(self, test: ControlTest) -> list[Para]:
        """ "No exceptions noted", each deviation exactly as recorded, or a gap when the test is not concluded."""
        notes = self.figures.result(test)
        name = self._name(test)
        if any(note.exception for note in notes):
            label = Para(f"{name}: {Conclusion.EXCEPTIONS.label}", Style.CELL_EXCEPTION, space_before=True)
            return [label, *(Para(note.text, Style.CELL) for note in notes)]
        return [
            Para(f"{name}: [{n.text}]", Style.CELL_GAP, space_before=True)
            if n.flagged
            else Para(f"{name}: {n.text}", Style.CELL, space_before=True)
            for n in notes
        ]

    def _evidence(self, files: list[EvidenceFile]) -> Para:
        listed = "; ".join(f"{e.ref} {e.original_name}" for e in files)
        return Para(f"Evidence examined: {listed}", Style.CELL_NOTE, space_before=True)

    def row(self, control: Control, serves: str = "") -> Row:
        """One control: the control, the tests performed (and, internally, the evidence), the results."""
        figures = self.figures
        tests = figures.tests_by_control[control.id]
        performed = [line for test in tests for line in self._test(test)]
        results = [line for test in tests for line in self._result(test)]
        if not tests:
            missing = "MISSING: tests" if figures.type2 else "MISSING: test of design"
            performed.append(Para((gap(missing),), Style.CELL))
            results.append(Para((gap("No result"),), Style.CELL))
        if control.id in figures.data.awaiting_operating_test:
            performed.append(Para((gap("MISSING: test of operating effectiveness"),), Style.CELL, space_before=True))
            results.append(Para((gap("No result for operating effectiveness"),), Style.CELL, space_before=True))
        if control.id in self.untested:
            results.append(Para((gap(gap_text(self.untested[control.id])),), Style.CELL, space_before=True))
        files = figures.evidence_by_control[control.id]
        if figures.internal and files:
            performed.append(self._evidence(files))
        described = _control(control, self.period, serves)
        described += [
            Para(f"Performed by {name}, a subservice organization (inclusive method).", Style.CELL_NOTE)
            for name in self.performed_by.get(control.ref, ())
        ]
        cells: tuple[Cell, ...] = (tuple(described), tuple(performed), tuple(results))
        return Row(cells)

    def header(self) -> tuple[str, str, str]:
        tested = "Tests of operating effectiveness and design" if self.figures.type2 else "Tests of design"
        return (
            "Control specified by the service organization",
            f"{tested} performed by the service auditor",
            "Results of tests",
        )

    def table(self, controls: list[Control], caption: str, serves: bool = False) -> Table:
        """`serves`: name the requirements each control serves (where it is described away from them)."""
        rows = tuple(self.row(c, ", ".join(c.requirements) if serves else "") for c in controls)
        return Table(self.header(), rows, CONTROL_WIDTHS, caption)
