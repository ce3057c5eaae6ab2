"""The navigator's item model: a thin adapter over a tree of plain `Node`s."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from fieldwork.app.domain.judgements import CriterionConclusion
from fieldwork.app.domain.targets import Page, Target
from fieldwork.app.domain.vocabulary import Status
from fieldwork.ui.models.navigator_tree import OPEN, STALE_WORDS, Node, outline
from fieldwork.ui.status_style import colour, icon

Index = QModelIndex | QPersistentModelIndex
NODE_ROLE = Qt.ItemDataRole.UserRole + 2
#: The tests' progress ("12/38" tested below a group) and the auditor's conclusion on a requirement.
COLUMNS = ("Item", "Tested", "Conclusion")
#: Conclusions as the narrow column shows them (the tooltip gives the full words).
SHORT = {
    CriterionConclusion.MET: "Met",
    CriterionConclusion.MET_WITH_EXCEPTIONS: "Met, exc.",
    CriterionConclusion.NOT_MET: "Not met",
    CriterionConclusion.NOT_RELEVANT: "N/R",
    CriterionConclusion.EXCLUDED: "Excluded",
    CriterionConclusion.NOT_CONCLUDED: "",
}
#: An item signed, then changed (in the narrow column: the tooltip says it in words, the filter finds the words).
STALE_MARK = "✎ "
#: A conclusion the file no longer supports is marked so it cannot pass unseen.
UNSUPPORTED = "⚠ "


def conclusion_text(node: Node) -> str:
    """The conclusion in short, marked when its sign-off no longer matches (on a control or test: the mark alone)."""
    found = node.conclusion
    stale = STALE_MARK if node.stale else ""
    if found is None or not SHORT[found.conclusion]:
        return stale + (node.verdict or ("changed" if node.stale else ""))
    return stale + (UNSUPPORTED if found.unsupported else "") + SHORT[found.conclusion]


SELECTABLE = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
#: What a node shows (and the filter searches): all that `update_in_place` copies.
SHOWN = ("label", "status", "counts", "search", "conclusion", "own_progress", "verdict", "stale")
figures = attrgetter(*SHOWN)


def changes(shown: Node, fresh: Node) -> list[tuple[Node, Node]] | None:
    """The pairs of nodes (shown, fresh) whose figures differ below two trees with the same items in the same
    places; None when the items or their places differ. It runs on the GUI thread after every write, over 5,000
    nodes at `--scale 20`: the trees' `outline`s (the fresh one's made on the worker) make it one comparison of
    their shapes and one pass over their nodes side by side (walked here, node by node, it took 15-35 ms)."""
    shown_shape, shown_nodes = outline(shown)
    fresh_shape, fresh_nodes = outline(fresh)
    if shown_shape != fresh_shape:
        return None
    return [(a, b) for a, b in zip(shown_nodes, fresh_nodes, strict=True) if figures(a) != figures(b)]


class NavigatorModel(QAbstractItemModel):
    def __init__(self) -> None:
        super().__init__()
        self.root = Node("root")
        self._by_target: dict[Target, Node] | None = None

    def set_root(self, root: Node) -> None:
        self.beginResetModel()
        self.root = root
        self._by_target = None
        self.endResetModel()

    def node_for(self, target: Target) -> Node | None:
        """The first node of the tree shown that opens `target` (looked up: a walk of the `--scale 20` tree's 5,000
        nodes cost each page opened 5-10 ms). `update_in_place` keeps the nodes, so the lookup stays right."""
        if self._by_target is None:
            found: dict[Target, Node] = {}
            for node in reversed(outline(self.root)[1]):
                if node.target is not None:
                    found[node.target] = node
            self._by_target = found
        return self._by_target.get(target)

    def update_in_place(self, root: Node) -> bool:
        """Show `root` without a reset when it has the shape of the tree shown (after most writes only statuses,
        progress and titles change): its figures are copied into the nodes shown and only the rows that changed
        are repainted, so the view keeps its expansion, selection and scroll and lays nothing out again (a reset
        of the `--scale 20` tree and restoring its expansion stalled the screen 100-200 ms after every result).
        False, and nothing changed, when the shape differs."""
        found = changes(self.root, root)
        if found is None:
            return False
        for shown, fresh in found:
            if shown is self.root:
                continue  # the invisible root shows nothing
            for name in SHOWN:
                setattr(shown, name, getattr(fresh, name))
            self.dataChanged.emit(self.index_of(shown), self.createIndex(shown.row, len(COLUMNS) - 1, shown))
        return True

    def index_of(self, node: Node) -> QModelIndex:
        """The index of a node of the current tree (pure bookkeeping, no search)."""
        if node is self.root or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    def node(self, index: Index) -> Node:
        if not index.isValid():
            return self.root
        found: Node = index.internalPointer()
        return found

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        owner = self.node(parent)
        if not (0 <= row < len(owner.children)) or not (0 <= column < len(COLUMNS)):
            return QModelIndex()
        return self.createIndex(row, column, owner.children[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        owner = self.node(index).parent
        if owner is None or owner is self.root:
            return QModelIndex()
        return self.createIndex(owner.row, 0, owner)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.node(parent).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 3:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self.node(index)
        if role == NODE_ROLE:
            return node
        if role == Qt.ItemDataRole.DisplayRole:
            return (node.label, node.progress, conclusion_text(node))[index.column()]
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0 and node.status is not None:
            return icon(node.status)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1 and node.status is not None:
            return colour(node.status)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2:
            return _verdict_colour(node)
        if role == Qt.ItemDataRole.ToolTipRole:  # a label elided in a narrow navigator reads whole here
            return _tooltip(node) if node.status is not None else node.label
        if role == Qt.ItemDataRole.FontRole and node.target is None:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return SELECTABLE if index.isValid() else Qt.ItemFlag.NoItemFlags


def _verdict_colour(node: Node) -> Any:
    """Red for what needs a look (changed after review, a conclusion no longer supported); else the progress."""
    if node.stale or (node.conclusion is not None and node.conclusion.unsupported):
        return colour(Status.EXCEPTIONS)
    if node.conclusion is not None or node.status is None:
        return None
    return colour(node.status) if node.verdict != OPEN else colour(Status.NOT_STARTED)


def _tooltip(node: Node) -> str:
    assert node.status is not None
    lines = [node.label, f"Progress: {node.status.label}"]
    if node.stale:
        lines.append(f"{STALE_MARK}{STALE_WORDS}: its sign-off no longer matches it (Go > Changed since review)")
    counts = node.counts
    if counts is None and node.own_progress and node.target is not None:
        done, of = node.own_progress.split("/")
        lines.append(
            f"{done} of {of} " + ("sample items with a result" if node.target.kind is Page.TEST else "tests concluded")
        )
    if counts is not None:
        lines.append(
            f"{counts.concluded} tested, {counts.in_progress} in progress, "
            f"{counts.exceptions} with exceptions, {counts.not_started} not started"
        )
    found = node.conclusion
    if found is not None:
        lines.append(f"Conclusion: {found.conclusion.label}")
        if found.unsupported:
            lines.append(f"Not supported: {found.unsupported}")
    return "\n".join(lines)
