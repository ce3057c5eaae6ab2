"""The readiness page and the crosswalk banner, used the way an auditor does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pytestqt.qtbot import QtBot

from fieldwork.app.catalog import load_catalog
from fieldwork.app.domain.readiness import Coverage
from fieldwork.app.domain.records import ControlInput
from fieldwork.app.services import controls
from fieldwork.app.services import engagement as engagement_service
from fieldwork.app.services.crosswalk_update import crosswalk_update
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.ui.context import Target
from fieldwork.ui.dialogs.crosswalk_review import CrosswalkReview
from fieldwork.ui.views.readiness import ReadinessView
from fieldwork.ui.views.settings import SettingsView
from fieldwork.ui.workspace import Workspace
from tests.conftest import TEAM, type2_details
from tests.test_crosswalk_update import crosswalk_2026_1
from tests.ui.conftest import shown_workspace


def readiness_view(workspace: Workspace) -> ReadinessView:
    workspace.open_target(Target("readiness"))
    view = workspace.views["readiness"]
    assert isinstance(view, ReadinessView)
    return view


def test_the_page_is_in_the_navigator_and_adding_a_template_closes_its_gaps(
    workspace: Workspace, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    controls.create_control(workspace.db, ControlInput("Annual risk assessment"), ["CC3.2"])
    controls.create_control(workspace.db, ControlInput("Changes approved before release"), ["CC8.1"])
    workspace.reload()
    assert any(node.target == Target("readiness") for node in workspace.model.root.children)
    view = readiness_view(workspace)
    qtmodeltester.check(view.lines)
    qtmodeltester.check(view.templates)
    coverage = {line.code: line.coverage for line in view.lines.rows}
    assert coverage["A.5.4"] is Coverage.PARTLY and coverage["A.7.5"] is Coverage.GAP
    assert coverage["A.6.2.5"] is Coverage.THROUGH_SOC2
    assert view.summary.text().startswith("74 ISO/IEC 42001 requirements: 0 with a linked control")

    view.needs_work.setChecked(True)
    assert all(line.coverage.needs_work for line in view.lines.rows) and view.lines.row_of("A.6.2.5") == -1

    # Choosing a requirement puts a template that serves it in front; adding it links and tests it.
    view.line_table.setCurrentIndex(view.lines.index(view.lines.row_of("A.5.4"), 0))
    chosen = view.selected_template()
    assert chosen is not None and chosen.id == "impact_assessment"
    view.add_selected()
    made = controls.list_controls(workspace.db)[-1]
    assert made.title == chosen.title and "A.5.4" in made.requirements
    assert view.lines.row_of("A.5.4") == -1, "served now, so no longer among the requirements that need work"
    view.needs_work.setChecked(False)
    assert {line.code: line.coverage for line in view.lines.rows}["A.5.4"] is Coverage.LINKED


@pytest.fixture
def old_workspace(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """The workspace over an engagement made when the bundled crosswalk was 2026.1."""
    with monkeypatch.context() as patched:
        patched.setattr(engagement_service, "load_catalog", lambda: crosswalk_2026_1(load_catalog()))
        db, _ = create_engagement(tmp_path / "old.fieldwork", type2_details(), TEAM)
    yield shown_workspace(qtbot, db)
    db.close()


def test_a_newer_crosswalk_is_offered_on_the_settings_page_and_accepted(
    old_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_workspace.open_target(Target("settings"))
    view = old_workspace.views["settings"]
    assert isinstance(view, SettingsView)
    banner = view.crosswalk
    assert banner.isVisible()
    assert banner.text.text().startswith("A newer crosswalk is available (2026.2; this engagement holds 2026.1): "
                                         "9 links added, 6 removed, 1 changed.")  # fmt: skip
    shown: list[int] = []

    def review(dialog: CrosswalkReview) -> int:
        shown.append(dialog.model.rowCount())
        return 1

    monkeypatch.setattr(CrosswalkReview, "exec", review)
    banner.open_review()
    assert shown == [16]
    db: EngagementFile = old_workspace.db
    assert not crosswalk_update(db).available
    assert not banner.isVisible(), "the page reloaded after the change and the banner has nothing more to say"


def test_cancelling_the_review_changes_nothing(old_workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    view = readiness_view(old_workspace)
    assert view.banner.isVisible()
    monkeypatch.setattr(CrosswalkReview, "exec", lambda _dialog: 0)
    view.banner.open_review()
    assert crosswalk_update(old_workspace.db).available and view.banner.isVisible()
