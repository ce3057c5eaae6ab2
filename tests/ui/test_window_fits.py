"""The window fits a laptop: 1366x768 and 1280x720 screens, and half a 1440 or 1366 px screen, with every page
readable."""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QScrollArea, QTableView
from pytestqt.qtbot import QtBot

from fieldwork.app.services import controls, testing
from fieldwork.ui.context import Target
from fieldwork.ui.main_window import MainWindow
from fieldwork.ui.settings import settings
from fieldwork.ui.views.evidence import EvidenceView
from fieldwork.ui.views.opinion import OpinionView
from fieldwork.ui.views.requirement import RequirementView
from fieldwork.ui.views.soa import JUSTIFICATION, JUSTIFICATION_WIDTH, SoaView
from fieldwork.ui.workspace import NAVIGATOR_MIN, SPLITTER_KEY

#: Pages laid out to fit the window whole at these sizes (the others scroll when they must).
FITTED = {"dashboard", "matrix", "soa", "evidence", "control", "test"}
#: A taskbar and a title bar take about this much of a screen's height.
DESKTOP_CHROME = 60


def _every_page(window: MainWindow) -> list[Target]:
    assert window.workspace is not None
    db = window.workspace.db
    c014 = controls.get_control(db, "C-014")
    tests = testing.list_tests(db, control_id=c014.id)
    kinds = (
        *("dashboard", "matrix", "soa", "evidence", "pbc", "findings", "opinion", "readiness", "settings"),
        *("notes", "changed", "ai_systems", "workpapers", "ipe"),
    )
    return [
        *(Target(kind) for kind in kinds),
        Target("requirement", "CC6.1"),
        Target("control", c014.id),
        *(Target("test", t.id) for t in tests),
    ]


def _settle() -> None:
    """Let a page lay out as the screen would show it: a page whose review strip fills in after it is shown lays
    out again (a scroll bar may show for that moment; the test looks at the page once it has settled)."""
    for _ in range(20):
        QApplication.processEvents()
        QTest.qWait(5)


@pytest.mark.parametrize("screen", [(1366, 768), (1280, 720), (720, 900), (683, 768)])
def test_every_page_fits_the_screen_without_cutting_it(demo_window: MainWindow, screen: tuple[int, int]) -> None:
    width, height = screen
    workspace = demo_window.workspace
    assert workspace is not None
    demo_window.resize(width, height - DESKTOP_CHROME)
    too_big = {}
    for target in _every_page(demo_window):
        workspace.open_target(target)
        _settle()
        least = demo_window.minimumSizeHint()
        if least.width() > width or least.height() > height - DESKTOP_CHROME:
            too_big[target.kind] = least.toTuple()
        view = workspace.views[target.kind]
        if target.kind not in FITTED:
            continue
        area = workspace.splitter.widget(1)
        assert isinstance(area, QScrollArea)
        scrolls = (area.verticalScrollBar().maximum(), area.horizontalScrollBar().maximum())
        if scrolls != (0, 0):
            too_big[f"{target.kind} (scrolls by {scrolls})"] = view.minimumSizeHint().toTuple()
    assert not too_big, f"larger than {width}x{height}: {too_big}"
    assert demo_window.size().toTuple() == (width, height - DESKTOP_CHROME), "the window took the size asked for"
    assert demo_window.statusBar().isVisible() and demo_window.statusBar().geometry().bottom() < demo_window.height()


def test_half_a_screen_keeps_the_navigator_readable_and_a_tiny_one_is_not_restored(
    demo_window: MainWindow, qtbot: QtBot, demo_template: Path, tmp_path: Path
) -> None:
    workspace = demo_window.workspace
    assert workspace is not None
    demo_window.resize(720, 840)
    QApplication.processEvents()
    navigator = workspace.splitter.sizes()[0]
    assert navigator >= NAVIGATOR_MIN
    assert workspace.tree.header().sectionSize(0) >= 150, "the labels keep room beside the progress column"
    workspace.splitter.setSizes([40, 1000])  # dragged as far as it goes
    assert workspace.splitter.sizes()[0] >= NAVIGATOR_MIN, "the navigator does not collapse"
    workspace.splitter.splitterMoved.emit(40, 1)
    assert settings().value(SPLITTER_KEY) is not None
    demo_window.close()
    again = MainWindow(synchronous=True)
    qtbot.addWidget(again)
    again.resize(1280, 720)
    again.show()
    (tmp_path / "again").mkdir()
    copy = tmp_path / "again" / "demo.fieldwork"
    copy.write_bytes(demo_template.read_bytes())
    again.opener.open_path(copy)
    assert again.workspace is not None
    assert again.workspace.splitter.sizes()[0] >= 300, "a cramped navigator does not come back at 1280 px"


def _right_edge(table: QTableView, column: int) -> int:
    header = table.horizontalHeader()
    return header.sectionViewportPosition(column) + header.sectionSize(column)


