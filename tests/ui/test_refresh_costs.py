"""What one change costs the screen, counted rather than timed: the navigator is updated in place after a write
that leaves its items where they are (no reset: nothing laid out again, expansion kept), and rebuilt only when
items come or go. (`benchmarks/gui_stalls.py` times the same steps at `--scale 20`.)"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from fieldwork.app.domain.changed import EVERYTHING, Changed
from fieldwork.app.domain.records import ControlInput
from fieldwork.app.domain.vocabulary import SampleResult
from fieldwork.app.services import controls, testing
from fieldwork.ui.context import Target
from fieldwork.ui.filter_typing import PAUSE_MS
from fieldwork.ui.models.navigator import NODE_ROLE, changes
from fieldwork.ui.models.navigator_tree import Node
from fieldwork.ui.views.control_matrix import ControlMatrixView
from fieldwork.ui.views.control_test import ControlTestView
from fieldwork.ui.workspace import Workspace
from tests.ui.driving import open_page


def _node(workspace: Workspace, target: Target) -> Node:
    return next(n for n in workspace.model.root.descendants() if n.target == target)


def _resets(workspace: Workspace) -> list[None]:
    seen: list[None] = []
    workspace.model.modelReset.connect(lambda: seen.append(None))
    return seen


def test_a_sample_result_updates_the_navigator_in_place(demo_workspace: Workspace) -> None:
    test = next(t for t in testing.list_tests(demo_workspace.db) if t.items_with_result < t.items_total)
    target = Target("test", test.id)
    view = open_page(demo_workspace, target, ControlTestView)
    node = _node(demo_workspace, target)
    control = node.parent
    assert control is not None
    demo_workspace.tree.expand(demo_workspace.model.index_of(control))
    resets = _resets(demo_workspace)
    row = next(n for n, item in enumerate(view.items.rows) if item.result is None)
    view.items.setData(view.items.index(row, 3), SampleResult.NO_EXCEPTION, Qt.ItemDataRole.EditRole)
    assert resets == []
    assert _node(demo_workspace, target) is node  # the same node, showing the new figures
    assert node.own_progress == f"{test.items_with_result + 1}/{test.items_total}"
    assert demo_workspace.tree.isExpanded(demo_workspace.model.index_of(control))
    assert demo_workspace.tree.currentIndex().data() == node.label


def test_a_new_control_rebuilds_the_navigator(demo_workspace: Workspace) -> None:
    resets = _resets(demo_workspace)
    made = controls.create_control(demo_workspace.db, ControlInput("A control made elsewhere"))
    demo_workspace.ctx.changed.emit(Changed(frozenset({"control"})))
    assert len(resets) == 1
    assert _node(demo_workspace, Target("control", made.id)).label.endswith("A control made elsewhere")


def test_typing_in_the_filter_prunes_the_tree_once_after_a_pause(qtbot: QtBot, demo_workspace: Workspace) -> None:
    resets = _resets(demo_workspace)
    QTest.keyClicks(demo_workspace.filter, "access")
    assert resets == []  # six keys, nothing pruned or laid out yet
    qtbot.waitUntil(lambda: len(resets) == 1, timeout=2000)
    qtbot.wait(PAUSE_MS * 2)
    assert len(resets) == 1
    shown = [n for n in demo_workspace.model.root.descendants() if n.target is not None]
    odd = [n.label for n in shown if not n.children and "access" not in n.search + _ancestry(n)]
    assert shown and not odd, odd[:5]


def _ancestry(node: Node) -> str:
    parent = node.parent
    return "" if parent is None else parent.search + _ancestry(parent)


def test_typing_in_the_matrix_filter_filters_once_after_a_pause(qtbot: QtBot, demo_workspace: Workspace) -> None:
    view = open_page(demo_workspace, Target("matrix"), ControlMatrixView)
    every = view.sorted.rowCount()
    QTest.keyClicks(view.filter, "C-014")
    assert view.sorted.rowCount() == every  # five keys, nothing filtered yet
    qtbot.waitUntil(lambda: view.sorted.rowCount() == 1, timeout=2000)


def test_a_refresh_repaints_only_the_rows_that_changed(qtbot: QtBot, demo_workspace: Workspace) -> None:
    view = open_page(demo_workspace, Target("matrix"), ControlMatrixView)
    repainted: list[tuple[int, int]] = []
    view.model.dataChanged.connect(lambda first, last: repainted.append((first.row(), last.row())))
    demo_workspace.ctx.changed.emit(EVERYTHING)  # a write elsewhere: every page shown reads again
    assert repainted == []
    lines = view.model.rows
    changed = replace(lines[3], deviations=lines[3].deviations + 1)
    view.model.set_rows([*lines[:3], changed, *lines[4:]])
    assert repainted == [(3, 3)]


def test_the_matrix_sorts_in_the_model_and_a_selection_follows_its_row(demo_workspace: Workspace) -> None:
    """A header click sorts the rows once by key in Python: the proxy never compares pairs (at `--scale 20`
    that cost 100s of ms per sort); a refresh that brings the rows in another order shows them sorted."""
    view = open_page(demo_workspace, Target("matrix"), ControlMatrixView)
    view.table.selectRow(2)
    chosen = view.model.row(view.sorted.mapToSource(view.table.currentIndex())).id
    view.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # Tests: concluded first, then how many
    ranks = [m.tests_concluded * 1000 + m.tests for m in view.model.rows]
    assert ranks == sorted(ranks, reverse=True) and len(set(ranks)) > 1
    assert view.sorted.sortColumn() == -1, "the proxy keeps the model's order"
    assert view.model.row(view.sorted.mapToSource(view.table.currentIndex())).id == chosen
    view.model.set_rows(list(reversed(view.model.rows)))
    assert [m.tests_concluded * 1000 + m.tests for m in view.model.rows] == ranks


def test_opening_a_page_selects_its_node_in_the_tree_shown(demo_workspace: Workspace) -> None:
    """Pages are found in the navigator by a lookup kept with the tree shown, so after a filter (another tree) and
    after clearing it the node selected is the one on screen, not one of a tree no longer shown."""
    first, other = (Target("control", c.id) for c in controls.list_controls(demo_workspace.db)[:2])
    demo_workspace.open_target(first)
    demo_workspace.filter.setText(_node(demo_workspace, other).reference)
    demo_workspace.apply_filter()
    demo_workspace.open_target(other)
    assert demo_workspace.tree.currentIndex().data(NODE_ROLE) is _node(demo_workspace, other)
    demo_workspace.filter.clear()
    demo_workspace.apply_filter()
    demo_workspace.open_target(first)
    assert demo_workspace.tree.currentIndex().data(NODE_ROLE) is _node(demo_workspace, first)
    assert demo_workspace.model.node_for(first) is _node(demo_workspace, first)


def test_opening_a_control_opens_its_navigator_section_after_the_page_shows(
    qtbot: QtBot, demo_workspace: Workspace
) -> None:
    """The control is selected at once; its section (all the controls: 1,640 rows at `--scale 20`) is opened and
    scrolled to afterwards, once the page's read is done, so laying it out is not added to the page's own stall."""
    target = Target("control", controls.list_controls(demo_workspace.db)[0].id)
    section = demo_workspace.model.index_of(_node(demo_workspace, target)).parent()
    demo_workspace.tree.collapse(section)
    demo_workspace.open_target(target)
    assert demo_workspace.tree.currentIndex().data(NODE_ROLE) is _node(demo_workspace, target)
    assert not demo_workspace.tree.isExpanded(section)
    qtbot.waitUntil(lambda: demo_workspace.tree.isExpanded(section))


def test_the_navigator_opens_the_section_only_once_the_page_is_read(qtbot: QtBot, demo_workspace: Workspace) -> None:
    """Laying the section out while the worker reads would have each of its calls into Python wait for the GIL."""
    target = Target("control", controls.list_controls(demo_workspace.db)[0].id)
    section = demo_workspace.model.index_of(_node(demo_workspace, target)).parent()
    demo_workspace.tree.collapse(section)
    reading = object()
    demo_workspace.ctx.runner.pending.add(reading)  # type: ignore[arg-type]  # a read still running
    demo_workspace.open_target(target)
    qtbot.wait(100)
    assert not demo_workspace.tree.isExpanded(section)
    demo_workspace.ctx.runner.pending.discard(reading)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: demo_workspace.tree.isExpanded(section))


def _tree(*keys: str, label: str = "C-001") -> Node:
    root = Node("root")
    section = root.add(Node("Controls"))
    for key in keys:
        section.add(Node(label, Target("requirement", key)))
    return root


def test_trees_of_one_shape_differ_only_in_the_figures_compared() -> None:
    """Compared after every write: the same items in the same places give the nodes whose figures changed; an item
    moved, added or taken away gives None (the navigator is rebuilt)."""
    shown = _tree("CC6.1", "CC6.2")
    fresh = _tree("CC6.1", "CC6.2")
    fresh.children[0].children[1].label = "C-001 renamed"
    [(was, now)] = changes(shown, fresh)
    assert (was.label, now.label) == ("C-001", "C-001 renamed")
    assert was is shown.children[0].children[1]
    assert changes(shown, _tree("CC6.1", "CC6.2")) == []
    assert changes(shown, _tree("CC6.2", "CC6.1")) is None
    assert changes(shown, _tree("CC6.1")) is None
    assert changes(shown, _tree("CC6.1", "CC6.2", "CC6.3")) is None
