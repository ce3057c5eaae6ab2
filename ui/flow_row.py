"""A row of widgets that wraps onto more lines when its page is narrow (half a screen), and reads as one
`QHBoxLayout` row when there is room: stretch factors share the spare width, trailing widgets sit at the right.

Qt has no flow layout of its own (its documentation carries one as an example); this one adds what the pages'
button rows need from `QHBoxLayout`: stretch, fixed spacing, and a right-hand group.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QSizePolicy,
    QSpacerItem,
    QStyle,
    QWidget,
    QWidgetItem,
)


@dataclass
class _Entry:
    item: QLayoutItem
    stretch: int = 0
    trailing: bool = False  # kept at the right of its line, after the spare width

    @property
    def spacer(self) -> bool:
        return isinstance(self.item, QSpacerItem)


@dataclass
class _Placed:
    entry: _Entry
    width: int
    height: int


class FlowRow(QLayout):
    """Widgets left to right, wrapping to a new line where the next one would not fit.

    `addWidget(widget, stretch)` and `addSpacing` work as in `QHBoxLayout`; `add_trailing` puts a widget in the group
    kept at the right (Delete, say). A spacing never starts a line. Hidden widgets take no room.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries: list[_Entry] = []
        self.setContentsMargins(0, 0, 0, 0)

    # -- building --------------------------------------------------------------------------------

    def addWidget(self, widget: QWidget, stretch: int = 0) -> None:
        self._add(widget, _Entry(QWidgetItem(widget), stretch))

    def add_trailing(self, widget: QWidget) -> None:
        self._add(widget, _Entry(QWidgetItem(widget), trailing=True))

    def addSpacing(self, size: int) -> None:
        self.entries.append(_Entry(QSpacerItem(size, 0, QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum)))
        self.invalidate()

    def _add(self, widget: QWidget, entry: _Entry) -> None:
        self.addChildWidget(widget)
        self.entries.append(entry)
        self.invalidate()

    # -- QLayout -------------------------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self.entries.append(_Entry(item))

    def count(self) -> int:
        return len(self.entries)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self.entries[index].item if 0 <= index < len(self.entries) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self.entries.pop(index).item if 0 <= index < len(self.entries) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        """All on one line, as a `QHBoxLayout` would ask."""
        shown = self._shown()
        width = sum(e.item.sizeHint().width() for e in shown) + self._gap() * max(0, len(shown) - 1)
        height = max((e.item.sizeHint().height() for e in shown), default=0)
        return self._with_margins(QSize(width, height))

    def minimumSize(self) -> QSize:
        """As narrow as the widest widget (the rest wrap under it)."""
        shown = [e for e in self._shown() if not e.spacer]
        width = max((e.item.minimumSize().width() for e in shown), default=0)
        height = max((e.item.minimumSize().height() for e in shown), default=0)
        return self._with_margins(QSize(width, height))

    # -- laying out ----------------------------------------------------------------------------------

    def _shown(self) -> list[_Entry]:
        return [e for e in self.entries if not e.item.isEmpty() or e.spacer]

    def _gap(self) -> int:
        if self.spacing() >= 0:
            return self.spacing()
        parent = self.parent()
        if isinstance(parent, QLayout):
            return max(parent.spacing(), 0)
        owner = self.parentWidget()
        return owner.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing) if owner is not None else 6

    def _with_margins(self, size: QSize) -> QSize:
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _lines(self, width: int) -> list[list[_Placed]]:
        """The entries in lines no wider than `width` (a widget wider than a line gets the line's width)."""
        gap, used = self._gap(), 0
        lines: list[list[_Placed]] = [[]]
        for entry in self._shown():
            line = lines[-1]
            wide = min(max(entry.item.sizeHint().width(), entry.item.minimumSize().width()), width)
            if line and used + gap + wide > width and not entry.spacer:
                lines.append([])
                line, used = lines[-1], 0
            if entry.spacer and not line:
                continue
            item = entry.item
            high = item.heightForWidth(wide) if item.hasHeightForWidth() else item.sizeHint().height()
            line.append(_Placed(entry, wide, high))
            used += (gap if len(line) > 1 else 0) + wide
        return [line for line in lines if line]

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place the entries in `rect` (or only measure), returning the height they take."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        gap, top = self._gap(), area.top()
        lines = self._lines(max(area.width(), 1))
        for number, line in enumerate(lines):
            height = max(p.height for p in line)
            if move:
                self._place_line(line, area, top, height)
            top += height + (gap if number < len(lines) - 1 else 0)
        return top - area.top() + margins.top() + margins.bottom()

    def _place_line(self, line: list[_Placed], area: QRect, top: int, height: int) -> None:
        """Spare width goes to stretch factors; with none on the line, it opens before the trailing group."""
        gap = self._gap()
        spare = area.width() - sum(p.width for p in line) - gap * (len(line) - 1)
        stretches = sum(p.entry.stretch for p in line)
        x = area.left()
        for placed in line:
            width = placed.width
            if stretches and placed.entry.stretch:
                width += spare * placed.entry.stretch // stretches
            elif not stretches and placed.entry.trailing and spare > 0:
                x, spare = x + spare, 0
            item = placed.entry.item
            high = min(item.heightForWidth(width) if item.hasHeightForWidth() else placed.height, height)
            item.setGeometry(QRect(QPoint(x, top + (height - high) // 2), QSize(width, high)))
            x += width + gap


def labelled(text: str, field: QWidget) -> QWidget:
    """A label and its field as one piece of a `FlowRow`, so a wrapped row never parts them (the label is the
    field's buddy: its mnemonic moves there)."""
    label = QLabel(text)
    label.setBuddy(field)
    pair = QHBoxLayout()
    pair.setContentsMargins(0, 0, 0, 0)
    pair.addWidget(label)
    pair.addWidget(field, 1)
    piece = QWidget()
    piece.setLayout(pair)
    return piece
