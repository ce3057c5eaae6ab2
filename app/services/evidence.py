"""Evidence: files attached to the engagement, what is known about them, and the items they support.

Rules the auditors can rely on:
- The same content attached twice is stored once. Each attach is still its own evidence record (E-0001,
  E-0002) with its own name, received date, provider and request, because two receipts of the same bytes
  are two facts of the engagement; both records point to one blob.
- A file is linked to any number of controls, tests, sample items, PBC requests, findings and AI systems.
  Unlinking removes the link only: the record and its bytes stay in the library (shown as unused), because
  the history names them. Bytes go only with `delete_evidence`, which refuses a file that still supports an item or an
  engagement past its documentation completion date, and keeps a blob another record still shares.
- A file's `pbc_request_id` says which request it was received in answer to; it is always one of its PBC
  links, set when the first PBC link is made and cleared when that link is removed.
- One attach of one or many files is one transaction: a cancel or an error keeps none of the batch.
"""

from __future__ import annotations

import mimetypes
import os
import re
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from uuid import UUID

from sqlalchemy import Connection, RowMapping, func, select

from fieldwork.app.domain.ids import EvidenceId, PbcRequestId, SampleItemId, parse_id
from fieldwork.app.domain.records import EvidenceFile
from fieldwork.app.domain.refs import Ref, sample_ref
from fieldwork.app.domain.targets import Page, Target
from fieldwork.app.domain.vocabulary import TestKind
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import FieldworkError, NotFoundError, ReadOnlyError, ValidationError
from fieldwork.app.services import pbc
from fieldwork.app.services.ai_systems import find_system
from fieldwork.app.services.controls import find_control_id
from fieldwork.app.services.engagement import read_details, read_finalized_at
from fieldwork.app.services.evidence_store import ByteProgress, Readable, drop_content, store_stream
from fieldwork.app.services.findings import find_finding_id
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.ipe import find_ipe_id
from fieldwork.app.services.refs import next_number
from fieldwork.app.services.testing import find_test_id
from fieldwork.app.services.workpapers import find_workpaper_id
from fieldwork.app.storage.schema import (
    ai_system,
    control,
    control_test,
    evidence,
    evidence_blob,
    evidence_link,
    finding,
    ipe_assessment,
    live,
    pbc_request,
    sample_item,
    workpaper,
)
from fieldwork.app.tasks import Task

REF_PATTERN = re.compile(r"^E-?(\d+)$", re.IGNORECASE)
#: The kinds of record only the evidence library and the PBC list show: a file says nothing of a control, a test or
#: a requirement until it is linked (`evidence_link`), and a request's state shows on no other page.
LIBRARY_KINDS = frozenset({evidence.name, evidence_blob.name, pbc_request.name})
#: What the library's rows show (`read_evidence`, `read_uses`): the files, their links, and the reference and title of
#: each item they support.
LIBRARY_SHOWS = LIBRARY_KINDS | {
    table.name
    for table in (evidence_link, control, control_test, sample_item, finding, workpaper, ipe_assessment, ai_system)
}


class LinkKind(StrEnum):
    """What a file can support; the value is the link table's column."""

    CONTROL = "control_id"
    TEST = "test_id"
    SAMPLE_ITEM = "sample_item_id"
    PBC_REQUEST = "pbc_request_id"
    FINDING = "finding_id"
    WORKPAPER = "workpaper_id"
    IPE = "ipe_id"
    AI_SYSTEM = "ai_system_id"


@dataclass(frozen=True)
class Link:
    """An item a file is (or is to be) linked to: its kind and its id."""

    kind: LinkKind
    id: UUID


#: The page each kind of item is shown on (a sample item's is its test's, opened by the test's id).
PAGES = {
    LinkKind.CONTROL: Page.CONTROL,
    LinkKind.TEST: Page.TEST,
    LinkKind.SAMPLE_ITEM: Page.TEST,
    LinkKind.PBC_REQUEST: Page.PBC,
    LinkKind.FINDING: Page.FINDINGS,
    LinkKind.WORKPAPER: Page.WORKPAPER,
    LinkKind.IPE: Page.IPE,
    LinkKind.AI_SYSTEM: Page.AI_SYSTEMS,
}


