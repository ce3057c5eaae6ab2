"""What one action changed, as the services' writes report it (`history.recorded`), for the screens to reload."""

from __future__ import annotations

from pathlib import Path

from fieldwork.app.domain.changed import EVERYTHING, NOTHING, Changed
from fieldwork.app.domain.records import ControlInput
from fieldwork.app.errors import ValidationError
from fieldwork.app.exports.review_pack import PackOptions, write_review_pack
from fieldwork.app.services import controls
from fieldwork.app.services.evidence import LIBRARY_KINDS, attach_files
from fieldwork.app.services.history import changes, recorded
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.storage.schema import control
from fieldwork.app.tasks import Task
from tests.evidence_helpers import make_items, write_file


def test_a_write_reports_the_kinds_of_record_it_changed(engagement: EngagementFile) -> None:
    made, changed = recorded(lambda: controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"]))

    assert made.ref == "C-001"
    assert changed.kinds == {"control", "control_requirement"}
    assert changed.touches({"control"}) and not changed.touches({"sample_item"})


def test_attaching_a_file_to_nothing_changes_only_the_library(engagement: EngagementFile, tmp_path: Path) -> None:
    _, changed = recorded(lambda: attach_files(engagement, [write_file(tmp_path / "a.csv", 100)]))

    assert changed and changed.only(LIBRARY_KINDS)


def test_a_linked_file_changes_what_it_supports(engagement: EngagementFile, tmp_path: Path) -> None:
    items = make_items(engagement)
    _, changed = recorded(lambda: attach_files(engagement, [write_file(tmp_path / "a.csv", 100)], [items.control]))

    assert "evidence_link" in changed.kinds and not changed.only(LIBRARY_KINDS)


def test_a_rolled_back_action_reports_nothing(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Access review"))

    def refused_then_caught() -> None:
        try:
            with changes(engagement) as ch:
                ch.update(control, {"id": made.id}, {"title": "Never kept"})
                raise ValidationError("No.")
        except ValidationError:
            pass

    assert recorded(refused_then_caught)[1] == NOTHING


def test_an_export_recorded_in_the_history_changes_nothing_shown(engagement: EngagementFile, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    _, changed = recorded(lambda: write_review_pack(engagement, pack, Task(), PackOptions()))

    assert pack.is_dir() and not changed


def test_several_actions_add_up() -> None:
    both = Changed(frozenset({"control"})) | Changed(frozenset({"evidence"}))

    assert both.kinds == {"control", "evidence"} and not both.only({"control"})
    assert (both | EVERYTHING).touches({"anything"}) and not EVERYTHING.only({"control"})
