"""The test page: a test of design is a walkthrough, and a deviation is read in full and edited by a button."""

from __future__ import annotations

import pytest

from PySide6.QtWidgets import QApplication, QPushButton

from fieldwork.app.domain.vocabulary import TestKind
from fieldwork.app.services import testing
from fieldwork.ui.context import Target
from fieldwork.ui.dialogs.deviation import DeviationDialog
from fieldwork.ui.views.control_test import ControlTestView
from fieldwork.ui.workspace import Workspace
from tests.ui.driving import open_page


def test_a_test_of_design_gets_a_walkthrough_narrative_not_a_sample_grid(demo_workspace: Workspace) -> None:
    design = next(t for t in testing.list_tests(demo_workspace.db) if t.kind is TestKind.DESIGN)
    view = open_page(demo_workspace, Target("test", design.id), ControlTestView)
    QApplication.processEvents()
    assert view.procedure_label.text() == "&Walkthrough narrative" and view.tabs.tabText(0) == "&Plan and walkthrough"
    assert not view.sample.isVisibleTo(view) and not view.item_table.isVisibleTo(view)
    assert view.procedure.height() > 6 * view.procedure.fontMetrics().lineSpacing(), "room to write the walkthrough"
    operating = next(t for t in testing.list_tests(demo_workspace.db) if t.kind is TestKind.OPERATING)
    open_page(demo_workspace, Target("test", operating.id), ControlTestView)
    assert view.procedure_label.text() == "Pr&ocedure" and view.sample.isVisibleTo(view)


@pytest.mark.parametrize("size", [(1280, 720), (720, 900)])
def test_a_deviation_reads_in_full_and_is_edited_by_a_button(
    demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    demo_workspace.resize(*size)
    test = next(t for t in testing.list_tests(demo_workspace.db) if t.ref == "C-014.T2")
    view = open_page(demo_workspace, Target("test", test.id), ControlTestView)
    view.tabs.setCurrentIndex(1)
    QApplication.processEvents()
    chosen = view.deviations.rows[0]
    text = view.deviation_text.toPlainText()
    for part in (chosen.description, chosen.root_cause, chosen.effect, chosen.management_response):
        assert part and part.split("\n")[0] in text
    assert view.deviation_text.isVisible() and view.deviation_text.height() >= 4 * view.fontMetrics().lineSpacing()
    opened: list[str] = []
    monkeypatch.setattr(DeviationDialog, "exec", lambda dialog: opened.append(dialog.windowTitle()) or 0)
    edit = next(b for b in view.findChildren(QPushButton) if b.text() == "Edi&t deviation...")
    assert edit.isVisible() and edit.isEnabled()
    edit.click()
    assert len(opened) == 1
