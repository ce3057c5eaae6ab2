"""What the examination covers: the Statement of Applicability and every requirement in scope with its controls.

A requirement no control serves is a gap: it is listed and highlighted, never dropped, as in the report.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.xlsx.places import COVERAGE, SOA
from fieldwork.app.exports.xlsx.review import SIGNOFF_COLUMNS, signoff_mark, signoff_values
from fieldwork.app.exports.xlsx.table import Column, Mark, Row, Table, joined, yes_no
from fieldwork.app.services.signables import ItemType


def _mark(status: Status, gap: bool) -> Mark | None:
    if gap:
        return Mark.GAP
    return Mark.EXCEPTION if status is Status.EXCEPTIONS else None


def soa_table(data: ReportData) -> Table:
    columns = (
        Column("Annex A control", 10),
        Column("Title", 40),
        Column("Included", 9),
        Column("Justification", 70),
        Column("Implementation status", 22),
        Column("Implementing controls", 24),
        Column("Progress", 14),
        Column("Conclusion", 18),
        Column("ISO findings", 14),
        Column("Gap (no control)", 9),
        *SIGNOFF_COLUMNS,
    )
    gaps = set(data.gaps)
    concluded = {c.code: c for c in data.conclusions}
    rows = []
    for line in data.soa:
        gap = line.annex_code in gaps
        conclusion = concluded.get(line.annex_code)
        values = (
            line.annex_code,
            line.title,
            yes_no(line.included),
            line.justification,
            line.implementation_status.label if line.implementation_status else None,
            joined(line.controls),
            line.status.label,
            conclusion.conclusion.label if conclusion else None,
            joined(conclusion.findings) if conclusion else None,
            yes_no(gap),
            *signoff_values(data, ItemType.SOA_LINE, line.annex_code),
        )
        rows.append(Row(values, _mark(line.status, gap) or signoff_mark(data, ItemType.SOA_LINE, line.annex_code)))
    return Table(SOA, columns, rows)


def coverage_table(data: ReportData) -> Table:
    columns = (
        Column("Framework", 14),
        Column("Requirement", 10),
        Column("Title", 50),
        Column("Kind", 20),
        Column("Group", 30),
        Column("Controls", 30),
        Column("Tests", 6),
        Column("Tests concluded", 9),
        Column("Tests with exceptions", 10),
        Column("Tests concluded without evidence", 11),
        Column("Controls awaiting an operating test", 12),
        Column("Progress", 14),
        Column("Conclusion", 18),
        Column("ISO findings", 14),
        Column("Gap (no control)", 9),
    )
    concluded = {c.code: c for c in data.conclusions}
    by_code = {req.code: req for req in data.requirements}
    group_of = {code: group.title for group in data.groups for code in group.requirements}
    controls: dict[str, list[str]] = defaultdict(list)
    unevidenced: Counter[str] = Counter()
    without = Counter(test.control_id for test in data.tests if test.id in data.tests_without_evidence)
    for control in data.controls:
        for code in control.requirements:
            controls[code].append(control.ref)
            unevidenced[code] += without[control.id]
    gaps = set(data.gaps)
    rows = []
    for code, state in data.statuses.items():
        req = by_code[code]
        values = (
            req.framework.label,
            code,
            req.title,
            req.kind.label,
            req.group or group_of.get(code, ""),
            joined(controls.get(code, ())),
            state.tests,
            state.tests_concluded,
            state.tests_with_exceptions,
            0 if state.status is Status.EXCLUDED else unevidenced[code],  # as the other counts of an exclusion
            state.awaiting_operating_test,
            state.status.label,
            concluded[code].conclusion.label,
            joined(concluded[code].findings),
            yes_no(code in gaps),
        )
        rows.append(Row(values, _mark(state.status, code in gaps)))
    return Table(COVERAGE, columns, rows)
