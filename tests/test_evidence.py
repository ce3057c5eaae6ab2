"""Evidence as an auditor handles it: attach, dedupe, link, unlink, delete, extract, cancel."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldwork.app.errors import NotFoundError, ReadOnlyError, ValidationError
from fieldwork.app.services import evidence as ev
from fieldwork.app.services.evidence_copies import extract_evidence
from fieldwork.app.services.evidence_store import ByteProgress
from fieldwork.app.services.history import changes, list_history
from fieldwork.app.services.verify import verify
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.storage.schema import evidence_chunk, finalization, person
from fieldwork.app.tasks import Cancelled, Task
from tests.evidence_helpers import MIB, make_items, row_counts, sha256_of, write_file


def test_attach_streams_in_chunks_and_keeps_the_metadata(engagement: EngagementFile, tmp_path: Path) -> None:
    items = make_items(engagement)
    source = write_file(tmp_path / "Okta users Q3.csv", 2 * MIB + 1234)
    [found] = ev.attach_files(engagement, [source], [items.control], ev.Receipt(date(2026, 10, 2), "  CISO  "), Task())
    assert found.ref == "E-0001" and found.original_name == "Okta users Q3.csv"
    assert found.size == source.stat().st_size and found.sha256 == sha256_of(source)
    assert found.media_type == "text/csv" and found.received_date == date(2026, 10, 2)
    assert found.provided_by == "CISO" and found.attached_by == "Test Auditor (TA)"
    assert found.used_by == ("C-001",)
    with engagement.reading() as conn:
        sizes = [len(d) for d in conn.execute(select(evidence_chunk.c.data).order_by(evidence_chunk.c.seq)).scalars()]
    assert sizes == [MIB, MIB, 1234]


def test_history_records_the_fingerprint_never_the_bytes(engagement: EngagementFile, tmp_path: Path) -> None:
    source = write_file(tmp_path / "policy.pdf", 300_000)
    [found] = ev.attach_files(engagement, [source])
    entries = list_history(engagement, 2)
    assert {(e.action, e.item_type) for e in entries} == {("create", "evidence"), ("create", "evidence_blob")}
    blob_entry = next(e for e in entries if e.item_type == "evidence_blob")
    assert blob_entry.new_values is not None
    assert blob_entry.new_values["sha256"] == found.sha256 and blob_entry.new_values["size"] == 300_000
    evidence_entries = [e for e in list_history(engagement) if e.item_type.startswith("evidence")]
    assert evidence_entries and all(len(json.dumps(e.new_values)) < 1000 for e in evidence_entries)


def test_the_same_content_is_stored_once_and_recorded_twice(engagement: EngagementFile, tmp_path: Path) -> None:
    items = make_items(engagement)
    first = write_file(tmp_path / "export.csv", MIB + 5, seed=b"same")
    second = tmp_path / "export (copy).csv"
    second.write_bytes(first.read_bytes())
    ev.attach_files(engagement, [first], [items.control])
    after_first = row_counts(engagement)
    [again] = ev.attach_files(engagement, [second], [items.design])
    counts = row_counts(engagement)
    assert counts["evidence"] == 2 and counts["evidence_blob"] == 1
    assert counts["evidence_chunk"] == after_first["evidence_chunk"] == 2
    assert again.original_name == "export (copy).csv" and again.used_by == ("C-001.T1",)
    assert len({f.sha256 for f in ev.list_evidence(engagement)}) == 1
    # ... also within one batch
    ev.attach_files(engagement, [first, second])
    assert row_counts(engagement)["evidence_blob"] == 1


def test_links_name_every_item_a_file_supports(engagement: EngagementFile, tmp_path: Path) -> None:
    items = make_items(engagement)
    [found] = ev.attach_files(engagement, [write_file(tmp_path / "review.xlsx", 1000)], [items.sample])
    for target in (items.request, items.operating, items.control, items.control):
        found = ev.link_evidence(engagement, found.id, target)
    assert found.used_by == ("C-001", "C-001.T2", "C-001.T2 #3", "PBC-001")
    uses = ev.where_used(engagement, found.id)
    assert [u.link for u in uses] == [items.control, items.operating, items.sample, items.request]
    assert uses[2].label == "UAR-3" and uses[3].label == "Access review evidence for Q3"
    assert [f.ref for f in ev.evidence_for(engagement, items.sample)] == [found.ref]
    with pytest.raises(NotFoundError):
        ev.link_evidence(engagement, found.id, ev.Link(ev.LinkKind.CONTROL, 999))


def test_unlinking_keeps_the_file_and_its_bytes(engagement: EngagementFile, tmp_path: Path) -> None:
    items = make_items(engagement)
    source = write_file(tmp_path / "minutes.docx", 3000)
    [found] = ev.attach_files(engagement, [source], [items.control, items.design])
    before = row_counts(engagement)
    ev.unlink_evidence(engagement, found.id, items.control)
    found = ev.unlink_evidence(engagement, found.id, items.design)
    assert found.used_by == ()
    assert [f.ref for f in ev.list_evidence(engagement, ev.EvidenceFilter(unused_only=True))] == [found.ref]
    after = row_counts(engagement)
    assert after["evidence_chunk"] == before["evidence_chunk"] and after["evidence_link"] == before["evidence_link"] - 2
    assert [e.action for e in list_history(engagement, 2)] == ["delete", "delete"]
    out = tmp_path / "out"
    out.mkdir()
    assert extract_evidence(engagement, found.ref, out).read_bytes() == source.read_bytes()
    with pytest.raises(NotFoundError, match="not linked"):
        ev.unlink_evidence(engagement, found.id, items.control)


def test_delete_refuses_a_linked_file_and_keeps_shared_bytes(engagement: EngagementFile, tmp_path: Path) -> None:
    items = make_items(engagement)
    source = write_file(tmp_path / "a.txt", 5000)
    copy = tmp_path / "b.txt"
    copy.write_bytes(source.read_bytes())
    linked, shared = ev.attach_files(engagement, [source, copy], [items.control])
    with pytest.raises(ValidationError, match="still supports C-001"):
        ev.delete_evidence(engagement, linked.id)
    for found in (linked, shared):
        ev.unlink_evidence(engagement, found.id, items.control)
    ev.delete_evidence(engagement, linked.id)
    assert row_counts(engagement)["evidence_chunk"] == 1, "b.txt still needs the bytes"
    ev.delete_evidence(engagement, shared.id)
    counts = row_counts(engagement)
    assert counts["evidence"] == counts["evidence_chunk"] == 0, "the bytes go with the last file that needed them"
    assert counts["evidence_blob"] == 1, "the fingerprint stays for the deleted records that name it"
    last = list_history(engagement, 1)[0]
    assert (last.action, last.item_type, last.item_id) == ("drop_content", "evidence_blob", linked.sha256)
    assert verify(engagement)[-1].ok, "content dropped on purpose is not reported as damage"


def test_nothing_is_deleted_from_a_finalized_engagement(engagement: EngagementFile, tmp_path: Path) -> None:
    [found] = ev.attach_files(engagement, [write_file(tmp_path / "a.txt", 10)])
    with changes(engagement) as ch:  # the record finalizing writes (test_review finalizes for real)
        member = ch.conn.execute(select(person.c.id)).scalars().first()
        ch.insert(finalization, {"finalized_at": ch.at_utc, "person_id": member, "manifest": {}})
    with pytest.raises(ReadOnlyError):
        ev.delete_evidence(engagement, found.id)
    assert row_counts(engagement)["evidence"] == 1


def test_extract_round_trips_the_bytes_and_never_overwrites(engagement: EngagementFile, tmp_path: Path) -> None:
    source = write_file(tmp_path / "log export.json", 3 * MIB + 17)
    [found] = ev.attach_files(engagement, [source])
    out = tmp_path / "out"
    out.mkdir()
    first = extract_evidence(engagement, "e-1", out)
    second = extract_evidence(engagement, found.id, out)
    assert first == out / "log export.json" and second == out / "log export (2).json"
    assert sha256_of(first) == sha256_of(second) == found.sha256
    assert first.read_bytes() == source.read_bytes()
    assert sorted(p.name for p in out.iterdir()) == ["log export (2).json", "log export.json"]


def test_filter_and_sort_the_library(engagement: EngagementFile, tmp_path: Path) -> None:
    items = make_items(engagement)
    small = write_file(tmp_path / "b-small.png", 10)
    large = write_file(tmp_path / "A-large.pdf", 5000)
    ev.attach_files(engagement, [small], [items.sample], ev.Receipt(date(2026, 5, 1), "IT"))
    ev.attach_files(engagement, [large], [], ev.Receipt(None, "HR"))
    by_size = ev.list_evidence(engagement, ev.EvidenceFilter(sort=ev.SortKey.SIZE, descending=True))
    assert [f.original_name for f in by_size] == ["A-large.pdf", "b-small.png"]
    by_name = ev.list_evidence(engagement, ev.EvidenceFilter(sort=ev.SortKey.NAME))
    assert [f.original_name for f in by_name] == ["A-large.pdf", "b-small.png"]
    by_received = ev.list_evidence(engagement, ev.EvidenceFilter(sort=ev.SortKey.RECEIVED))
    assert [f.received_date for f in by_received] == [date(2026, 5, 1), None]
    assert [f.ref for f in ev.list_evidence(engagement, ev.EvidenceFilter(text="c-001.t2 #3"))] == ["E-0001"]
    assert [f.ref for f in ev.list_evidence(engagement, ev.EvidenceFilter(text="hr"))] == ["E-0002"]


def cancel_after(limit: int) -> Task:
    task = Task(lambda done, total, label: task.cancel() if done >= limit else None)
    return task


def test_a_cancelled_attach_leaves_nothing(engagement: EngagementFile, tmp_path: Path) -> None:
    items = make_items(engagement)
    done = write_file(tmp_path / "done.bin", MIB)
    big = write_file(tmp_path / "big.bin", 6 * MIB)
    before = row_counts(engagement)
    with pytest.raises(Cancelled):
        ev.attach_files(
            engagement, [done, big], [items.control], ev.Receipt(pbc_request_id=items.request.id), cancel_after(3 * MIB)
        )
    assert row_counts(engagement) == before
    assert ev.list_evidence(engagement) == []
    assert ev.evidence_for(engagement, items.request) == []


def test_a_missing_file_or_target_stops_before_any_bytes(engagement: EngagementFile, tmp_path: Path) -> None:
    present = write_file(tmp_path / "present.txt", 100)
    before = row_counts(engagement)
    with pytest.raises(NotFoundError, match="does not exist"):
        ev.attach_files(engagement, [present, tmp_path / "missing.txt"])
    with pytest.raises(ValidationError, match="not a file"):
        ev.attach_files(engagement, [tmp_path])
    with pytest.raises(NotFoundError, match="control 42 no longer exists"):
        ev.attach_files(engagement, [present], [ev.Link(ev.LinkKind.CONTROL, 42)])
    assert row_counts(engagement) == before


MEMORY_PROBE = """
import json, os, sys
from datetime import date
from pathlib import Path
from fieldwork.app.domain.records import EngagementDetails
from fieldwork.app.domain.vocabulary import ReportType
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.services.evidence import attach_files

