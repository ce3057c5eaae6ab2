"""Identities that survive merging: UUID keys, tombstones, row versions, history numbered per origin."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldwork.app.cli.main import main
from fieldwork.app.domain.records import ControlInput, SampleItemInput, TestPlan
from fieldwork.app.domain.vocabulary import Method, TestKind
from fieldwork.app.errors import NotFoundError
from fieldwork.app.services import controls, testing
from fieldwork.app.services import evidence as ev
from fieldwork.app.services.history import REPLICA_KEY, changes, list_history
from fieldwork.app.services.overview import overview
from fieldwork.app.services.pbc import PbcRequestInput, create_request, delete_request, list_pbc_requests
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.storage.schema import control, control_requirement, fieldwork_meta, history, sample_item
from tests.evidence_helpers import write_file


def _row(db: EngagementFile, table: object, **where: object) -> dict[str, object]:
    with db.reading() as conn:
        query = select(table).where(*(table.c[k] == v for k, v in where.items()))  # type: ignore[attr-defined]
        return dict(conn.execute(query).mappings().one())


def test_records_are_keyed_by_time_ordered_uuids_and_found_by_reference_or_key(engagement: EngagementFile) -> None:
    first = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    second = controls.create_control(engagement, ControlInput("Change approval"), ["CC8.1"])
    assert isinstance(first.id, uuid.UUID) and first.id.version == 7
    assert first.id < second.id, "keys sort in the order records were made"
    assert controls.get_control(engagement, "c-001").id == first.id
    assert controls.get_control(engagement, str(second.id)).ref == "C-002"
    assert controls.get_control(engagement, second.id.hex).ref == "C-002"
    with pytest.raises(NotFoundError, match="no control 1 "):
        controls.get_control(engagement, "1")


def test_a_delete_leaves_a_tombstone_and_the_reference_is_never_given_again(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2", "CC6.3"])
    controls.delete_control(engagement, made.id)

    tombstone = _row(engagement, control, id=made.id)
    assert tombstone["ref"] == "C-001" and tombstone["deleted_at"] and tombstone["version"] == 2
    links = [_row(engagement, control_requirement, control_id=made.id, requirement_code=c) for c in ("CC6.2", "CC6.3")]
    assert all(link["deleted_at"] for link in links)
    assert controls.list_controls(engagement) == []
    assert overview(engagement).counts["controls"] == 0
    assert overview(engagement).statuses["CC6.2"].controls == 0
    with pytest.raises(NotFoundError):
        controls.get_control(engagement, "C-001")
    with pytest.raises(NotFoundError):
        controls.update_control(engagement, made.id, ControlInput("Changed after deletion"))
    assert controls.create_control(engagement, ControlInput("Change approval")).ref == "C-002"


def test_every_change_raises_the_row_version(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Access review"))
    assert _row(engagement, control, id=made.id)["version"] == 1
    controls.update_control(engagement, made.id, ControlInput("Access review", owner="CISO"))
    controls.update_control(engagement, made.id, ControlInput("Access review", owner="CISO"))  # nothing changes
    assert _row(engagement, control, id=made.id)["version"] == 2


def test_a_link_made_again_comes_back_as_a_new_version_of_the_same_row(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    controls.unlink_requirement(engagement, made.id, "CC6.2")
    assert controls.get_control(engagement, made.ref).requirements == ()
    again = controls.link_requirement(engagement, made.id, "CC6.2")
    assert again.requirements == ("CC6.2",)
    link = _row(engagement, control_requirement, control_id=made.id, requirement_code="CC6.2")
    assert link["deleted_at"] is None and link["version"] == 3
    actions = [e.action for e in list_history(engagement) if e.item_type == "control_requirement"]
    assert actions == ["create", "delete", "create"]  # newest first


def test_deleting_a_test_tombstones_its_items_deviations_and_evidence_links(
    engagement: EngagementFile, tmp_path: Path
) -> None:
    made = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    test = testing.add_test(engagement, made.ref, TestPlan(TestKind.OPERATING, "Inspect", (Method.INSPECTION,)))
    items = testing.add_sample_items(engagement, test.id, [SampleItemInput(f"UAR-{n}") for n in range(3)])
    on_test = [ev.Link(ev.LinkKind.TEST, test.id)]
    [file] = ev.attach_files(engagement, [write_file(tmp_path / "a.csv", 100)], on_test)
    testing.delete_test(engagement, test.id)

    assert testing.list_tests(engagement) == []
    assert overview(engagement).counts == {"controls": 1, "tests": 0, "sample_items": 0, "deviations": 0, "evidence": 1}
    assert ev.get_evidence(engagement, file.ref).used_by == ()
    assert all(_row(engagement, sample_item, id=item.id)["deleted_at"] for item in items)
    again = testing.add_test(engagement, made.ref, TestPlan(TestKind.DESIGN, "Walkthrough", (Method.INSPECTION,)))
    assert again.ref == "C-001.T2", "the deleted test's reference stays its own"


def test_a_sample_item_number_is_not_given_again(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    test = testing.add_test(engagement, made.ref, TestPlan(TestKind.OPERATING, "Inspect", (Method.INSPECTION,)))
    items = testing.add_sample_items(engagement, test.id, [SampleItemInput(f"UAR-{n}") for n in range(3)])
    testing.delete_sample_items(engagement, [items[2].id])
    [added] = testing.add_sample_items(engagement, test.id, [SampleItemInput("UAR-9")])
    assert added.seq == 4
    assert [i.seq for i in testing.list_sample_items(engagement, test.id)] == [1, 2, 4]


def test_a_deleted_request_frees_nothing_it_named(engagement: EngagementFile) -> None:
    request = create_request(engagement, PbcRequestInput("Access listing"))
    delete_request(engagement, request.id)
    assert list_pbc_requests(engagement) == []
    assert create_request(engagement, PbcRequestInput("Access listing, again")).ref == "PBC-002"


def test_history_is_numbered_in_this_copys_origin(engagement: EngagementFile) -> None:
    with engagement.reading() as conn:
        replica = conn.execute(select(fieldwork_meta.c.value).where(fieldwork_meta.c.key == REPLICA_KEY)).scalar_one()
        before = conn.execute(select(history.c.origin, history.c.seq)).all()
    assert {origin for origin, _ in before} == {uuid.UUID(replica)}
    assert sorted(seq for _, seq in before) == list(range(1, len(before) + 1))
    with changes(engagement) as ch:
        ch.record("export", "engagement_file", "acme.fieldwork")
    newest = list_history(engagement, 1)[0]
    assert (newest.origin, newest.seq) == (uuid.UUID(replica), len(before) + 1)


def test_info_json_names_records_by_uuid_and_hides_tombstones(
    demo: EngagementFile, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = controls.get_control(demo, "C-002")
    for test in testing.list_tests(demo, victim.id):
        testing.delete_test(demo, test.id)
    controls.delete_control(demo, victim.id)
    demo.close()
    assert main(["info", str(demo.path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "C-002" not in [c["ref"] for c in doc["controls"]]
    assert not [t for t in doc["tests"] if t["control"] == "C-002"]
    assert all(uuid.UUID(c["id"]).version == 7 for c in doc["controls"])
    assert doc["counts"]["controls"] == len(doc["controls"])
