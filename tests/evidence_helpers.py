"""Shared set-up for the evidence tests: an engagement with a control, its tests and sample items, and files."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, true

from fieldwork.app.domain.records import ControlInput, SampleItemInput, TestPlan
from fieldwork.app.domain.vocabulary import Method, TestKind
from fieldwork.app.services import controls, testing
from fieldwork.app.services.evidence import Link, LinkKind
from fieldwork.app.services.pbc import PbcRequestInput, create_request
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.storage.schema import (
    evidence,
    evidence_blob,
    evidence_chunk,
    evidence_link,
    history,
    is_tracked,
    live,
)

MIB = 1 << 20


@dataclass(frozen=True)
class Items:
    control: Link
    design: Link
    operating: Link
    sample: Link
    request: Link


def make_items(db: EngagementFile) -> Items:
    """C-001 with a design test (T1), an operating test (T2) with three sample items, and PBC-001."""
    made = controls.create_control(db, ControlInput("Quarterly access review"), ["CC6.2"])
    design = testing.add_test(db, made.ref, TestPlan(TestKind.DESIGN, "Walkthrough", (Method.INSPECTION,)))
    operating = testing.add_test(db, made.ref, TestPlan(TestKind.OPERATING, "Inspected", (Method.INSPECTION,)))
    items = testing.add_sample_items(db, operating.id, [SampleItemInput(f"UAR-{n}") for n in range(1, 4)])
    request = create_request(db, PbcRequestInput("Access review evidence for Q3", "CISO"))
    return Items(
        Link(LinkKind.CONTROL, made.id),
        Link(LinkKind.TEST, design.id),
        Link(LinkKind.TEST, operating.id),
        Link(LinkKind.SAMPLE_ITEM, items[2].id),
        Link(LinkKind.PBC_REQUEST, request.id),
    )


def write_file(path: Path, size: int, seed: bytes = b"") -> Path:
    """A file of `size` pseudo-random bytes (different seeds, different content)."""
    block = hashlib.sha256(seed or path.name.encode()).digest() * 2048 + os.urandom(16)
    with path.open("wb") as handle:
        for start in range(0, size, len(block)):
            handle.write(block[: min(len(block), size - start)])
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while data := handle.read(MIB):
            digest.update(data)
    return digest.hexdigest()


def row_counts(db: EngagementFile) -> dict[str, int]:
    """Rows the engagement holds: live records (not tombstones), content, history."""
    with db.reading() as conn:
        return {
            table.name: int(
                conn.execute(
                    select(func.count()).select_from(table).where(live(table) if is_tracked(table) else true())
                ).scalar_one()
            )
            for table in (evidence, evidence_blob, evidence_chunk, evidence_link, history)
        }