def peak_mib():  # this process's own high-water mark (ru_maxrss would include the parent's at fork)
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1]) / 1024

folder = Path(sys.argv[1])
source = folder / "big.bin"
with source.open("wb") as handle:
    block = os.urandom(1 << 20)
    for _ in range(int(sys.argv[2])):
        handle.write(block)
details = EngagementDetails("Acme", "Platform", ReportType.TYPE2, date(2026, 1, 1), date(2026, 12, 31))
db, _ = create_engagement(folder / "m.fieldwork", details)
before = peak_mib()
[found] = attach_files(db, [source])
print(json.dumps({"size": found.size, "peak_mib": peak_mib(), "before_mib": before}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak from /proc")
def test_memory_stays_flat_for_a_200_mb_file(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(tmp_path), "200"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    result = json.loads(done.stdout)
    assert result["size"] == 200 * MIB
    assert result["peak_mib"] < 150 and result["peak_mib"] - result["before_mib"] < 40, result


class FailingDisk:
    """A source whose third read fails, as a USB stick pulled out mid-copy would."""

    def __init__(self) -> None:
        self.reads = 0

    def readinto(self, buffer: bytearray) -> int:
        self.reads += 1
        if self.reads == 3:
            raise OSError(5, "Input/output error")
        buffer[:MIB] = bytes(MIB)
        return MIB


def test_a_failed_read_leaves_nothing(engagement: EngagementFile) -> None:
    items = make_items(engagement)
    before = row_counts(engagement)
    with pytest.raises(OSError, match="Input/output"), changes(engagement) as ch:
        progress = ByteProgress(Task(), 0)
        ev.attach_stream(ch, FailingDisk(), "stick.bin", [items.control], ev.Receipt(), progress)
    assert row_counts(engagement) == before
