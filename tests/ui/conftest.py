"""Fixtures for driving the workspace: operations run inline, so a test sees each save at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pytestqt.qtbot import QtBot

from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.ui.main_window import MainWindow
from fieldwork.ui.operations import Runner
from fieldwork.ui.workspace import Workspace


def shown_workspace(qtbot: QtBot, db: EngagementFile) -> Workspace:
    """Shown, because pages reload only while visible (as in the app)."""
    workspace = Workspace(db, Runner(synchronous=True))
    qtbot.addWidget(workspace)
    workspace.resize(1280, 800)
    workspace.show()
    return workspace


@pytest.fixture
def workspace(qtbot: QtBot, engagement: EngagementFile) -> Workspace:
    """The workspace over a new, empty Type 2 engagement."""
    return shown_workspace(qtbot, engagement)


@pytest.fixture
def demo_workspace(qtbot: QtBot, demo: EngagementFile) -> Workspace:
    """The workspace over a copy of the demo engagement."""
    return shown_workspace(qtbot, demo)


@pytest.fixture
def demo_window(qtbot: QtBot, demo_template: Path, tmp_path: Path) -> MainWindow:
    """The main window, shown, with a copy of the demo engagement open."""
    main = MainWindow(synchronous=True)
    qtbot.addWidget(main)
    main.show()
    copy = tmp_path / "demo.fieldwork"
    copy.write_bytes(demo_template.read_bytes())
    main.opener.open_path(copy)
    assert main.db is not None
    return main


@pytest.fixture
def threaded_window(qtbot: QtBot) -> Iterator[MainWindow]:
    """The main window as the app starts it: every operation on the real worker thread."""
    main = MainWindow()
    qtbot.addWidget(main)
    main.show()
    yield main
    main.close_engagement()  # waits for the worker, so nothing outlives the test


@pytest.fixture(autouse=True)
def who_is_acting_is_not_asked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test profile ("Test Auditor") is on no demo team, so opening a file would ask who they are: a window-
    modal dialog that takes the keys a test sends. Only the tests marked `asks_who` (that question's own) see it."""
    if request.node.get_closest_marker("asks_who") is None:
        from fieldwork.ui.review_actions import ReviewActions

        monkeypatch.setattr(ReviewActions, "check_member", lambda self: None)