@dataclass(frozen=True)
class EvidenceUse:
    """An item a file supports: `link` (what unlinking removes), `ref` ("C-001.T2 #3") and `label` to show it, and
    `opens`, the page that shows it."""

    link: Link
    ref: str
    label: str
    opens: Target


@dataclass(frozen=True)
class Receipt:
    """Where a batch of files came from; applies to every file of the batch."""

    received_date: date | None = None
    provided_by: str = ""
    pbc_request_id: PbcRequestId | None = None


class SortKey(StrEnum):
    REF = "ref"
    NAME = "original_name"
    SIZE = "size"
    MEDIA_TYPE = "media_type"
    RECEIVED = "received_date"
    PROVIDED_BY = "provided_by"
    ATTACHED = "attached_at"


@dataclass(frozen=True)
class EvidenceFilter:
    """The library view's filter: `text` matches name, reference, provider, type, request and uses."""

    text: str = ""
    unused_only: bool = False
    sort: SortKey = SortKey.REF
    descending: bool = False

    def matches(self, found: EvidenceFile) -> bool:
        if self.unused_only and found.used_by:
            return False
        wanted = self.text.strip().casefold()
        fields = (found.ref, found.original_name, found.provided_by, found.media_type, found.pbc_ref or "")
        return not wanted or any(wanted in text.casefold() for text in (*fields, *found.used_by))


# --- attach, link, unlink, delete ----------------------------------------------------------------


def _media_type(name: str) -> str:
    return mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"


def _readable_size(path: Path) -> int:
    if not path.exists():
        raise NotFoundError(f"{path} does not exist.")
    if not path.is_file():
        raise ValidationError(f"{path} is not a file; attach the files inside a folder one by one.")
    return path.stat().st_size


def attach_files(
    db: Engagement,
    paths: Sequence[Path | str],
    targets: Sequence[Link] = (),
    receipt: Receipt | None = None,
    task: Task | None = None,
) -> list[EvidenceFile]:
    """Attach files (streamed, hashed, deduplicated) and link each to `targets`, all in one transaction.

    Run it off the GUI thread: `task` reports bytes done and cancels at the next chunk.
    """
    files = [Path(p) for p in paths]
    progress = ByteProgress(task or Task(), sum(_readable_size(p) for p in files))
    with changes(db) as ch:
        ids = []
        for path in files:
            try:
                with path.open("rb", buffering=0) as handle:
                    ids.append(attach_stream(ch, handle, path.name, targets, receipt or Receipt(), progress))
            except OSError as exc:
                raise FieldworkError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
        return read_evidence(ch.conn, ids)


def attach_stream(
    ch: Changes, source: Readable, name: str, targets: Sequence[Link], receipt: Receipt, progress: ByteProgress
) -> EvidenceId:
    """Attach one stream in the caller's transaction; returns the new evidence id."""
    answered = [Link(LinkKind.PBC_REQUEST, receipt.pbc_request_id)] if receipt.pbc_request_id else []
    for target in [*targets, *answered]:
        _require(ch.conn, target)  # before the bytes, so a wrong target costs no streaming
    original_name = os.fsencode(name).decode("utf-8", "replace")  # undecodable bytes cannot be stored as text
    sha256 = store_stream(ch, source, progress, original_name)
    evidence_id = EvidenceId(
        ch.insert(
            evidence,
            {
                "ref": _next_ref(ch.conn),
                "blob_sha256": sha256,
                "original_name": original_name,
                "media_type": _media_type(original_name),
                "received_date": receipt.received_date,
                "provided_by": receipt.provided_by.strip(),
                "pbc_request_id": receipt.pbc_request_id,
                "attached_by": ch.person,
                "attached_at": ch.at_utc,
            },
        )
    )
    for target in [*targets, *answered]:
        link(ch, evidence_id, target)
    return evidence_id


def _next_ref(conn: Connection) -> str:
    return f"E-{next_number(conn, evidence.c.ref, REF_PATTERN):04d}"


_TARGET_TABLES = {
    LinkKind.CONTROL: control,
    LinkKind.TEST: control_test,
    LinkKind.SAMPLE_ITEM: sample_item,
    LinkKind.PBC_REQUEST: pbc_request,
    LinkKind.FINDING: finding,
    LinkKind.WORKPAPER: workpaper,
    LinkKind.IPE: ipe_assessment,
    LinkKind.AI_SYSTEM: ai_system,
}


