"""Small widgets that save as the user works: an edit is committed when the field is left."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import Enum

from PySide6.QtCore import QSignalBlocker, QSize, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldwork.app.domain.vocabulary import Labelled
from fieldwork.ui.date_fields import DateField
from fieldwork.ui.flow_row import FlowRow


class CommitLineEdit(QLineEdit):
    """Emits `committed` once, when editing ends with a value different from the one loaded."""

    committed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loaded = ""
        self.editingFinished.connect(self.flush)

    def load(self, value: str) -> None:
        with QSignalBlocker(self):
            self.setText(value)
        self._loaded = value

    def flush(self) -> None:
        if self.text() != self._loaded:
            self._loaded = self.text()
            self.committed.emit(self.text())


class CommitTextEdit(QPlainTextEdit):
    """A multi-line field that commits when it loses focus (and on `flush`, e.g. when closing)."""

    committed = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, lines: int | None = None) -> None:
        """`lines`: the height it asks for (it may grow with the space there is; never below three lines)."""
        super().__init__(parent)
        self._loaded = ""
        self.setTabChangesFocus(True)
        self.lines = lines
        if lines is not None:
            self.setMinimumHeight(self._height(min(lines, 3)))

    def _height(self, lines: int) -> int:
        return lines * self.fontMetrics().lineSpacing() + 2 * self.frameWidth() + 8

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return hint if self.lines is None else QSize(hint.width(), self._height(self.lines))

    def load(self, value: str) -> None:
        with QSignalBlocker(self):
            self.setPlainText(value)
        self._loaded = value

    def flush(self) -> None:
        if self.toPlainText() != self._loaded:
            self._loaded = self.toPlainText()
            self.committed.emit(self._loaded)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.flush()
        super().focusOutEvent(event)


class ChoiceBox(QComboBox):
    """A combo box over a vocabulary (and optionally "none"); emits `chosen` with the member or None.

    Members are kept by position: Qt would turn a str-based enum member into a plain string.
    """

    chosen = Signal(object)

    def __init__(self, choices: Iterable[Labelled], none_label: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.members: list[Labelled | None] = [None] if none_label is not None else []
        if none_label is not None:
            self.addItem(none_label)
        for member in choices:
            self.members.append(member)
            self.addItem(member.label)
        self.activated.connect(lambda index: self.chosen.emit(self.members[index]))

    def load(self, value: Enum | None) -> None:
        with QSignalBlocker(self):
            self.setCurrentIndex(self.members.index(value) if value in self.members else 0)

    def value(self) -> Labelled | None:
        index = self.currentIndex()
        return self.members[index] if 0 <= index < len(self.members) else None

    def offer(self, member: Labelled, offered: bool) -> None:
        """Grey out a choice that cannot apply here, keeping it in view (and the stored value readable)."""
        item = self.model().item(self.members.index(member))  # type: ignore[attr-defined]
        item.setEnabled(offered)


def narrow(box: QComboBox, characters: int = 10) -> QComboBox:
    """Let a combo box shrink below its longest choice (a long choice is elided; the list shows it whole)."""
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(characters)
    return box


def scrolled(body: QWidget) -> QScrollArea:
    """`body` in a frameless scroll area that scrolls only when it must (a form on a small screen)."""
    area = QScrollArea()
    area.setWidget(body)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


def heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.35)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def note(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def flush_edits(root: QWidget) -> None:
    """Commit every field still being edited under `root` (before closing or switching items)."""
    fields: list[CommitLineEdit | CommitTextEdit | DateField] = [
        *root.findChildren(CommitLineEdit),
        *root.findChildren(CommitTextEdit),
        *root.findChildren(DateField),
    ]
    for field in fields:
        field.flush()


Action = tuple[str, Callable[[], object]]


def section(title: str, body: QWidget, actions: Sequence[Action] = (), trailing: Sequence[Action] = ()) -> QWidget:
    """A heading (none when `title` is empty: a tab names it), a body (usually a table) and a row of buttons:
    left `actions`, right `trailing`."""
    panel = QWidget()
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    if title:
        layout.addWidget(heading(title))
    layout.addWidget(body)
    if actions or trailing:
        layout.addLayout(button_row(actions, trailing)[0])
    return panel


def button_row(actions: Sequence[Action], trailing: Sequence[Action] = ()) -> tuple[FlowRow, list[QPushButton]]:
    """Buttons for `actions` on the left and `trailing` (e.g. Delete) on the right, and the buttons made; on a
    narrow page the row wraps onto more lines rather than run off the right edge."""
    row = FlowRow()
    buttons = []
    for index, (text, slot) in enumerate([*actions, *trailing]):
        button = QPushButton(text)
        button.clicked.connect(lambda _checked=False, slot=slot: slot())
        if index < len(actions):
            row.addWidget(button)
        else:
            row.add_trailing(button)
        buttons.append(button)
    return row, buttons
