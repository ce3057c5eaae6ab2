"""Date fields that save like the other fields: once, when the user is done with them.

A QDateEdit reports every intermediate date while someone types or steps through it; saving
each would write half-typed dates (and refuse them). These commit when editing ends, or at
once when a date is picked from the calendar, where there is no half-typed state.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QSignalBlocker, Signal
from PySide6.QtWidgets import QCheckBox, QDateEdit, QHBoxLayout, QSizePolicy, QWidget


class DateField(QDateEdit):
    """Emits `committed` with a `date` when it ends with a value different from the one loaded."""

    committed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self._loaded = self.value()
        self.editingFinished.connect(self.flush)
        self.dateChanged.connect(self._changed)

    def load(self, value: date) -> None:
        with QSignalBlocker(self):
            self.setDate(QDate(value.year, value.month, value.day))
        self._loaded = value

    def value(self) -> date:
        picked: date = self.date().toPython()  # type: ignore[assignment]
        return picked

    def _changed(self) -> None:
        # While the field has focus the user is typing or stepping: wait for editingFinished.
        if not self.hasFocus():
            self.flush()

    def flush(self) -> None:
        if self.value() != self._loaded:
            self._loaded = self.value()
            self.committed.emit(self._loaded)


class OptionalDateField(QWidget):
    """A date that may be left unset (a release date not yet known): a "Set" box beside the date."""

    committed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.is_set = QCheckBox("Set")
        self.picker = DateField()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.is_set)
        layout.addWidget(self.picker)
        layout.addStretch()
        self.setFocusProxy(self.is_set)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # one line, like a QDateEdit
        self.is_set.toggled.connect(self._toggled)
        self.picker.committed.connect(lambda _picked: self.committed.emit(self.value()))

    def load(self, value: date | None, fallback: date) -> None:
        """`fallback` is what the date shows (greyed) while unset, so setting it starts somewhere sensible."""
        with QSignalBlocker(self.is_set):
            self.is_set.setChecked(value is not None)
        self.picker.load(value or fallback)
        self.picker.setEnabled(value is not None)

    def value(self) -> date | None:
        return self.picker.value() if self.is_set.isChecked() else None

    def _toggled(self, checked: bool) -> None:
        self.picker.setEnabled(checked)
        self.committed.emit(self.value())
