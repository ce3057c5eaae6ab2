"""An open engagement: the navigator on the left, the page for the selected item on the right."""

from __future__ import annotations

import importlib
from functools import partial

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLineEdit,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from fieldwork.app.domain.changed import EVERYTHING, Changed
from fieldwork.app.engagement import Engagement
from fieldwork.app.pages.navigator import load_navigator_page
from fieldwork.app.pages.review import load_finalized
from fieldwork.app.services.evidence import LIBRARY_KINDS
from fieldwork.app.services.finalizing import FINALIZING_KINDS, Finalized
from fieldwork.ui.context import Page, Target, UiContext
from fieldwork.ui.context_menus import ContextMenu, MenuItem, copy_text
from fieldwork.ui.filter_typing import apply_after_typing
from fieldwork.ui.finalized_banner import FinalizedBanner
from fieldwork.ui.models.navigator import NODE_ROLE, NavigatorModel
from fieldwork.ui.models.navigator_tree import Node, build_tree, prune, size
from fieldwork.ui.operations import Runner
from fieldwork.ui.read_only import set_editable
from fieldwork.ui.settings import settings
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.visits import Visits
from fieldwork.ui.widgets import flush_edits, scrolled

SPLITTER_KEY = "workspace/navigator_width"
#: The navigator never gets narrower than this, so its labels stay readable on half a screen; its share of the
#: window at first is NAVIGATOR_SHARE, within NAVIGATOR_DEFAULT (most titles read in full at 1280 px).
NAVIGATOR_MIN = 215
NAVIGATOR_SHARE = 0.36
NAVIGATOR_DEFAULT = (300, 560)
#: A navigator saved within this of its minimum was pushed there by a small window, not chosen: not restored.
CRAMPED = 25
#: The page keeps this width as the window narrows (the navigator gives way down to its minimum first); pages are
#: laid out to fit it, so half a 1366 px screen (683 px) shows both side by side.
PAGE_MIN_WIDTH = 450
PREBUILD_DELAY_MS = 250

#: Below this width the navigator shows its items and progress only (the conclusion is in each row's tooltip).
NARROW_NAVIGATOR = 340

#: A filtered tree opens as far as this many rows show (expanding thousands stalls): all of it, else the sections
#: in order while their rows fit.
MAX_EXPANDED = 600

#: Each page's view: (module, class), imported the first time the page is opened, so start-up loads only the
#: dashboard and what it needs (`tests/ui/test_navigation.py` checks every page has one).
VIEWS: dict[Page, tuple[str, str]] = {
    Page.DASHBOARD: ("fieldwork.ui.views.dashboard", "DashboardView"),
    Page.MATRIX: ("fieldwork.ui.views.control_matrix", "ControlMatrixView"),
    Page.REQUIREMENT: ("fieldwork.ui.views.requirement", "RequirementView"),
    Page.CONTROL: ("fieldwork.ui.views.control", "ControlView"),
    Page.TEST: ("fieldwork.ui.views.control_test", "ControlTestView"),
    Page.SOA: ("fieldwork.ui.views.soa", "SoaView"),
    Page.EVIDENCE: ("fieldwork.ui.views.evidence", "EvidenceView"),
    Page.PBC: ("fieldwork.ui.views.pbc", "PbcView"),
    Page.READINESS: ("fieldwork.ui.views.readiness", "ReadinessView"),
    Page.FINDINGS: ("fieldwork.ui.views.findings", "FindingsView"),
    Page.OPINION: ("fieldwork.ui.views.opinion", "OpinionView"),
    Page.AI_SYSTEMS: ("fieldwork.ui.views.ai_systems", "AiSystemsView"),
    Page.SETTINGS: ("fieldwork.ui.views.settings", "SettingsView"),
    Page.NOTES: ("fieldwork.ui.views.review_notes", "ReviewNotesView"),
    Page.CHANGED: ("fieldwork.ui.views.changed", "ChangedSinceReviewView"),
    Page.WORKPAPERS: ("fieldwork.ui.views.workpapers", "WorkpapersView"),
    Page.WORKPAPER: ("fieldwork.ui.views.workpaper", "WorkpaperView"),
    Page.IPE: ("fieldwork.ui.views.ipe", "IpeView"),
}


def _import_page(kind: Page, _db: object) -> Page:
    """Import a page's module (on the worker); hands back which page it was, for `Workspace._prebuilt`."""
    importlib.import_module(VIEWS[kind][0])
    return kind


