"""The judgement screens by keyboard: one Alt+letter per thing on a page (none taken from the menu bar), Tab in
reading order, Enter saves and Escape cancels in the dialogs."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QTabWidget, QWidget

from fieldwork.app.services import findings
from fieldwork.ui.context import Target
from fieldwork.ui.dialogs.finding import FindingDialog
from fieldwork.ui.views.findings import FindingsView
from fieldwork.ui.views.requirement import RequirementView
from fieldwork.ui.workspace import Workspace
from tests.ui.driving import open_page
from tests.ui.test_evidence_views import click

#: The main window's menus (File, Edit, Go, Help) own these.
MENU_KEYS = set("fegh")


def mnemonics(root: QWidget) -> list[str]:
    """The Alt+letter of every visible label, button, group and tab under `root`."""
    texts = [w.text() for w in root.findChildren(QAbstractButton) if w.isVisibleTo(root)]
    texts += [w.text() for w in root.findChildren(QLabel) if w.buddy() is not None and w.isVisibleTo(root)]
    texts += [w.title() for w in root.findChildren(QGroupBox) if w.isVisibleTo(root)]
    for tabs in root.findChildren(QTabWidget):
        texts += [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i) and tabs.isVisibleTo(root)]
    return [m.group(1).lower() for text in texts if (m := re.search(r"&([^&])", text))]


@pytest.mark.parametrize(
    "target", [Target("requirement", "8.4"), Target("requirement", "CC6.1"), Target("findings"), Target("opinion")]
)
def test_each_judgement_page_gives_every_mnemonic_once(demo_workspace: Workspace, target: Target) -> None:
    demo_workspace.open_target(target)
    page = demo_workspace.views[target.kind]
    keys = mnemonics(page)
    assert len(keys) >= 5, keys
    assert [key for key, n in Counter(keys).items() if n > 1] == [], keys
    assert not MENU_KEYS & set(keys), keys


def focus_chain(root: QWidget) -> list[QWidget]:
    """The widgets Tab visits under `root`, in order."""
    chain, widget = [], root.nextInFocusChain()
    while widget is not root and widget not in chain:
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(root) and widget.isEnabled():
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def new_finding(workspace: Workspace) -> FindingDialog:
    view = open_page(workspace, Target("findings"), FindingsView)
    click(view, "New finding...")
    assert view.dialog is not None
    return view.dialog


def test_the_finding_dialog_tabs_in_reading_order_saves_on_enter_and_cancels_on_escape(
    demo_workspace: Workspace,
) -> None:
    dialog = new_finding(demo_workspace)
    assert [key for key, n in Counter(mnemonics(dialog)).items() if n > 1] == []
    chain = focus_chain(dialog)
    wanted = [
        dialog.kind,
        dialog.requirements.filter,
        dialog.requirements.list,
        dialog.statement,
        dialog.objective,
        dialog.deviations.filter,
        dialog.deviations.list,
        dialog.status,
        dialog.correction,
        dialog.root_cause,
        dialog.action,
        dialog.owner,
    ]
    assert [w for w in chain if w in wanted] == wanted
    QTest.keyClicks(dialog.requirements.filter, "9.3")
    QTest.keyClick(dialog.requirements.filter, Qt.Key.Key_Return)  # to the narrowed list, on its first line
    QTest.keyClick(dialog.requirements.list, Qt.Key.Key_Space)
    assert dialog.requirements.chosen_refs() == ["9.3"]
    QTest.keyClick(dialog.owner, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.error.text().startswith("Write the finding's statement"), "Enter saves"
    QTest.keyClick(dialog.owner, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert len(findings.list_findings(demo_workspace.ctx.db)) == 7, "nothing saved by Escape"


def test_the_conclusion_fields_tab_in_reading_order(demo_workspace: Workspace) -> None:
    box = open_page(demo_workspace, Target("requirement", "8.4"), RequirementView).conclusion
    chain = focus_chain(box)
    wanted = [box.kind, box.basis, box.deviations.filter, box.deviations.list, box.compensating.filter]
    assert [w for w in chain if w in wanted] == wanted
