"""The record sheets: the evidence index, review notes, and the audit trail of every change."""

from __future__ import annotations

import json

from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.xlsx.places import AUDIT_TRAIL, EVIDENCE, Places
from fieldwork.app.exports.xlsx.table import Column, Row, Table, joined, utc_datetime


def evidence_table(data: ReportData, places: Places) -> Table:
    """The evidence index; in a review pack each file name opens the file's copy."""
    columns = (
        Column("Reference", 10),
        Column("File name", 40),
        Column("Size (bytes)", 12),
        Column("Media type", 24),
        Column("SHA-256", 66),
        Column("Received", 12),
        Column("Provided by", 24),
        Column("PBC request", 12),
        Column("Attached by", 20),
        Column("Attached (UTC)", 19),
        Column("Supports", 40),
        Column("Period", 12),
    )
    rows = [
        Row(
            (
                found.ref,
                found.original_name,
                found.size,
                found.media_type,
                found.sha256,
                found.received_date,
                found.provided_by,
                found.pbc_ref,
                found.attached_by,
                utc_datetime(found.attached_at),
                joined(found.used_by),
                "Prior period" if found.prior_period else None,
            ),
            links={1: link} if (link := places.file(found.ref)) else {},
        )
        for found in data.evidence
    ]
    return Table(EVIDENCE, columns, rows, "No evidence files are attached to this engagement.")


_as_json = json.JSONEncoder(ensure_ascii=False).encode


def _values(values: dict[str, object] | None) -> str:
    """A changed row as `field: value` lines; text and whole numbers as they are, anything else as JSON."""
    if not values:
        return ""
    return "\n".join(
        [
            f"{name}: {value}" if value.__class__ in (str, int) else f"{name}: {_as_json(value)}"
            for name, value in values.items()
        ]
    )


def audit_trail_table(data: ReportData) -> Table:
    """Oldest first, as a log reads; the filter sorts it any other way."""
    columns = (
        Column("Entry", 8),
        Column("Time (UTC)", 19),
        Column("Person", 20),
        Column("Action", 10),
        Column("Item type", 24),
        Column("Item", 16),
        Column("Old values", 60),
        Column("New values", 60),
    )
    rows = [
        Row(
            (
                entry.seq,
                utc_datetime(entry.at_utc),
                entry.person,
                entry.action,
                entry.item_type,
                entry.item_id,
                _values(entry.old_values),
                _values(entry.new_values),
            )
        )
        for entry in sorted(data.history, key=lambda e: e.seq)
    ]
    return Table(AUDIT_TRAIL, columns, rows)
