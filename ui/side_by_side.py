"""Panels side by side while the page gives each its minimum width; on a narrower page (half a screen), one at a
time under a tab bar, so the page never scrolls sideways and keeps its height (the opinion worksheet's areas): a
tabbed panel squeezed by what wraps above it scrolls rather than overlap its own fields."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QTabBar, QVBoxLayout, QWidget

from fieldwork.ui.widgets import scrolled


class SideBySide(QWidget):
    """`panels` (title, widget) in a row; tabbed when the row is narrower than they need together.

    A panel can be left out (`show_panel(index, False)`): it takes no room and loses its tab.
    """

    def __init__(self, panels: Sequence[tuple[str, QWidget]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panels = [widget for _title, widget in panels]
        self.wanted = [True] * len(self.panels)
        self.least = QSize()
        self.bar = QTabBar()
        self.bar.setDrawBase(False)
        self.bar.setElideMode(Qt.TextElideMode.ElideRight)  # every area's tab in view, however narrow
        self.bar.setUsesScrollButtons(False)
        body = QWidget()
        self.row = QHBoxLayout(body)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.scroll = scrolled(body)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body.setMinimumSize(0, 1)
        for title, widget in panels:
            self.bar.addTab(title)
            self.row.addWidget(widget, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.bar)
        layout.addWidget(self.scroll)
        self.bar.currentChanged.connect(lambda _index: self._arrange())
        self._arrange()

    def show_panel(self, index: int, shown: bool) -> None:
        self.wanted[index] = shown
        self.bar.setTabVisible(index, shown)
        self._arrange()

    @property
    def tabbed(self) -> bool:
        return not self.bar.isHidden()

    def _needed(self) -> int:
        """The width of the panels side by side, each at its minimum."""
        widths = [p.minimumSizeHint().width() for p, wanted in zip(self.panels, self.wanted, strict=True) if wanted]
        return sum(widths) + self.row.spacing() * max(0, len(widths) - 1)

    def _hints(self, minimum: bool) -> list[QSize]:
        return [
            p.minimumSizeHint() if minimum else p.sizeHint()
            for p, wanted in zip(self.panels, self.wanted, strict=True)
            if wanted
        ]

    def minimumSizeHint(self) -> QSize:
        """As narrow as the widest panel (tabbed), however they are shown now: the width decides how. Side by side
        they keep their whole height; tabbed, a panel may scroll down to a few lines."""
        shown = self._hints(minimum=True)
        width = max((size.width() for size in shown), default=0)
        height = max((size.height() for size in shown), default=0)
        if not self.tabbed:  # at the height the panels take at this width (a wrapped line adds one)
            return QSize(width, max(height, self.row.heightForWidth(self.width())))
        least = 6 * self.fontMetrics().lineSpacing()
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        return QSize(width + bar, self.bar.sizeHint().height() + min(height, least))

    def sizeHint(self) -> QSize:
        shown = self._hints(minimum=False)
        height = max((size.height() for size in shown), default=0)
        return QSize(sum(size.width() for size in shown), height + (self.bar.sizeHint().height() if self.tabbed else 0))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        tabbed = self.width() < self._needed()
        if tabbed != self.tabbed:
            self.bar.setVisible(tabbed)
            off, needed = Qt.ScrollBarPolicy.ScrollBarAlwaysOff, Qt.ScrollBarPolicy.ScrollBarAsNeeded
            self.scroll.setVerticalScrollBarPolicy(needed if tabbed else off)
            # Side by side the panels take the height given (as a plain row would); tabbed, they scroll below theirs.
            self.scroll.widget().setMinimumSize(0, 0 if tabbed else 1)
        least = self.minimumSizeHint()
        if least != self.least:
            self.least = least
            self.updateGeometry()  # the tab bar, or a line wrapped at the new width, changes the minimum
        current = self.bar.currentIndex()
        for index, panel in enumerate(self.panels):
            panel.setVisible(self.wanted[index] and (not tabbed or index == current))


class Stacking(QWidget):
    """Panels side by side while the page gives each its minimum width, one above the other on a narrower page
    (a requirement's progress beside its conclusion): for panels short enough to read in turn, unlike the tabs of
    `SideBySide`."""

    def __init__(self, panels: Sequence[tuple[QWidget, int]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panels = [widget for widget, _stretch in panels]
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.row.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in panels:
            self.row.addWidget(widget, stretch)

    @property
    def stacked(self) -> bool:
        return self.row.direction() is QBoxLayout.Direction.TopToBottom

    def _needed(self) -> int:
        widths = [p.minimumSizeHint().width() for p in self.panels]
        return sum(widths) + self.row.spacing() * max(0, len(widths) - 1)

    def minimumSizeHint(self) -> QSize:
        """As narrow as the widest panel: the width decides how they are shown."""
        hints = [p.minimumSizeHint() for p in self.panels]
        if self.stacked:
            height = sum(h.height() for h in hints) + self.row.spacing() * max(0, len(hints) - 1)
        else:
            height = max((h.height() for h in hints), default=0)
        return QSize(max((h.width() for h in hints), default=0), height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        stack = event.size().width() < self._needed()
        if stack != self.stacked:
            self.row.setDirection(QBoxLayout.Direction.TopToBottom if stack else QBoxLayout.Direction.LeftToRight)
            self.updateGeometry()  # stacked, the row is taller
