"""Alt+letter reaches one thing: on every page (and each of its tabs), no two mnemonics share a letter,
the menu bar's included."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from PySide6.QtWidgets import QAbstractButton, QApplication, QGroupBox, QLabel, QTabBar, QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from fieldwork.app.domain.vocabulary import TestKind
from fieldwork.app.services import testing
from fieldwork.ui.context import Target
from fieldwork.ui.main_window import MainWindow

MNEMONIC = re.compile(r"(?<!&)&([^&\s])")


def _letter(text: str) -> str | None:
    found = MNEMONIC.search(text.replace("&&", ""))
    return found.group(1).lower() if found else None


def mnemonics(window: MainWindow) -> dict[str, list[str]]:
    """Each letter Alt reaches in the window as shown, and what it names."""
    found: dict[str, list[str]] = defaultdict(list)

    def add(text: str) -> None:
        if (letter := _letter(text)) is not None:
            found[letter].append(text)

    for action in window.menuBar().actions():
        add(action.text())
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or not widget.isEnabled():
            continue
        buddy = widget.buddy() if isinstance(widget, QLabel) else None
        if isinstance(widget, QAbstractButton) or (buddy is not None and buddy.isVisibleTo(window)):
            add(widget.text())
        elif isinstance(widget, QGroupBox):
            add(widget.title())
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                if widget.isTabEnabled(index) and widget.isTabVisible(index):
                    add(widget.tabText(index))
    return found


def clashes(window: MainWindow) -> dict[str, list[str]]:
    return {letter: names for letter, names in mnemonics(window).items() if len(names) > 1}


def _pages(window: MainWindow) -> list[Target]:
    """A target of each kind the navigator offers, and a test of each kind."""
    assert window.workspace is not None
    chosen: dict[str, Target] = {}
    for node in window.workspace.model.root.descendants():
        if node.target is not None:
            chosen.setdefault(node.target.kind, node.target)
    tests = testing.list_tests(window.workspace.db)
    design = next(t for t in tests if t.kind is TestKind.DESIGN)
    operating = next(t for t in tests if t.kind is TestKind.OPERATING and t.deviation_count)
    return [*chosen.values(), Target("test", design.id), Target("test", operating.id)]


def test_no_page_gives_one_letter_to_two_things(qtbot: QtBot, demo_template: Path, tmp_path: Path) -> None:
    window = MainWindow(synchronous=True)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    copy = tmp_path / "demo.fieldwork"
    copy.write_bytes(demo_template.read_bytes())
    window.opener.open_path(copy)
    workspace = window.workspace
    assert workspace is not None
    found: dict[str, dict[str, list[str]]] = {}
    pages = _pages(window)
    assert {"dashboard", "matrix", "requirement", "control", "test", "soa", "evidence"} <= {t.kind for t in pages}
    for target in pages:
        workspace.open_target(target)
        QApplication.processEvents()
        view = workspace.views[target.kind]
        tabs = [t for t in view.findChildren(QTabWidget) if t.isVisibleTo(window)]
        for tab_widget in tabs or [None]:
            for index in range(tab_widget.count() if tab_widget else 1):
                if tab_widget is not None:
                    tab_widget.setCurrentIndex(index)
                    QApplication.processEvents()
                where = f"{target.kind}" + (f" / {tab_widget.tabText(index)}" if tab_widget else "")
                if clash := clashes(window):
                    found[where] = clash
    assert not found, "\n".join(f"{where}: {clash}" for where, clash in found.items())
    start = MainWindow(synchronous=True)
    qtbot.addWidget(start)
    start.show()
    assert not clashes(start), "the start screen"
    assert len(mnemonics(start)) >= 6, "the menus and the start screen's buttons are counted"