def _require(conn: Connection, target: Link) -> None:
    table = _TARGET_TABLES[target.kind]
    if conn.execute(select(table.c.id).where(table.c.id == target.id, live(table))).scalar() is None:
        raise NotFoundError(f"The {target.kind.name.lower().replace('_', ' ')} {target.id} no longer exists.")


def _require_evidence(conn: Connection, evidence_id: EvidenceId) -> RowMapping:
    row = conn.execute(select(evidence).where(evidence.c.id == evidence_id, live(evidence))).mappings().first()
    if row is None:
        raise NotFoundError(f"Evidence {evidence_id} no longer exists.")
    return row


def link(ch: Changes, evidence_id: EvidenceId, target: Link) -> None:
    """Link a file to an item (once); a PBC link answers the request and marks it received."""
    found = _require_evidence(ch.conn, evidence_id)
    _require(ch.conn, target)
    column = evidence_link.c[target.kind.value]
    query = select(evidence_link.c.id).where(
        evidence_link.c.evidence_id == evidence_id, column == target.id, live(evidence_link)
    )
    if ch.conn.execute(query).scalar() is not None:
        return
    ch.insert(evidence_link, {"evidence_id": evidence_id, target.kind.value: target.id})
    if target.kind is LinkKind.PBC_REQUEST:
        request_id = PbcRequestId(target.id)
        if found["pbc_request_id"] is None:
            ch.update(evidence, {"id": evidence_id}, {"pbc_request_id": request_id})
        pbc.mark_received(ch, request_id, found["received_date"] or date.today())


def link_evidence(db: Engagement, evidence_id: EvidenceId, target: Link) -> EvidenceFile:
    with changes(db) as ch:
        link(ch, evidence_id, target)
        return read_evidence(ch.conn, [evidence_id])[0]


def unlink_evidence(db: Engagement, evidence_id: EvidenceId, target: Link) -> EvidenceFile:
    """Remove one link; the file and its bytes stay in the library."""
    with changes(db) as ch:
        found = _require_evidence(ch.conn, evidence_id)
        column = evidence_link.c[target.kind.value]
        removed = ch.delete_where(evidence_link, (evidence_link.c.evidence_id == evidence_id) & (column == target.id))
        if not removed:
            raise NotFoundError(f"{found['ref']} is not linked to that item.")
        if target.kind is LinkKind.PBC_REQUEST:
            if found["pbc_request_id"] == target.id:
                still = ch.conn.execute(
                    select(evidence_link.c.pbc_request_id)
                    .where(
                        evidence_link.c.evidence_id == evidence_id,
                        evidence_link.c.pbc_request_id.is_not(None),
                        live(evidence_link),
                    )
                    .order_by(evidence_link.c.id)
                ).scalar()
                ch.update(evidence, {"id": evidence_id}, {"pbc_request_id": still})  # the request it still answers
            pbc.reopen_if_unanswered(ch, PbcRequestId(target.id))
        return read_evidence(ch.conn, [evidence_id])[0]


def delete_evidence(db: Engagement, evidence_id: EvidenceId) -> None:
    """Remove a file attached by mistake: only unlinked, only before documentation completion."""
    with changes(db) as ch:
        details = read_details(ch.conn)
        completed = details.documentation_completion_date
        if read_finalized_at(ch.conn) or (completed is not None and completed <= date.today()):
            raise ReadOnlyError("The documentation is complete: evidence can no longer be deleted.")
        found = _require_evidence(ch.conn, evidence_id)
        uses = read_uses(ch.conn, evidence_id).get(evidence_id, [])
        if uses:
            refs = ", ".join(use.ref for use in uses)
            raise ValidationError(f"{found['ref']} still supports {refs}; unlink it first.")
        ch.delete(evidence, {"id": evidence_id})
        sha256 = found["blob_sha256"]
        still = select(evidence.c.id).where(evidence.c.blob_sha256 == sha256, live(evidence))
        if ch.conn.execute(still).first() is None:
            drop_content(ch, sha256)


# --- reading -------------------------------------------------------------------------------------


