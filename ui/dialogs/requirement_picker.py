"""Pick the requirements a control serves: a searchable tree (framework, clause or criterion group,
requirement) with a tick box on each one that can be linked. Nothing is chosen until the auditor ticks it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QTreeView, QVBoxLayout, QWidget

from fieldwork.app.domain.records import Requirement
from fieldwork.app.domain.vocabulary import Framework
from fieldwork.ui.dialogs.foot import Button, dialog_foot

CODE_ROLE = Qt.ItemDataRole.UserRole + 1


def _item(text: str, code: str | None = None, tickable: bool = False) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    item.setData(code, CODE_ROLE)
    if tickable:
        item.setCheckable(True)
        item.setCheckState(Qt.CheckState.Unchecked)
    return item


def build_tree(scope: Sequence[Requirement], choices: Iterable[str], linked: Iterable[str]) -> QStandardItemModel:
    """Framework > group (a SOC 2 criteria series, an ISO/IEC 42001 clause or Annex A objective) > requirement,
    following each requirement's parent when it is in scope. Only `choices` can be ticked; `linked` ones say so."""
    model = QStandardItemModel()
    offered, already = set(choices), set(linked)
    frameworks = {f: _item(f.label) for f in Framework}
    for item in frameworks.values():
        model.appendRow(item)
    nodes: dict[str, QStandardItem] = {}
    groups: dict[tuple[Framework, str], QStandardItem] = {}
    for req in scope:
        note = "  (linked)" if req.code in already else ""
        nodes[req.code] = _item(f"{req.code}  {req.title}{note}", req.code, req.code in offered)
    for req in scope:
        if req.parent in nodes:
            nodes[req.parent].appendRow(nodes[req.code])
            continue
        name = req.group or (f"Clause {req.parent}" if req.parent else "")
        if not name:
            frameworks[req.framework].appendRow(nodes[req.code])
            continue
        if (req.framework, name) not in groups:
            groups[(req.framework, name)] = group = _item(name)
            frameworks[req.framework].appendRow(group)
        groups[(req.framework, name)].appendRow(nodes[req.code])
    return model


class RequirementPicker(QDialog):
    def __init__(
        self,
        control: str,
        scope: Sequence[Requirement],
        choices: Iterable[str],
        linked: Iterable[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Link requirements to {control}")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Tick every requirement this control serves, in either framework."))
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by code or words, e.g. CC6 or access")
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.model = build_tree(scope, choices, linked)
        self.shown = QSortFilterProxyModel(self)
        self.shown.setSourceModel(self.model)
        self.shown.setRecursiveFilteringEnabled(True)  # a match keeps its clause and framework in view
        self.shown.setAutoAcceptChildRows(True)  # a matching clause shows what is under it
        self.shown.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search.textChanged.connect(self._filter)
        self.tree = QTreeView()
        self.tree.setHeaderHidden(True)
        self.tree.setModel(self.shown)
        self.tree.expandToDepth(0)
        layout.addWidget(self.tree, 1)
        self.model.itemChanged.connect(lambda _item: self._count())
        self.count = QLabel()
        layout.addWidget(self.count)
        self.error, buttons = dialog_foot(self, layout.addWidget, self._accept, Button.Save)
        buttons.button(Button.Save).setText("Link")
        self._count()
        self.resize(640, 560)

    def _filter(self, text: str) -> None:
        self.shown.setFilterFixedString(text.strip())
        if text.strip():
            self.tree.expandAll()
        else:
            self.tree.collapseAll()
            self.tree.expandToDepth(0)

    def _items(self, parent: QStandardItem | None = None) -> Iterable[QStandardItem]:
        root = parent or self.model.invisibleRootItem()
        for row in range(root.rowCount()):
            child = root.child(row)
            yield child
            yield from self._items(child)

    def chosen(self) -> list[str]:
        """The requirements ticked, in the tree's order."""
        return [i.data(CODE_ROLE) for i in self._items() if i.isCheckable() and i.checkState() == Qt.CheckState.Checked]

    def tick(self, code: str) -> None:
        found = next(i for i in self._items() if i.data(CODE_ROLE) == code)
        found.setCheckState(Qt.CheckState.Checked)

    def _count(self) -> None:
        picked = self.chosen()
        self.count.setText(f"{len(picked)} ticked: {', '.join(picked)}" if picked else "None ticked yet.")

    def _accept(self) -> None:
        if not self.chosen():
            self.error.setText("Tick the requirements this control serves first.")
            return
        self.accept()
