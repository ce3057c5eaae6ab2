"""An open engagement: the navigator on the left, the page for the selected item on the right."""

from __future__ import annotations

import importlib

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QHeaderView, QLineEdit, QSplitter, QStackedWidget, QTreeView, QVBoxLayout, QWidget

from app.pages.review import load_finalized
from app.services.finalizing import Finalized
from app.storage.engagement_file import EngagementFile
from ui.context import Target, UiContext
from ui.finalized_banner import FinalizedBanner
from ui.models.navigator import NODE_ROLE, NavigatorModel
from ui.models.navigator_tree import Node, build_tree, prune, read_snapshot, size
from ui.operations import Runner
from ui.read_only import set_editable
from ui.settings import settings
from ui.views.base import DetailView
from ui.widgets import flush_edits

SPLITTER_KEY = "workspace/splitter"
PREBUILD_DELAY_MS = 250

#: Above this many visible rows a filtered tree opens one level only (expanding thousands stalls).
MAX_EXPANDED = 600

#: The page for each kind of target: (module, class). A page is built the first time it is opened, so
#: start-up loads only the dashboard and what it needs.
VIEWS: dict[str, tuple[str, str]] = {
    "dashboard": ("ui.views.dashboard", "DashboardView"),
    "requirement": ("ui.views.requirement", "RequirementView"),
    "control": ("ui.views.control", "ControlView"),
    "test": ("ui.views.control_test", "ControlTestView"),
    "soa": ("ui.views.soa", "SoaView"),
    "evidence": ("ui.views.evidence", "EvidenceView"),
    "pbc": ("ui.views.pbc", "PbcView"),
    "readiness": ("ui.views.readiness", "ReadinessView"),
    "findings": ("ui.views.findings", "FindingsView"),
    "opinion": ("ui.views.opinion", "OpinionView"),
    "ai_systems": ("ui.views.ai_systems", "AiSystemsView"),
    "settings": ("ui.views.settings", "SettingsView"),
    "notes": ("ui.views.review_notes", "ReviewNotesView"),
    "changed": ("ui.views.changed", "ChangedSinceReviewView"),
    "workpapers": ("ui.views.workpapers", "WorkpapersView"),
    "workpaper": ("ui.views.workpaper", "WorkpaperView"),
    "ipe": ("ui.views.ipe", "IpeView"),
}


class Workspace(QWidget):
    #: Whether the engagement is finalized with no addendum open (nothing may be changed).
    locked_changed = Signal(bool)

    def __init__(self, db: EngagementFile, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.ctx = UiContext(db, runner)
        self.current: Target | None = None
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
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for section, widest in ((1, "Tested"), (2, "⚠ Met, exc.")):
            self.tree.header().setSectionResizeMode(section, QHeaderView.ResizeMode.Fixed)
            self.tree.header().resizeSection(section, self.fontMetrics().horizontalAdvance(widest) + 16)
        self.filter.textChanged.connect(self.apply_filter)
        self.filter.returnPressed.connect(lambda: self.tree.setFocus())
        self.tree.selectionModel().currentChanged.connect(self._node_chosen)

        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.filter)
        column.addWidget(self.tree)
        self.stack = QStackedWidget()
        self.views: dict[str, DetailView] = {}
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([380, 900])
        saved = settings().value(SPLITTER_KEY)
        if isinstance(saved, QByteArray):
            self.splitter.restoreState(saved)
        self.splitter.splitterMoved.connect(
            lambda _pos, _index: settings().setValue(SPLITTER_KEY, self.splitter.saveState())
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter)
        self.setTabOrder(self.filter, self.tree)

        QTimer.singleShot(PREBUILD_DELAY_MS, self, self._prebuild_next)
        self.ctx.navigate.connect(self.open_target)
        self.ctx.changed.connect(self.reload)
        self.reload()
        self.open_target(Target("dashboard"))

    def reload(self) -> None:
        """Rebuild the navigator (statuses change with every result) and refresh the open page."""
        self.ctx.read("Loading the navigator", lambda db: build_tree(read_snapshot(db)), self._show_tree)
        view = self.stack.currentWidget()
        if isinstance(view, DetailView):
            view.refresh()
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
        self.full_tree = root
        self.apply_filter(keep_expansion=True)

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
            self.tree.expandToDepth(0)
        else:
            self._restore_expanded(expanded if not was_filtered else self.unfiltered_expansion)
        if self.current is not None:
            self._select(self.current)

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
        """Build the remaining pages one per idle moment after start-up, so a first visit is as quick as the next."""
        missing = [kind for kind in VIEWS if kind not in self.views]
        if missing:
            self.view_for(missing[0])
            QTimer.singleShot(PREBUILD_DELAY_MS, self, self._prebuild_next)

    def view_for(self, kind: str) -> DetailView | None:
        """The page for a kind of target, built on first use."""
        if kind not in self.views and kind in VIEWS:
            module, name = VIEWS[kind]
            view: DetailView = getattr(importlib.import_module(module), name)(self.ctx)
            self.stack.addWidget(view)
            self.views[kind] = view
            if self.locked:
                set_editable(view, False)
        return self.views.get(kind)

    def open_target(self, target: Target) -> None:
        view = self.view_for(target.kind)
        if view is None:
            self.ctx.runner.status(f"{target.kind.capitalize()} is not available in this version.")
            return
        self.current = target
        self.stack.setCurrentWidget(view)
        view.show_target(target)
        self._keep_locked(view)
        self._select(target)

    def _find(self, target: Target) -> QModelIndex:
        """The target's node, or its page's (a finding opened on the findings register)."""
        nodes = self.model.root.descendants()
        node = next((n for n in nodes if n.target == target), None)
        node = node or next((n for n in nodes if n.target == Target(target.kind)), None)
        return self.model.index_of(node) if node is not None else QModelIndex()

    def _select(self, target: Target) -> None:
        index = self._find(target)
        if index.isValid() and self.tree.currentIndex() != index:
            self.tree.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.tree.scrollTo(index)

    def requirement_order(self) -> list[Target]:
        """Requirements in navigator order (as filtered), for next/previous."""
        return [
            n.target for n in self.model.root.descendants() if n.target is not None and n.target.kind == "requirement"
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