def find_evidence_id(conn: Connection, ref_or_id: str | UUID) -> EvidenceId:
    """Resolve E-0001 (also e-1, E1) or an id; the error names what was asked for."""
    text = str(ref_or_id).strip()
    query = select(evidence.c.id).where(live(evidence))
    if (key := parse_id(ref_or_id) if len(text) >= 32 else None) is not None:
        query = query.where(evidence.c.id == key)
    elif match := REF_PATTERN.match(text):
        query = query.where(evidence.c.ref == f"E-{int(match.group(1)):04d}")
    else:
        raise NotFoundError(f"'{text}' is not an evidence reference like E-0001.")
    found = conn.execute(query).scalar()
    if found is None:
        raise NotFoundError(f"There is no evidence {text} in this engagement.")
    return EvidenceId(found)


def read_uses(conn: Connection, evidence_id: EvidenceId | None = None) -> dict[EvidenceId, list[EvidenceUse]]:
    """What each file supports, controls first, then tests, sample items, PBC requests, findings, workpapers and
    IPE assessments."""
    el, item = evidence_link, sample_item
    query = (
        select(
            el,
            control.c.ref.label("control_ref"),
            control.c.title,
            control_test.c.ref.label("test_ref"),
            control_test.c.id.label("shown_test_id"),
            control_test.c.kind,
            item.c.seq,
            item.c.identifier,
            pbc_request.c.ref.label("pbc_ref"),
            pbc_request.c.request,
            finding.c.ref.label("finding_ref"),
            finding.c.statement,
            workpaper.c.ref.label("workpaper_ref"),
            workpaper.c.title.label("workpaper_title"),
            ipe_assessment.c.ref.label("ipe_ref"),
            ai_system.c.ref.label("ai_system_ref"),
            ai_system.c.name,
        )
        .outerjoin(control, control.c.id == el.c.control_id)
        .outerjoin(item, item.c.id == el.c.sample_item_id)
        .outerjoin(control_test, control_test.c.id == func.coalesce(el.c.test_id, item.c.test_id))
        .outerjoin(pbc_request, pbc_request.c.id == el.c.pbc_request_id)
        .outerjoin(finding, finding.c.id == el.c.finding_id)
        .outerjoin(workpaper, workpaper.c.id == el.c.workpaper_id)
        .outerjoin(ipe_assessment, ipe_assessment.c.id == el.c.ipe_id)
        .outerjoin(ai_system, ai_system.c.id == el.c.ai_system_id)
        .where(live(el))
    )
    if evidence_id is not None:
        query = query.where(el.c.evidence_id == evidence_id)
    found: dict[EvidenceId, list[tuple[tuple[int, Ref], EvidenceUse]]] = defaultdict(list)
    for row in conn.execute(query).mappings():
        kind = next(k for k in LinkKind if row[k.value] is not None)
        ref, label = _named(kind, row)
        opened = row["shown_test_id"] if kind is LinkKind.SAMPLE_ITEM else row[kind.value]
        use = EvidenceUse(Link(kind, row[kind.value]), ref, label, Target(PAGES[kind], opened))
        found[row["evidence_id"]].append(((list(LinkKind).index(kind), Ref.parse(ref)), use))
    return {key: [use for _, use in sorted(uses, key=lambda pair: pair[0])] for key, uses in found.items()}


def _named(kind: LinkKind, row: RowMapping) -> tuple[str, str]:
    """How a use is shown: the item's reference and its title (or what it is)."""
    if kind is LinkKind.CONTROL:
        return row["control_ref"], row["title"]
    if kind is LinkKind.TEST:
        return row["test_ref"], TestKind(row["kind"]).label
    if kind is LinkKind.SAMPLE_ITEM:
        return sample_ref(row["test_ref"], row["seq"]), row["identifier"]
    if kind is LinkKind.PBC_REQUEST:
        return row["pbc_ref"], row["request"]
    if kind is LinkKind.FINDING:
        return row["finding_ref"], row["statement"]
    if kind is LinkKind.WORKPAPER:
        return row["workpaper_ref"], row["workpaper_title"]
    if kind is LinkKind.IPE:
        return row["ipe_ref"], "Information produced by the entity"
    return row["ai_system_ref"], row["name"]


