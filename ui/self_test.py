"""The desktop step of `fieldwork --self-test`: Qt starts and the workspace shows the engagement.

In a frozen build this is the step that finds a Qt plugin or library left out of the bundle, on any
platform and without a person watching: the workspace is laid out and drawn but never put on screen,
and where there is no display at all (a build machine) Qt draws offscreen.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldwork.app.engagement import Engagement
from fieldwork.app.self_test import StepFailed
from fieldwork.ui.operations import Runner
from fieldwork.ui.workspace import VIEWS, Workspace


def show_workspace(db: Engagement) -> str:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    application = QApplication.instance() or QApplication(sys.argv[:1])
    workspace = Workspace(db, Runner(synchronous=True))
    workspace.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    workspace.resize(1280, 800)
    workspace.show()
    application.processEvents()
    drawn = workspace.grab()
    sections = workspace.model.rowCount()
    missing = [kind for kind in VIEWS if workspace.view_for(kind) is None]  # every page, as a user opens them
    workspace.close()
    if sections == 0 or drawn.isNull():
        raise StepFailed("the workspace opened without its navigator")
    if missing:
        raise StepFailed(f"these pages could not be built: {', '.join(missing)}")
    platform = QApplication.platformName()
    return (
        f"the workspace shows the engagement ({sections} navigator sections, {len(VIEWS)} pages) "
        f"on Qt's {platform} platform"
    )
