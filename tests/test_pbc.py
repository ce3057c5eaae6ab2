"""The PBC list: requests, evidence received in answer, overdue, and the workbook the client fills in."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from fieldwork.app.errors import ValidationError
from fieldwork.app.exports.dataset import gather
from fieldwork.app.exports.pbc_list import HEADER_ROW, export_pbc_list
from fieldwork.app.services import evidence as ev
from fieldwork.app.services import pbc
from fieldwork.app.storage.engagement_file import EngagementFile
from tests.evidence_helpers import make_items, write_file

TODAY = date(2026, 10, 20)


def test_requests_get_references_and_can_change(engagement: EngagementFile) -> None:
    first = pbc.create_request(engagement, pbc.PbcRequestInput(" Population of changes ", "VP Eng", TODAY))
    second = pbc.create_request(engagement, pbc.PbcRequestInput("Board minutes"))
    assert (first.ref, second.ref) == ("PBC-001", "PBC-002") and first.request == "Population of changes"
    received = pbc.update_request(
        engagement, first.id, pbc.PbcRequestInput("Population of changes", "VP Eng", TODAY, pbc.PbcStatus.RECEIVED)
    )
    assert received.status == "received" and received.received_date == date.today()
    with pytest.raises(ValidationError, match="Say what"):
        pbc.create_request(engagement, pbc.PbcRequestInput("  "))
    pbc.delete_request(engagement, second.id)
    assert [r.ref for r in pbc.list_pbc_requests(engagement)] == ["PBC-001"]


def test_overdue_is_derived_from_the_due_date_and_receipt(engagement: EngagementFile) -> None:
    late = pbc.create_request(engagement, pbc.PbcRequestInput("Late", due_date=TODAY - timedelta(days=1)))
    pbc.create_request(engagement, pbc.PbcRequestInput("Due today", due_date=TODAY))
    pbc.create_request(engagement, pbc.PbcRequestInput("No date"))
    overdue = {r.request: r.overdue for r in pbc.list_pbc_requests(engagement, today=TODAY)}
    assert overdue == {"Late": True, "Due today": False, "No date": False}
    values = pbc.PbcRequestInput("Late", due_date=late.due_date, status=pbc.PbcStatus.RECEIVED, received_date=TODAY)
    pbc.update_request(engagement, late.id, values)
    assert not pbc.list_pbc_requests(engagement, today=TODAY)[0].overdue


def test_evidence_in_answer_marks_a_request_received(engagement: EngagementFile, tmp_path: Path) -> None:
    items = make_items(engagement)
    receipt = ev.Receipt(date(2026, 9, 30), "CISO", items.request.id)
    [found] = ev.attach_files(engagement, [write_file(tmp_path / "q3 review.xlsx", 500)], [items.control], receipt)
    assert found.pbc_ref == "PBC-001" and found.used_by == ("C-001", "PBC-001")
    [request] = pbc.list_pbc_requests(engagement)
    assert (request.status, request.received_date, request.evidence_count) == ("received", date(2026, 9, 30), 1)
    with pytest.raises(ValidationError, match="PBC-001 has 1 evidence file"):
        pbc.delete_request(engagement, request.id)

    found = ev.unlink_evidence(engagement, found.id, items.request)
    [request] = pbc.list_pbc_requests(engagement)
    assert found.pbc_ref is None and (request.status, request.received_date) == ("open", None)
    ev.link_evidence(engagement, found.id, items.request)
    assert pbc.list_pbc_requests(engagement)[0].received_date == date(2026, 9, 30)


HOSTILE = ('=HYPERLINK("http://x","y")', "+1+1", "-2-2", "@SUM(A1)", "=cmd|' /C calc'!A0", "bell\x07 and tab\t")


def test_the_workbook_keeps_hostile_text_as_text(engagement: EngagementFile, tmp_path: Path) -> None:
    for text in HOSTILE:
        pbc.create_request(engagement, pbc.PbcRequestInput(text, requested_of=text, due_date=date(2026, 1, 1)))
    target = tmp_path / "pbc.xlsx"
    assert export_pbc_list(engagement, target, today=TODAY) == len(HOSTILE)
    written = [p.name for p in tmp_path.iterdir() if not p.name.endswith((".fieldwork", ".lock", ".holder"))]
    assert written == ["pbc.xlsx"]

    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    rows = list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert [row[1] for row in rows[:5]] == list(HOSTILE[:5])
    assert all(sheet.cell(row=HEADER_ROW + 1 + n, column=2).quotePrefix for n in range(5))
    assert rows[0][3] is not None and rows[0][3].date() == date(2026, 1, 1) and rows[0][4] == "Overdue"


def test_the_demo_has_its_pbc_list_and_evidence_in_the_exports(demo: EngagementFile) -> None:
    data = gather(demo)
    assert len(data.pbc_requests) == 20 and 5 <= len(data.evidence) <= 10
    by_ref = {r.ref: r for r in data.pbc_requests}
    assert by_ref["PBC-002"].status == "received" and by_ref["PBC-002"].evidence_count == 2
    assert by_ref["PBC-013"].status == "open" and by_ref["PBC-013"].overdue
    workpapers = {w.ref for w in data.workpapers}
    assert all(f.used_by for f in data.evidence)
    assert all(f.pbc_ref for f in data.evidence if not set(f.used_by) <= workpapers), "the firm's own letter asks none"
    assert any("#" in ref for f in data.evidence for ref in f.used_by), "some evidence supports sample items"


def test_unlinking_one_request_keeps_the_request_the_file_still_answers(
    engagement: EngagementFile, tmp_path: Path
) -> None:
    items = make_items(engagement)
    second = pbc.create_request(engagement, pbc.PbcRequestInput("Q4 access review"))
    receipt = ev.Receipt(date(2026, 9, 30), "CISO", items.request.id)
    [found] = ev.attach_files(engagement, [write_file(tmp_path / "reviews.xlsx", 500)], [], receipt)
    ev.link_evidence(engagement, found.id, ev.Link(ev.LinkKind.PBC_REQUEST, second.id))
    found = ev.unlink_evidence(engagement, found.id, items.request)
    assert found.pbc_ref == second.ref and found.used_by == (second.ref,)