def read_evidence(conn: Connection, ids: Collection[EvidenceId] | None = None) -> list[EvidenceFile]:
    """The library in attach order (all of it, or the files `ids`), each with the refs it supports."""
    uses = read_uses(conn)
    query = (
        select(evidence, evidence_blob.c.sha256, evidence_blob.c.size, pbc_request.c.ref.label("pbc_ref"))
        .join(evidence_blob, evidence_blob.c.sha256 == evidence.c.blob_sha256)
        .outerjoin(pbc_request, pbc_request.c.id == evidence.c.pbc_request_id)
        .where(live(evidence))
        .order_by(evidence.c.id)
    )
    if ids is not None:
        query = query.where(evidence.c.id.in_(list(ids)))
    return [
        EvidenceFile(
            id=row["id"],
            ref=row["ref"],
            original_name=row["original_name"],
            size=row["size"],
            media_type=row["media_type"],
            sha256=row["sha256"],
            received_date=row["received_date"],
            provided_by=row["provided_by"],
            pbc_ref=row["pbc_ref"],
            attached_by=row["attached_by"],
            attached_at=row["attached_at"],
            used_by=tuple(use.ref for use in uses.get(row["id"], ())),
            prior_period=row["predecessor_id"] is not None,
        )
        for row in conn.execute(query).mappings()
    ]


def list_evidence(db: Engagement, where: EvidenceFilter | None = None) -> list[EvidenceFile]:
    """The library view: filtered and sorted (files without a received date sort last)."""
    where = where or EvidenceFilter()
    with db.reading() as conn:
        found = [f for f in read_evidence(conn) if where.matches(f)]

    def key(found: EvidenceFile) -> tuple[bool, object]:
        value = getattr(found, "id" if where.sort is SortKey.REF else where.sort.value)
        return (value is None) != where.descending, value.casefold() if isinstance(value, str) else value

    return sorted(found, key=key, reverse=where.descending)


def get_evidence(db: Engagement, ref_or_id: str | UUID) -> EvidenceFile:
    with db.reading() as conn:
        return read_evidence(conn, [find_evidence_id(conn, ref_or_id)])[0]


def where_used(db: Engagement, evidence_id: EvidenceId) -> list[EvidenceUse]:
    with db.reading() as conn:
        _require_evidence(conn, evidence_id)
        return read_uses(conn, evidence_id).get(evidence_id, [])


def evidence_for(db: Engagement, target: Link) -> list[EvidenceFile]:
    """The files supporting one control, test, sample item or PBC request."""
    column = evidence_link.c[target.kind.value]
    with db.reading() as conn:
        query = select(evidence_link.c.evidence_id).where(column == target.id, live(evidence_link))
        ids = conn.execute(query).scalars().all()
        return read_evidence(conn, ids)


def find_sample_item_id(conn: Connection, ref_or_id: str | UUID) -> SampleItemId:
    """Resolve "C-001.T2 #3" (sample item 3 of test C-001.T2) or an id."""
    text = str(ref_or_id).strip()
    query = select(sample_item.c.id).where(live(sample_item))
    if (key := parse_id(ref_or_id) if len(text) >= 32 else None) is not None:
        query = query.where(sample_item.c.id == key)
    elif (ref := Ref.parse(text)).item:
        test_id = find_test_id(conn, str(ref.test_ref))
        query = query.where(sample_item.c.test_id == test_id, sample_item.c.seq == ref.item)
    else:
        raise NotFoundError(f"'{text}' is not a sample item reference like C-001.T2 #3.")
    found = conn.execute(query).scalar()
    if found is None:
        raise NotFoundError(f"There is no sample item {text} in this engagement.")
    return SampleItemId(found)


_FINDERS = {
    LinkKind.CONTROL: find_control_id,
    LinkKind.TEST: find_test_id,
    LinkKind.SAMPLE_ITEM: find_sample_item_id,
    LinkKind.PBC_REQUEST: pbc.find_request_id,
    LinkKind.FINDING: find_finding_id,
    LinkKind.WORKPAPER: find_workpaper_id,
    LinkKind.IPE: find_ipe_id,
    LinkKind.AI_SYSTEM: find_system,
}


def resolve_link(conn: Connection, kind: LinkKind, ref_or_id: str | UUID) -> Link:
    """A target named the way people name it (C-001, C-001.T2, C-001.T2 #3, PBC-004, AI-01) or by id."""
    return Link(kind, _FINDERS[kind](conn, ref_or_id))


def find_link(db: Engagement, kind: LinkKind, ref_or_id: str | UUID) -> Link:
    with db.reading() as conn:
        return resolve_link(conn, kind, ref_or_id)