def test_evidence_and_soa_columns_are_readable_at_1280(demo_window: MainWindow) -> None:
    workspace = demo_window.workspace
    assert workspace is not None
    demo_window.resize(1280, 720 - DESKTOP_CHROME)
    workspace.open_target(Target("evidence"))
    QApplication.processEvents()
    library = workspace.views["evidence"]
    assert isinstance(library, EvidenceView) and library.model.rowCount() > 0
    header = library.table.horizontalHeader()
    assert header.sectionSize(1) >= 180, "file names are readable"
    used_by = next(n for n, c in enumerate(library.model.columns) if c.title == "Used by")
    assert _right_edge(library.table, used_by) <= library.table.viewport().width() + 1, "Used by is in view"
    assert header.sectionSize(used_by) >= 150
    workspace.open_target(Target("soa"))
    QApplication.processEvents()
    soa = workspace.views["soa"]
    assert isinstance(soa, SoaView)
    assert soa.table.horizontalHeader().sectionSize(JUSTIFICATION) >= 220
    assert _right_edge(soa.table, soa.model.columnCount() - 1) <= soa.table.viewport().width() + 1
    shown = soa.table.viewport().height() // soa.table.rowHeight(0)
    assert shown >= 7, f"only {shown} of {soa.model.rowCount()} lines in view"
    demo_window.resize(720, 840)  # half a screen: the justification keeps its width, the table scrolls sideways
    QApplication.processEvents()
    assert soa.table.horizontalHeader().sectionSize(JUSTIFICATION) >= JUSTIFICATION_WIDTH


#: Pages that must not scroll sideways on half a 1366 px screen (a wide table scrolls inside itself).
NARROW = (
    *("opinion", "settings", "pbc", "readiness", "findings", "evidence", "requirement", "control", "test"),
    *("dashboard", "notes", "changed", "ai_systems", "workpapers", "ipe"),
)


def test_half_a_1366_screen_scrolls_no_page_sideways(demo_window: MainWindow) -> None:
    workspace = demo_window.workspace
    assert workspace is not None
    demo_window.resize(683, 768 - DESKTOP_CHROME)
    area = workspace.splitter.widget(1)
    assert isinstance(area, QScrollArea)
    wide = {}
    for target in _every_page(demo_window):
        if target.kind not in NARROW:
            continue
        workspace.open_target(target)
        _settle()
        view = workspace.views[target.kind]
        if area.horizontalScrollBar().maximum() > 0 or view.minimumSizeHint().width() > area.viewport().width():
            wide[target.kind] = (view.minimumSizeHint().width(), area.viewport().width())
    assert not wide, f"pages wider than half a screen (their least width, the width there is): {wide}"
    assert demo_window.width() == 683


def test_the_opinion_areas_are_side_by_side_when_they_fit_and_tabs_when_not(demo_window: MainWindow) -> None:
    workspace = demo_window.workspace
    assert workspace is not None
    demo_window.resize(1366, 768 - DESKTOP_CHROME)
    workspace.open_target(Target("opinion"))
    _settle()
    view = workspace.views["opinion"]
    assert isinstance(view, OpinionView)
    editors = list(view.areas.values())
    assert not view.area_panes.tabbed and all(e.isVisible() for e in editors), "three areas side by side"
    assert len({e.geometry().top() for e in editors}) == 1
    demo_window.resize(683, 768 - DESKTOP_CHROME)
    _settle()
    assert view.area_panes.tabbed
    assert [e.isVisible() for e in editors] == [True, False, False], "one area at a time"
    view.area_panes.bar.setCurrentIndex(2)
    assert [e.isVisible() for e in editors] == [False, False, True]
    demo_window.resize(1366, 768 - DESKTOP_CHROME)
    _settle()
    assert not view.area_panes.tabbed and all(e.isVisible() for e in editors)


def test_a_requirements_progress_sits_beside_its_conclusion_when_it_fits_and_above_it_when_not(
    demo_window: MainWindow,
) -> None:
    workspace = demo_window.workspace
    assert workspace is not None
    demo_window.resize(1366, 768 - DESKTOP_CHROME)
    workspace.open_target(Target("requirement", "CC6.1"))
    _settle()
    view = workspace.views["requirement"]
    assert isinstance(view, RequirementView)
    progress, conclusion = view.progress.geometry(), view.conclusion.geometry()
    assert not view.judged.stacked and progress.right() < conclusion.left() and progress.top() == conclusion.top()
    demo_window.resize(683, 768 - DESKTOP_CHROME)
    _settle()
    progress, conclusion = view.progress.geometry(), view.conclusion.geometry()
    assert view.judged.stacked and progress.bottom() < conclusion.top()
    assert conclusion.right() <= view.judged.width(), "the conclusion is not cut at the right"
