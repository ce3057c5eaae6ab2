"""The work on controls: the control matrix, the tests, every sample item, and the exceptions found.

Each sheet links down the chain a reviewer follows: a sample item to its test, a test to its control, an
exception to both, and any of them to the first evidence file that supports it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from fieldwork.app.domain.ids import DeviationId
from fieldwork.app.domain.records import ControlTest
from fieldwork.app.domain.refs import sample_ref
from fieldwork.app.domain.timeline import coverage_gaps, gap_text
from fieldwork.app.domain.vocabulary import ReportType, SampleResult, Status, TestKind
from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.xlsx.places import CONTROLS, EXCEPTIONS, SAMPLES, TESTS, Places
from fieldwork.app.exports.xlsx.review import SIGNOFF_COLUMNS, signoff_mark, signoff_values
from fieldwork.app.exports.xlsx.table import Column, FileLink, Mark, Row, Table, joined, location, yes_no
from fieldwork.app.services.signables import ItemType


def _links(*pairs: tuple[int, str | FileLink | None]) -> dict[int, str | FileLink]:
    return {index: target for index, target in pairs if target}


def _result(tests: Iterable[ControlTest], kind: TestKind, report_type: ReportType) -> str:
    """What the tests of one kind found: their conclusions, or where they stand if not concluded."""
    found = [t.conclusion.label if t.conclusion else t.status.label for t in tests if t.kind is kind]
    if not found:
        type1 = kind is TestKind.OPERATING and report_type is ReportType.TYPE1
        return "Not applicable (Type 1)" if type1 else "Not tested"
    return "; ".join(dict.fromkeys(found))


def _covers(test: ControlTest) -> tuple[date | None, date | None]:
    """The days a test of operating effectiveness covers (blank for design, and in a Type 1 examination)."""
    if test.kind is not TestKind.OPERATING or test.window is None:
        return None, None
    return test.window.start, test.window.end


def in_report(data: ReportData, test: ControlTest) -> str:
    """Whether the report shows a test and what it found (a Type 1 report leaves operating effectiveness out)."""
    return "Yes" if data.in_examination(test) else "No (Type 1: design only)"


def controls_table(data: ReportData, places: Places) -> Table:
    columns = (
        Column("Reference", 12),
        Column("Title", 40),
        Column("Description", 70),
        Column("Owner", 24),
        Column("Frequency", 16),
        Column("Nature", 20),
        Column("Type", 12),
        Column("Key control", 8),
        Column("SOC 2 criteria", 24),
        Column("ISO/IEC 42001 requirements", 24),
        Column("Tests", 6),
        Column("Design result", 24),
        Column("Operating effectiveness", 24),
        Column("Status", 14),
        Column("Evidence", 16),
        Column("In operation from", 12),
        Column("In operation until", 12),
        Column("Replaces", 12),
        Column("Untested part of the period", 40),
        *SIGNOFF_COLUMNS,
    )
    report_type = data.details.report_type
    untested = coverage_gaps(data.controls, data.tests, data.details.period)
    rows = []
    for control in data.controls:
        tests = places.tests_by_control.get(control.id, ())
        status = data.control_status.get(control.id, Status.NOT_STARTED)
        soc2, iso = places.split(control.requirements)
        evidence, evidence_link = places.evidence(control.ref)
        values = (
            control.ref,
            control.title,
            control.description,
            control.owner,
            control.frequency.label,
            control.nature.label,
            control.control_type.label,
            yes_no(control.is_key),
            soc2,
            iso,
            len(tests),
            _result(tests, TestKind.DESIGN, report_type),
            _result(tests, TestKind.OPERATING, report_type),
            status.label,
            evidence,
            control.effective_from,
            control.effective_to,
            control.replaces_ref,
            gap_text(untested.get(control.id, ())) or None,
            *signoff_values(data, ItemType.CONTROL, str(control.id)),
        )
        failing = status is Status.EXCEPTIONS or control.id in untested
        mark = Mark.EXCEPTION if failing else signoff_mark(data, ItemType.CONTROL, str(control.id))
        rows.append(Row(values, mark, _links((14, evidence_link))))
    return Table(CONTROLS, columns, rows)


def tests_table(data: ReportData, places: Places) -> Table:
    columns = (
        Column("Reference", 14),
        Column("Control", 12),
        Column("Kind", 32),
        Column("Procedure", 70),
        Column("Methods", 44),
        Column("Population", 40),
        Column("Population size", 10),
        Column("Sample size", 8),
        Column("Selection", 12),
        Column("Seed", 12),
        Column("Items in sample", 8),
        Column("Items with a result", 8),
        Column("Items with a deviation", 9),
        Column("Deviations recorded", 10),
        Column("Conclusion", 20),
        Column("Conclusion note", 40),
        Column("Status", 14),
        Column("Evidence", 16),
        Column("Concluded without evidence", 11),
        Column("In the report", 12),
        Column("Round", 14),
        Column("Covers from", 12),
        Column("Covers until", 12),
        Column("Relies on a population (IPE)", 10),
        Column("IPE assessment", 10),
        Column("IPE result", 20),
        *SIGNOFF_COLUMNS,
    )
    populations = {p.test_id: p for p in data.ipe.populations}
    rows = []
    for test in data.tests:
        relied = populations.get(test.id)
        evidence, evidence_link = places.evidence(test.ref)
        values = (
            test.ref,
            test.control_ref,
            test.kind.label,
            test.procedure,
            joined(m.label for m in test.methods),
            test.population,
            test.population_size,
            test.sample_size,
            test.selection.label if test.selection else None,
            test.seed,
            test.items_total,
            test.items_with_result,
            test.items_with_deviation,
            test.deviation_count,
            test.conclusion.label if test.conclusion else None,
            test.conclusion_note,
            test.status.label,
            evidence,
            yes_no(test.id in data.tests_without_evidence) if test.conclusion else None,
            in_report(data, test),
            test.round.label if test.round else None,
            *_covers(test),
            yes_no(relied is not None),
            relied.assessment.ref if relied and relied.assessment else None,
            relied.state if relied else None,
            *signoff_values(data, ItemType.TEST, str(test.id)),
        )
        mark = Mark.EXCEPTION if test.status is Status.EXCEPTIONS else signoff_mark(data, ItemType.TEST, str(test.id))
        control_link = location(CONTROLS, places.control_rows[test.control_id])
        rows.append(Row(values, mark, _links((1, control_link), (17, evidence_link))))
    return Table(TESTS, columns, rows)


def samples_table(data: ReportData, places: Places) -> Table:
    columns = (
        Column("Test", 14),
        Column("Control", 12),
        Column("Item", 6),
        Column("Identifier", 18),
        Column("Date", 12),
        Column("Result", 14),
        Column("Tickmarks", 10),
        Column("Deviation", 70),
        Column("Evidence", 16),
    )
    tests = {test.id: test for test in data.tests}
    rows = []
    for item in data.sample_items:
        test = tests[item.test_id]
        evidence, evidence_link = places.evidence(sample_ref(test.ref, item.seq))
        values = (
            test.ref,
            test.control_ref,
            item.seq,
            item.identifier,
            item.item_date,
            item.result.label if item.result else None,
            item.tickmarks,
            item.deviation_text,
            evidence,
        )
        deviation = item.result is SampleResult.DEVIATION or bool(item.deviation_text)
        links = _links((0, location(TESTS, places.test_rows[test.id])), (8, evidence_link))
        rows.append(Row(values, Mark.EXCEPTION if deviation else None, links))
    return Table(SAMPLES, columns, rows)


def exceptions_table(data: ReportData, places: Places) -> Table:
    columns = (
        Column("Deviation", 16),
        Column("Test", 14),
        Column("Control", 12),
        Column("Description", 70),
        Column("Sample items", 12),
        Column("Found (n of N)", 14),
        Column("Items with a deviation", 9),
        Column("Items in sample", 8),
        Column("Nature", 14),
        Column("Deviations expected", 10),
        Column("Sample extended", 10),
        Column("What the extension showed", 40),
        Column("Root cause", 50),
        Column("Management response", 60),
        Column("Effect", 50),
        Column("Evaluation", 60),
        Column("ISO/IEC 42001 findings", 16),
        Column("SOC 2 criteria affected", 24),
        Column("ISO/IEC 42001 requirements affected", 24),
        Column("In the report", 12),
    )
    tests = {test.id: test for test in data.tests}
    findings: dict[DeviationId, list[str]] = defaultdict(list)
    for raised in data.findings:
        for key in raised.deviation_ids:
            findings[key].append(raised.ref)
    rows = []
    for found in data.deviations:
        test = tests[found.test_id]
        soc2, iso = places.split(found.requirements)
        values = (
            found.ref,
            found.test_ref,
            found.control_ref,
            found.description,
            joined(found.sample_items),
            found.rate_label or None,
            test.items_with_deviation,
            test.items_total,
            found.nature.label if found.nature else None,
            found.expected_deviations,
            yes_no(found.extended),
            found.extension_result or None,
            found.root_cause,
            found.management_response,
            found.effect,
            found.evaluation or None,
            joined(findings.get(found.id, ())),
            soc2,
            iso,
            in_report(data, test),
        )
        test_link = location(TESTS, places.test_rows[test.id])
        control_link = location(CONTROLS, places.control_rows[test.control_id])
        rows.append(Row(values, Mark.EXCEPTION, _links((1, test_link), (2, control_link))))
    return Table(EXCEPTIONS, columns, rows)
