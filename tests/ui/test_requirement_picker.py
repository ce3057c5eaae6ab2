"""Linking requirements to a control: a searchable tree, several ticked at once, nothing chosen in advance."""

from __future__ import annotations

import pytest

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from fieldwork.app.domain.records import ControlInput
from fieldwork.app.services import controls
from fieldwork.app.services.requirements import read_scope
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.ui.context import Target
from fieldwork.ui.dialogs.requirement_picker import RequirementPicker
from fieldwork.ui.views.control import ControlView
from fieldwork.ui.workspace import Workspace
from tests.ui.driving import answering


def _visible(picker: RequirementPicker, parent: QModelIndex | None = None) -> list[str]:
    """The requirement codes the tree shows now."""
    parent = parent or QModelIndex()
    found = []
    for row in range(picker.shown.rowCount(parent)):
        index = picker.shown.index(row, 0, parent)
        code = index.data(Qt.ItemDataRole.UserRole + 1)
        found += [code] if code else []
        found += _visible(picker, index)
    return found


def test_the_tree_is_searched_and_nothing_is_ticked_in_advance(qtbot: QtBot, engagement: EngagementFile) -> None:
    with engagement.reading() as conn:
        scope = read_scope(conn)
    picker = RequirementPicker("C-001", scope, [r.code for r in scope])
    qtbot.addWidget(picker)
    assert picker.chosen() == []
    picker._accept()  # Enter with nothing ticked links nothing
    assert picker.error.text() == "Tick the requirements this control serves first."

    picker.search.setText("cc6.")
    shown = _visible(picker)
    assert shown and all(code.startswith("CC6.") for code in shown)
    picker.search.setText("documented information")
    assert "7.5.3" in _visible(picker)
    top = [picker.shown.index(row, 0).data() for row in range(picker.shown.rowCount())]
    assert top == ["ISO/IEC 42001"]  # a framework with no match is out of the way


def test_several_requirements_are_linked_as_one_action(
    workspace: Workspace, engagement: EngagementFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = controls.create_control(engagement, ControlInput("Access reviews"), ["CC6.1"])
    workspace.open_target(Target("control", made.id))
    view = workspace.views["control"]
    assert isinstance(view, ControlView)

    def tick(picker: RequirementPicker) -> None:
        assert "CC6.1" not in [r for r in picker.chosen()]
        for code in ("CC6.2", "CC6.3", "A.4.2"):
            picker.tick(code)
        assert picker.count.text() == "3 ticked: CC6.2, CC6.3, A.4.2"

    answering(monkeypatch, RequirementPicker, tick)
    view.link_requirement()
    assert controls.get_control(engagement, made.id).requirements == ("CC6.1", "CC6.2", "CC6.3", "A.4.2")
