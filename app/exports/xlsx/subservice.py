"""The subservice organizations (each with its own SOC report as reviewed) and the CUECs and CSOCs with the criteria
they support: the settings page's lists and `info --json`, from the same `ReportData.inputs`.

An inclusive organization whose assertion has not been received, and a carved-out one whose report has not been
reviewed, are marked: each is something the report cannot yet rely on.
"""

from __future__ import annotations

from fieldwork.app.domain.subservice import SubserviceOrganization
from fieldwork.app.domain.vocabulary import SubserviceTreatment
from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.xlsx.places import COMPLEMENTARY, SUBSERVICE
from fieldwork.app.exports.xlsx.table import Column, Mark, Row, Table, Value, joined, yes_no


def _organization_row(found: SubserviceOrganization) -> Row:
    report = found.report
    inclusive = found.method is SubserviceTreatment.INCLUSIVE
    values: tuple[Value, ...] = (
        found.name,
        found.services or None,
        found.method.label,
        yes_no(found.assertion_received) if inclusive else None,
        joined(found.controls) if inclusive else None,
        report.report_type.label if report.report_type else None,
        report.period_label or None,
        report.opinion.label if report.opinion else None,
        report.exceptions or None,
        report.reviewed_on,
        yes_no(report.bridge_letter),
    )
    wanting = (inclusive and not found.assertion_received) or report.reviewed_on is None
    return Row(values, Mark.GAP if wanting else None)


def subservice_table(data: ReportData) -> Table:
    columns = (
        Column("Subservice organization", 28),
        Column("Services", 60),
        Column("Method", 10),
        Column("Assertion received (inclusive)", 12),
        Column("Controls it performs (inclusive)", 20),
        Column("Its SOC report", 10),
        Column("Report period or date", 24),
        Column("Report opinion", 14),
        Column("Exceptions in its report", 50),
        Column("Reviewed on", 11),
        Column("Bridge letter", 8),
    )
    rows = [_organization_row(found) for found in data.inputs.subservice]
    note = "None: the system uses no subservice organization, and the report has no subservice wording."
    return Table(SUBSERVICE, columns, rows, empty_note=note)


def complementary_table(data: ReportData) -> Table:
    columns = (
        Column("Reference", 10),
        Column("Kind", 12),
        Column("Control", 70),
        Column("Performed by", 28),
        Column("Criteria it supports", 20),
    )
    rows = [
        Row(
            (found.ref, found.kind.short, found.text, found.organization or "User entities", joined(found.criteria)),
            None if found.criteria else Mark.GAP,
        )
        for found in data.inputs.complementary
    ]
    return Table(COMPLEMENTARY, columns, rows, empty_note="No CUEC or CSOC is recorded.")
