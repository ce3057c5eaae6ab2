"""One reference type (C-001, C-001.T2, C-001.T2 #3: read once, written once) and one typed target (a page and what
on it), used from the services to the screens."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from fieldwork.app.domain.ids import new_id
from fieldwork.app.domain.refs import Ref, control_test_ref, sample_ref
from fieldwork.app.domain.targets import Page, Target
from fieldwork.app.services import evidence as ev
from fieldwork.app.services.signables import ItemType, item_target, resolve_item, written_key
from fieldwork.app.storage.engagement_file import EngagementFile
from tests.evidence_helpers import make_items, write_file


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("C-001", Ref("C-001")),
        ("c-001.t2", Ref("C-001", 2)),
        ("C-001.T2 #3", Ref("C-001", 2, 3)),
        (" c-001.T2#3 ", Ref("C-001", 2, 3)),
        ("AC-1.2.T10 # 12", Ref("AC-1.2", 10, 12)),
        ("PBC-004", Ref("PBC-004")),
    ],
)
def test_a_reference_is_read_however_it_is_typed_and_written_one_way(typed: str, read: Ref) -> None:
    assert Ref.parse(typed) == read
    assert Ref.parse(str(read)) == read


def test_references_sort_as_people_count() -> None:
    typed = ["C-001.T2 #10", "C-001.T10", "C-001.T2 #3", "C-001", "C-001.T2"]

    assert [str(r) for r in sorted(map(Ref.parse, typed))] == ["C-001", "C-001.T2", "C-001.T2 #3", "C-001.T2 #10",
                                                               "C-001.T10"]  # fmt: skip
    assert (control_test_ref("C-001", 4), sample_ref("C-001.T4", 2)) == ("C-001.T4", "C-001.T4 #2")


def test_a_target_takes_only_the_key_its_page_is_opened_by() -> None:
    control = new_id()

    assert Target("control", control) == Target(Page.CONTROL, control)
    assert Target(Page.REQUIREMENT, "CC6.1").key == "CC6.1"
    with pytest.raises(TypeError):
        Target(Page.CONTROL, "C-001")
    with pytest.raises(TypeError):
        Target(Page.DASHBOARD, control)
    with pytest.raises(ValueError):
        Target("no such page")


def test_a_file_on_a_sample_item_opens_its_test(engagement: EngagementFile, tmp_path: Path) -> None:
    items = make_items(engagement)
    [added] = ev.attach_files(engagement, [write_file(tmp_path / "a.csv", 10)], [items.sample, items.control])

    uses = ev.where_used(engagement, added.id)

    assert [(u.ref, u.opens) for u in uses] == [
        ("C-001", Target(Page.CONTROL, items.control.id)),
        ("C-001.T2 #3", Target(Page.TEST, items.operating.id)),
    ]
    assert ev.find_link(engagement, ev.LinkKind.SAMPLE_ITEM, "c-001.t2 # 3") == items.sample


def test_a_signed_item_opens_on_its_page() -> None:
    key = new_id()

    assert item_target(ItemType.TEST, str(key)) == Target(Page.TEST, key)
    assert isinstance(item_target(ItemType.FINDING, str(key)).key, UUID)
    assert item_target(ItemType.SOA_LINE, "A.6.2.5") == Target(Page.SOA, "A.6.2.5")
    assert item_target(ItemType.OPINION, "opinion") == Target(Page.OPINION)


def test_the_key_a_workbook_row_carries_reads_back_as_its_item(engagement: EngagementFile) -> None:
    items = make_items(engagement)
    written = written_key(ItemType.TEST, str(items.operating.id))

    with engagement.reading() as conn:
        assert resolve_item(conn, written) == (ItemType.TEST, str(items.operating.id))
        assert resolve_item(conn, "c-001.t2") == (ItemType.TEST, str(items.operating.id))
