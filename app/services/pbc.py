"""The PBC ("provided by client") list: what the auditor asked the client for, and what came back.

A request is open until evidence arrives in answer to it (or the auditor marks it received by hand); then
it is received, on the date the file was received. Overdue is never stored: it is derived when read (a due
date in the past and nothing received), so it cannot go stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, RowMapping, func, select

from fieldwork.app.domain.ids import PbcRequestId
from fieldwork.app.domain.records import PbcRequest
from fieldwork.app.domain.vocabulary import Labelled
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import NotFoundError, ValidationError
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.refs import find_id, next_number
from fieldwork.app.storage.schema import evidence_link, live, pbc_request

REF_PATTERN = re.compile(r"^PBC-(\d+)$")

#: Excel's limit for one cell: the list goes to the client as a workbook, and text is never cut there.
MAX_TEXT = 32_767


class PbcStatus(Labelled):
    OPEN = "open", "Open"
    RECEIVED = "received", "Received"


@dataclass(frozen=True)
class PbcRequestInput:
    request: str
    requested_of: str = ""
    due_date: date | None = None
    status: PbcStatus = PbcStatus.OPEN
    received_date: date | None = None


def _row(values: PbcRequestInput) -> dict[str, Any]:
    request, requested_of = values.request.strip(), values.requested_of.strip()
    if not request:
        raise ValidationError("Say what the client is asked to provide.")
    if max(len(request), len(requested_of)) > MAX_TEXT:
        raise ValidationError(f"A request is limited to {MAX_TEXT:,} characters (one spreadsheet cell).")
    status = PbcStatus(values.status)
    received = (values.received_date or date.today()) if status is PbcStatus.RECEIVED else None
    return {
        "request": request,
        "requested_of": requested_of,
        "due_date": values.due_date,
        "status": status.value,
        "received_date": received,
    }


def next_ref(conn: Connection) -> str:
    return f"PBC-{next_number(conn, pbc_request.c.ref, REF_PATTERN):03d}"


def find_request_id(conn: Connection, ref_or_id: str | UUID) -> PbcRequestId:
    return PbcRequestId(find_id(conn, pbc_request, ref_or_id, "PBC request"))


def insert_request(ch: Changes, values: PbcRequestInput, ref: str | None = None) -> PbcRequestId:
    """Add a request in the caller's transaction (the demo brings its own references)."""
    return PbcRequestId(ch.insert(pbc_request, {"ref": ref or next_ref(ch.conn), **_row(values)}))


def create_request(db: Engagement, values: PbcRequestInput) -> PbcRequest:
    with changes(db) as ch:
        return read_request(ch.conn, insert_request(ch, values))


def update_request(db: Engagement, request_id: PbcRequestId, values: PbcRequestInput) -> PbcRequest:
    row = _row(values)
    with changes(db) as ch:
        read_request(ch.conn, request_id)
        ch.update(pbc_request, {"id": request_id}, row)
        return read_request(ch.conn, request_id)


def delete_request(db: Engagement, request_id: PbcRequestId) -> None:
    """Delete a request nothing answered; one with evidence keeps the record of where the files came from."""
    with changes(db) as ch:
        found = read_request(ch.conn, request_id)
        if found.evidence_count:
            raise ValidationError(
                f"{found.ref} has {found.evidence_count} evidence file(s) attached in answer; unlink them first."
            )
        ch.delete(pbc_request, {"id": request_id})


def mark_received(ch: Changes, request_id: PbcRequestId, on: date) -> None:
    """Evidence arrived in answer to the request: received, on the first such date."""
    status = ch.conn.execute(
        select(pbc_request.c.status).where(pbc_request.c.id == request_id, live(pbc_request))
    ).scalar_one()
    if status != PbcStatus.RECEIVED:
        ch.update(pbc_request, {"id": request_id}, {"status": PbcStatus.RECEIVED.value, "received_date": on})


def reopen_if_unanswered(ch: Changes, request_id: PbcRequestId) -> None:
    """The last file answering a request was unlinked: the request is open again."""
    if not _evidence_counts(ch.conn, request_id).get(request_id):
        ch.update(pbc_request, {"id": request_id}, {"status": PbcStatus.OPEN.value, "received_date": None})


def _evidence_counts(conn: Connection, request_id: PbcRequestId | None = None) -> dict[PbcRequestId, int]:
    query = (
        select(evidence_link.c.pbc_request_id, func.count())
        .where(evidence_link.c.pbc_request_id.is_not(None), live(evidence_link))
        .group_by(evidence_link.c.pbc_request_id)
    )
    if request_id is not None:
        query = query.where(evidence_link.c.pbc_request_id == request_id)
    return {key: int(count) for key, count in conn.execute(query)}


def _record(row: RowMapping, evidence_count: int, today: date) -> PbcRequest:
    received = row["status"] == PbcStatus.RECEIVED
    return PbcRequest(
        id=row["id"],
        ref=row["ref"],
        request=row["request"],
        requested_of=row["requested_of"],
        due_date=row["due_date"],
        status=row["status"],
        received_date=row["received_date"],
        evidence_count=evidence_count,
        overdue=not received and row["due_date"] is not None and row["due_date"] < today,
    )


#: What the PBC list shows (`read_pbc_requests`): the requests and how many files answer each.
SHOWS = frozenset({pbc_request.name, evidence_link.name})


def read_pbc_requests(
    conn: Connection, request_id: PbcRequestId | None = None, today: date | None = None
) -> list[PbcRequest]:
    """The PBC list in reference order, each with its evidence count and whether it is overdue `today`."""
    counts = _evidence_counts(conn, request_id)
    query = select(pbc_request).where(live(pbc_request)).order_by(pbc_request.c.ref)
    if request_id is not None:
        query = query.where(pbc_request.c.id == request_id)
    day = today or date.today()
    return [_record(row, counts.get(row["id"], 0), day) for row in conn.execute(query).mappings()]


def read_request(conn: Connection, request_id: PbcRequestId) -> PbcRequest:
    found = read_pbc_requests(conn, request_id)
    if not found:
        raise NotFoundError(f"PBC request {request_id} no longer exists.")
    return found[0]


def list_pbc_requests(db: Engagement, today: date | None = None) -> list[PbcRequest]:
    with db.reading() as conn:
        return read_pbc_requests(conn, today=today)