class Workspace(QWidget):
    #: The page shown changed (Back and Forward may have become possible).
    moved = Signal()
    #: Whether the engagement is finalized with no addendum open (nothing may be changed).
    locked_changed = Signal(bool)

    def __init__(self, db: Engagement, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.ctx = UiContext(db, runner)
        self.reveal_when_idle = False  # the navigator shows the current node once the reads under way are done
        runner.busy_changed.connect(self._busy_changed)
        self.current: Target | None = None
        self.visits: Visits[Target] = Visits()
        self.locked = False
        self.banner = FinalizedBanner()

        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by ID, title or control text (Ctrl+F)")
        self.filter.setClearButtonEnabled(True)
        self.model = NavigatorModel()
        self.full_tree = Node("root")
        self.unfiltered_expansion: set[str] = set()
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setIndentation(14)
        ContextMenu(self.tree, self._navigator_menu)
        self.tree.installEventFilter(self)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for section, widest in ((1, "Tested"), (2, "⚠ Met, exc.")):
            self.tree.header().setSectionResizeMode(section, QHeaderView.ResizeMode.Fixed)
            self.tree.header().resizeSection(section, self.fontMetrics().horizontalAdvance(widest) + 16)
        apply_after_typing(self.filter, self.apply_filter)  # one prune and layout per word typed, not per key
        self.filter.returnPressed.connect(lambda: self.tree.setFocus())
        self.tree.selectionModel().currentChanged.connect(self._node_chosen)

        left = QWidget()
        left.setMinimumWidth(NAVIGATOR_MIN)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.filter)
        column.addWidget(self.tree)
        self.stack = QStackedWidget()
        self.stack.currentChanged.connect(self._only_current_sizes)
        self.views: dict[Page, DetailView] = {}
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        pages = scrolled(_Holder(self.stack))  # scrolls only when the window is smaller than the page can be
        pages.setMinimumWidth(PAGE_MIN_WIDTH)
        self.splitter.addWidget(pages)
        self.splitter.setCollapsible(0, False)
        self.splitter.setCollapsible(1, False)
        self.splitter.setStretchFactor(1, 1)
        self._restore_splitter()
        self.splitter.splitterMoved.connect(
            lambda _pos, _index: settings().setValue(SPLITTER_KEY, self.splitter.sizes()[0])
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter)
        self.setTabOrder(self.filter, self.tree)

        self.prebuilding = False  # the other pages are built only once the navigator has shown
        self.ctx.navigate.connect(self.open_target)
        self.ctx.changed.connect(self.reload)
        self.reload()
        self.open_target(Target(Page.DASHBOARD))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tree and event.type() == QEvent.Type.Resize:
            narrow = self.tree.width() < NARROW_NAVIGATOR
            self.tree.header().setSectionHidden(2, narrow)
            # Wide, both the ID and the title's end stay in view; narrow, the ID and the title's start.
            self.tree.setTextElideMode(Qt.TextElideMode.ElideRight if narrow else Qt.TextElideMode.ElideMiddle)
        return super().eventFilter(watched, event)

    def _restore_splitter(self) -> None:
        """The navigator's width as the user left it, unless that hid its labels (a width a tiny window pushed it
        to must not come back at the next start)."""
        saved = settings().value(SPLITTER_KEY)
        kept = int(saved) if isinstance(saved, (int, str)) and str(saved).isdigit() else 0
        width = max(self.width(), 1280)
        default = min(max(int(width * NAVIGATOR_SHARE), NAVIGATOR_DEFAULT[0]), NAVIGATOR_DEFAULT[1])
        left = kept if kept > NAVIGATOR_MIN + CRAMPED else default
        self.splitter.setSizes([left, width - left])

    def _only_current_sizes(self, shown: int) -> None:
        """Only the page shown sets the workspace's minimum size (a stack takes its largest page's)."""
        for index in range(self.stack.count()):
            page = self.stack.widget(index)
            assert page is not None
            policy = QSizePolicy.Policy.Preferred if index == shown else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self.stack.updateGeometry()
        holder = self.stack.parentWidget()
        if holder is not None:
            holder.updateGeometry()

    def _navigator_menu(self, index: QModelIndex) -> list[MenuItem]:
        node: Node | None = index.data(NODE_ROLE)
        items: list[MenuItem] = []
        if node is not None and node.target is not None:
            target = node.target
            items.append(("Open", lambda: self.open_target(target)))
            if target.key is not None:
                items.append(("Copy reference", lambda: copy_text(node.reference)))
        return [*items, ("Expand all", self.tree.expandAll), ("Collapse all", self.tree.collapseAll)]

    def reload(self, changed: Changed = EVERYTHING) -> None:
        """Refresh what shows what `changed`: the navigator (statuses change with results, stale marks with
        evidence links), the open page (the others load when shown) and the finalized banner."""
        if not changed.only(LIBRARY_KINDS):
            self.ctx.read("Loading the navigator", lambda db: build_tree(load_navigator_page(db)), self._show_tree)
        view = self.stack.currentWidget()
        if isinstance(view, DetailView):
            view.refresh(changed)
        if changed.touches(FINALIZING_KINDS):
            self.ctx.read("Reading whether the engagement is finalized", load_finalized, self._show_finalized)

    def _show_finalized(self, found: Finalized | None) -> None:
        """The banner, and no edits offered while the engagement is finalized without an addendum open."""
        self.banner.show_state(found, self.db.addendum)
        locked = found is not None and self.db.addendum is None
        if locked != self.locked:
            self.locked = locked
            for view in self.views.values():
                set_editable(view, not locked)
            self.locked_changed.emit(locked)

    def _keep_locked(self, view: DetailView) -> None:
        """After a page shows (it may enable its own buttons as it does), take its edits away again."""
        if self.locked:
            self.ctx.read("", lambda db: None, lambda _none: set_editable(view, not self.locked))

    def _show_tree(self, root: Node) -> None:
        """The navigator read again after a change: updated in place when only figures changed, else rebuilt."""
        words = self.filter.text().lower().split()
        if self.model.update_in_place(prune(root, words) if words else root):
            self.full_tree = root if words else self.model.root
            return
        self.full_tree = root
        self.apply_filter(keep_expansion=True)
        if not self.prebuilding:
            self.prebuilding = True
            QTimer.singleShot(PREBUILD_DELAY_MS, self, self._prebuild_next)

    def apply_filter(self, _text: str = "", *, keep_expansion: bool = False) -> None:
        """Show the part of the tree that matches what is typed (pruned in Python: fast at any size)."""
        words = self.filter.text().lower().split()
        was_filtered = self.model.root is not self.full_tree
        expanded = self._expanded_labels()
        if not was_filtered and words:
            self.unfiltered_expansion = expanded
        shown = prune(self.full_tree, words) if words else self.full_tree
        self.model.set_root(shown)
        if words and keep_expansion:
            self._restore_expanded(expanded)
        elif words and size(shown) <= MAX_EXPANDED:
            self.tree.expandAll()
        elif words:
            self._expand_sections_that_fit(shown)
        else:
            self._restore_expanded(expanded if not was_filtered else self.unfiltered_expansion)
        if self.current is not None:
            self._select(self.current)

    def _expand_sections_that_fit(self, shown: Node) -> None:
        rows = len(shown.children)
        for section in shown.children:
            rows += len(section.children)
            if rows > MAX_EXPANDED:
                return
            self.tree.expand(self.model.index_of(section))

    def _expanded_labels(self) -> set[str]:
        labels: set[str] = set()

        def walk(node: Node) -> None:
            for child in node.children:
                if child.children and self.tree.isExpanded(self.model.index_of(child)):
                    labels.add(child.label)
                    walk(child)

        walk(self.model.root)
        return labels

    def _restore_expanded(self, labels: set[str]) -> None:
        def walk(node: Node) -> None:
            for child in node.children:
                if child.label in labels:
                    self.tree.expand(self.model.index_of(child))
                    walk(child)

        walk(self.model.root)

    def _node_chosen(self, current: QModelIndex, previous: QModelIndex) -> None:
        node: Node | None = current.data(NODE_ROLE)
        shown = (self.current, Target(self.current.kind)) if self.current is not None else ()
        if node is not None and node.target is not None and node.target not in shown:  # not the page already open
            self.open_target(node.target)

    def _prebuild_next(self) -> None:
        """Build the remaining pages one per idle moment after start-up, so a first visit is as quick as the next;
        never while a read the user waits for is running (the GUI thread would take the worker's time).

        Each page's module is imported on the worker first: importing is most of a first build (PySide reads the
        source of every module that imports it), and there it does not stop the screen."""
        missing = [kind for kind in VIEWS if kind not in self.views]
        if missing and self.ctx.runner.pending:
            QTimer.singleShot(PREBUILD_DELAY_MS, self, self._prebuild_next)
        elif missing:
            kind = missing[0]
            # A bound method, not a lambda, so Qt drops the call if the workspace is closed before the import ends.
            self.ctx.read("", partial(_import_page, kind), self._prebuilt)

    def _prebuilt(self, kind: Page) -> None:
        self.view_for(kind)
        QTimer.singleShot(PREBUILD_DELAY_MS, self, self._prebuild_next)

    def view_for(self, kind: Page) -> DetailView | None:
        """The page for a kind of target, built on first use."""
        if kind not in self.views and kind in VIEWS:
            module, name = VIEWS[kind]
            view: DetailView = getattr(importlib.import_module(module), name)(self.ctx)
            view.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)  # until it is shown
            self.stack.addWidget(view)
            self.views[kind] = view
            if self.locked:
                set_editable(view, False)
        return self.views.get(kind)

    def open_target(self, target: Target) -> None:
        if self._show(target):
            self.visits.visit(target)
            self.moved.emit()

    def go(self, step: int) -> None:
        """Back (-1) or Forward (+1) through the pages visited."""
        target = self.visits.go(step)
        if target is not None:
            self._show(target)
            self.moved.emit()

    def _show(self, target: Target) -> bool:
        view = self.view_for(target.kind)
        if view is None:
            self.ctx.runner.status(f"{target.kind.capitalize()} is not available in this version.")
            return False
        self.current = target
        self.stack.setCurrentWidget(view)
        view.show_target(target)
        self._keep_locked(view)
        self._select(target)
        return True

    def _find(self, target: Target) -> QModelIndex:
        """The target's node, or its page's (a finding opened on the findings register)."""
        node = self.model.node_for(target) or self.model.node_for(Target(target.kind))
        return self.model.index_of(node) if node is not None else QModelIndex()

    def _select(self, target: Target) -> None:
        """Select the target's node at once; open its section and scroll to it once the page has shown and its
        read is done (opening the controls' section lays out 1,640 rows at `--scale 20`, a call into Python for each;
        done with the page, the two made one long stall, and while the worker reads each call waits for the GIL)."""
        index = self._find(target)
        if index.isValid() and self.tree.currentIndex() != index:
            self.tree.setAutoScroll(False)  # a new current index scrolls to it (and opens its section) at once
            self.tree.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.tree.setAutoScroll(True)
            QTimer.singleShot(0, self, self._reveal_current)

    def _busy_changed(self, busy: bool) -> None:
        if not busy and self.reveal_when_idle:
            self.reveal_when_idle = False
            QTimer.singleShot(0, self, self._reveal_current)  # after the last read's page has shown

    def _reveal_current(self) -> None:
        if self.ctx.runner.pending:
            self.reveal_when_idle = True
            return
        index = self.tree.currentIndex()
        if index.isValid():
            self.tree.scrollTo(index)

    def requirement_order(self) -> list[Target]:
        """Requirements in navigator order (as filtered), for next/previous."""
        return [
            n.target
            for n in self.model.root.descendants()
            if n.target is not None and n.target.kind is Page.REQUIREMENT
        ]

    def step_requirement(self, step: int) -> None:
        order = self.requirement_order()
        if not order:
            return
        position = order.index(self.current) if self.current in order else -1
        self.open_target(order[(position + step) % len(order)] if position >= 0 else order[0])

    def focus_filter(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()

    def flush(self) -> None:
        flush_edits(self)


class _Holder(QWidget):
    """The pages, held without a layout. A scroll area sizes a widget whose layout has a height-for-width (any
    wrapped label has) to that height, its preferred one: it would scroll pages that fit. Held so, the pages
    scroll only below their minimum size."""

    def __init__(self, pages: QWidget) -> None:
        super().__init__()
        self.pages = pages
        pages.setParent(self)

    def minimumSizeHint(self) -> QSize:
        return self.pages.minimumSizeHint()

    def sizeHint(self) -> QSize:
        return self.pages.minimumSizeHint()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.pages.setGeometry(self.rect())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # a page's minimum may have changed
            self.updateGeometry()
        return super().event(event)
