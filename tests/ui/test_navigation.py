"""Getting around: Back and Forward, the control matrix, right-click menus, F1 help, and Tab out of a grid."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QTextBrowser
from pytestqt.qtbot import QtBot

from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.services import controls, testing
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.ui.context import Page, Target
from fieldwork.ui.context_menus import ContextMenu
from fieldwork.ui.help import HelpWindow
from fieldwork.ui.main_window import MainWindow
from fieldwork.ui.models.navigator import NODE_ROLE
from fieldwork.ui.views.control import ControlView
from fieldwork.ui.views.control_matrix import ControlMatrixView
from fieldwork.ui.views.control_test import ControlTestView
from fieldwork.ui.views.dashboard import DashboardView
from fieldwork.ui.workspace import Workspace
from tests.ui.driving import open_page


def _shown(qtbot: QtBot) -> MainWindow:
    """The main window, active, so its shortcuts take keys as they do on screen."""
    window = MainWindow(synchronous=True)
    qtbot.addWidget(window)
    window.show()
    QApplication.setActiveWindow(window)  # the offscreen platform activates no window by itself
    return window


def _trigger(menu_owner: ContextMenu, index: QModelIndex, text: str) -> None:
    menu = menu_owner.menu(index)
    assert menu is not None
    action = next((a for a in menu.actions() if a.text() == text), None)
    assert action is not None, f"{text!r} not in {[a.text() for a in menu.actions()]}"
    action.trigger()


def test_back_and_forward_walk_the_pages_visited(qtbot: QtBot, demo_template: Path, tmp_path: Path) -> None:
    window = _shown(qtbot)
    copy = tmp_path / "demo.fieldwork"
    copy.write_bytes(demo_template.read_bytes())
    window.opener.open_path(copy)
    workspace = window.workspace
    assert workspace is not None and not window.back.isEnabled(), "nothing visited before the dashboard"
    c014 = controls.get_control(workspace.db, "C-014")
    for target in (Target("soa"), Target("control", c014.id), Target("evidence")):
        workspace.open_target(target)
    assert window.back.isEnabled() and not window.forward.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert workspace.current == Target("control", c014.id)
    window.back.trigger()
    assert workspace.current == Target("soa") and window.forward.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert workspace.current == Target("control", c014.id)
    workspace.open_target(Target("dashboard"))  # a new visit drops what lay ahead
    assert not window.forward.isEnabled()
    window.back.trigger()
    assert workspace.current == Target("control", c014.id)
    window.close()


def test_the_control_matrix_filters_sorts_and_opens(demo_workspace: Workspace, qtbot: QtBot) -> None:
    view = open_page(demo_workspace, Target("matrix"), ControlMatrixView)
    every = controls.list_controls(demo_workspace.db)
    assert view.sorted.rowCount() == len(every)
    view.filter.setText("C-014")
    assert [view.line_at(view.sorted.index(r, 0)).control.ref for r in range(view.sorted.rowCount())] == ["C-014"]
    view.filter.clear()
    view.status.setCurrentIndex(view.status.members.index(Status.EXCEPTIONS))
    view.status.activated.emit(view.status.currentIndex())
    shown = [view.line_at(view.sorted.index(r, 0)) for r in range(view.sorted.rowCount())]
    assert shown and all(line.status is Status.EXCEPTIONS for line in shown)
    assert len(shown) < len(every)
    view.key_only.setChecked(True)
    assert all(view.line_at(view.sorted.index(r, 0)).control.is_key for r in range(view.sorted.rowCount()))
    view.key_only.setChecked(False)
    view.status.setCurrentIndex(0)
    view.status.activated.emit(0)
    titles = [c.title for c in view.model.columns]
    view.table.sortByColumn(titles.index("Deviations"), Qt.SortOrder.DescendingOrder)  # most first
    counts = [view.line_at(view.sorted.index(r, 0)).deviations for r in range(view.sorted.rowCount())]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    view.table.sortByColumn(titles.index("Owner"), Qt.SortOrder.AscendingOrder)
    owners = [view.line_at(view.sorted.index(r, 0)).control.owner for r in range(view.sorted.rowCount())]
    assert owners == sorted(owners)
    first = view.sorted.index(0, 0)
    _trigger(view.table.findChild(ContextMenu), first, "Copy reference")
    assert QGuiApplication.clipboard().text() == view.line_at(first).control.ref
    view.table.activated.emit(first)
    assert demo_workspace.current == Target("control", view.line_at(first).id)


def test_the_matrix_is_in_the_navigator_and_on_ctrl_m(qtbot: QtBot, engagement: EngagementFile) -> None:
    window = _shown(qtbot)
    window.show_engagement(engagement)
    assert window.workspace is not None
    labels = [window.workspace.model.root.children[i].label for i in range(3)]
    assert "Control matrix" in labels
    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.current == Target("matrix")
    window.close_engagement()


def test_the_navigator_offers_open_and_copy_on_a_right_click(demo_workspace: Workspace) -> None:
    tree = demo_workspace.tree
    menu = tree.findChild(ContextMenu)
    c014 = next(n for n in demo_workspace.model.root.descendants() if n.label.startswith("C-014 "))
    index = demo_workspace.model.index_of(c014)
    assert index.data(NODE_ROLE) is c014
    _trigger(menu, index, "Copy reference")
    assert QGuiApplication.clipboard().text() == "C-014"
    _trigger(menu, index, "Open")
    assert demo_workspace.current == c014.target


def test_lists_offer_a_right_click_menu(demo_workspace: Workspace) -> None:
    c014 = controls.get_control(demo_workspace.db, "C-014")
    control = open_page(demo_workspace, Target("control", c014.id), ControlView)
    first = control.tests.index(0, 0)
    _trigger(control.test_table.findChild(ContextMenu), first, "Copy reference")
    assert QGuiApplication.clipboard().text() == control.tests.row(first).ref
    _trigger(control.test_table.findChild(ContextMenu), first, "Open")
    assert demo_workspace.current == Target("test", control.tests.row(first).id)


def test_f1_opens_the_guide_with_every_shortcut(qtbot: QtBot) -> None:
    window = _shown(qtbot)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, HelpWindow) and w.isVisible()]
    assert len(shown) == 1
    text = shown[0].findChild(QTextBrowser).toPlainText()
    assert "Using Fieldwork" in text
    for keys, command in (("Alt+Left", "Back"), ("Ctrl+M", "Control matrix"), ("Ctrl+T", "New test for this control")):
        assert keys in text and command in text
    shown[0].close()


def test_tab_leaves_an_editable_grid(demo_workspace: Workspace, qtbot: QtBot) -> None:
    test = next(t for t in testing.list_tests(demo_workspace.db) if t.items_total)
    view = open_page(demo_workspace, Target("test", test.id), ControlTestView)
    grid = view.item_table
    grid.setFocus()
    grid.setCurrentIndex(view.items.index(0, 1))
    assert grid.hasFocus()
    qtbot.keyClick(grid, Qt.Key.Key_Tab)
    assert not grid.hasFocus(), "Tab moves on to the next field, out of the grid"
    assert grid.currentIndex().column() == 1


def test_leaves_show_their_own_progress_and_conclusion(demo_workspace: Workspace) -> None:
    nodes = demo_workspace.model.root.descendants()
    model = demo_workspace.model

    def row(label_start: str) -> tuple[str, str]:
        node = next(n for n in nodes if n.label.startswith(label_start))
        index = model.index_of(node)
        return model.index(index.row(), 1, index.parent()).data(), model.index(index.row(), 2, index.parent()).data()

    test = next(t for t in testing.list_tests(demo_workspace.db) if t.ref == "C-014.T2")
    assert row("C-014.T2 ") == (f"{test.items_with_result}/{test.items_total}", "Exceptions")
    assert row("C-014.T1 ")[1] == "Tested"
    requirement = next(n for n in nodes if n.target is not None and n.target.kind == "requirement" and n.conclusion)
    progress, said = row(requirement.label)
    assert said, "a requirement shows its conclusion, or Open"
    state = requirement.conclusion
    assert state is not None and (said == "Open") == (state.conclusion.value == "not_concluded")
    assert progress == "" or "/" in progress
    controls = next(n for n in model.root.children if n.label == "Controls").descendants()
    blank = [n.label for n in controls if not row(n.label)[1]]
    assert len(controls) > 100
    assert not blank, "every control and test says where it stands"


def test_the_dashboard_gives_the_next_step_and_goes_there(workspace: Workspace) -> None:
    view = open_page(workspace, Target("dashboard"), DashboardView)
    assert "Next step:" in view.next_step.text() and "Add the client's controls" in view.next_step.text()
    view.next_step.linkActivated.emit("go")
    assert workspace.current == Target("readiness")
    assert [view.tabs.tabText(i).split(" (")[0] for i in range(3)] == ["&Progress", "&Open items", "E&xceptions"]


def test_every_page_opens_its_own_view(workspace: Workspace) -> None:
    for page in Page:
        workspace.open_target(Target(page))

        view = workspace.views[page]
        assert workspace.current == Target(page) and workspace.stack.currentWidget() is view
    assert len({id(view) for view in workspace.views.values()}) == len(Page)
