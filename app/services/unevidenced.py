"""Tests concluded without any evidence: a conclusion a reviewer cannot trace to a file.

A test counts as evidenced when a live evidence file is linked to it or to one of its sample items. Evidence
linked only to its control (a policy, say) supports the control's description, not what the test found, so it
does not count here. The workbook, the dashboard and `fieldwork info --json` all read this one list.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from fieldwork.app.domain.ids import TestId
from fieldwork.app.storage.schema import control, control_test, evidence, evidence_link, live, sample_item


def read_tests_without_evidence(conn: Connection) -> dict[TestId, str]:
    """Each concluded test no live evidence file supports (directly or through a sample item): id to reference,
    in the order `testing.read_tests` lists tests."""
    link = evidence_link
    supported_test = func.coalesce(link.c.test_id, sample_item.c.test_id)
    supported = (
        select(supported_test)
        .select_from(link)
        .join(evidence, (evidence.c.id == link.c.evidence_id) & live(evidence))
        .outerjoin(sample_item, (sample_item.c.id == link.c.sample_item_id) & live(sample_item))
        .where(live(link), supported_test.is_not(None))
    )
    query = (
        select(control_test.c.id, control_test.c.ref)
        .join(control, control.c.id == control_test.c.control_id)
        .where(live(control_test), control_test.c.conclusion.is_not(None), control_test.c.id.not_in(supported))
        .order_by(control.c.ref, control_test.c.id)
    )
    return {row.id: row.ref for row in conn.execute(query)}
