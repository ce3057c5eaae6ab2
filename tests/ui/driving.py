"""Doing what a user does with the app's own widgets: pick from a list, type into a field and leave it."""

from __future__ import annotations

from enum import Enum

from ui.widgets import ChoiceBox, CommitTextEdit


def choose(box: ChoiceBox, member: Enum) -> None:
    """Pick a value as the user does (the box reports `activated`)."""
    index = box.members.index(member)
    box.setCurrentIndex(index)
    box.activated.emit(index)


def write(field: CommitTextEdit, text: str) -> None:
    """Type into a field and leave it."""
    field.setPlainText(text)
    field.flush()
