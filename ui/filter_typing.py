"""A filter field that applies what is typed after a pause, and what the app puts in it at once.

Applying a filter over a `--scale 20` list or tree takes tens of milliseconds or more on the GUI thread; per key,
a typed word repeats that for every letter (`benchmarks/gui_stalls.py`). The pause is short enough to read as
immediate.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLineEdit

PAUSE_MS = 200


def apply_after_typing(field: QLineEdit, apply: Callable[[], None]) -> QTimer:
    """Call `apply` PAUSE_MS after the last key typed in `field`, or at once when the text is set by the app (a
    test, a link, clearing). The timer is returned so that a caller can tell whether typing is pending."""
    timer = QTimer(field, singleShot=True, interval=PAUSE_MS)
    timer.timeout.connect(apply)
    field.textEdited.connect(lambda _text: timer.start())  # emitted before textChanged
    field.textChanged.connect(lambda _text: None if timer.isActive() else apply())
    return timer
