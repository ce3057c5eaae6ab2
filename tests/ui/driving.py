"""Doing what a user does with the app's own widgets: open a page, pick from a list, type into a field and leave it."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

import pytest

from PySide6.QtWidgets import QDialog

from fieldwork.ui.context import Target
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.widgets import ChoiceBox, CommitTextEdit
from fieldwork.ui.workspace import Workspace

V = TypeVar("V", bound=DetailView)


def open_page(workspace: Workspace, target: Target, page: type[V]) -> V:
    """Open `target` as the navigator would, and the page that shows it."""
    workspace.open_target(target)
    view = workspace.views[target.kind]
    assert isinstance(view, page)
    return view


def choose(box: ChoiceBox, member: Enum) -> None:
    """Pick a value as the user does (the box reports `activated`)."""
    index = box.members.index(member)
    box.setCurrentIndex(index)
    box.activated.emit(index)


def write(field: CommitTextEdit, text: str) -> None:
    """Type into a field and leave it."""
    field.setPlainText(text)
    field.flush()


def answering(monkeypatch: pytest.MonkeyPatch, dialog: type[QDialog], fill: Callable[[Any], None] | None) -> None:
    """The dialog, when it opens, filled in as `fill` does and saved (its own checks run), or cancelled when None."""

    def run(self: Any) -> int:
        if fill is None:
            return QDialog.DialogCode.Rejected
        fill(self)
        self._accept()
        return self.result()

    monkeypatch.setattr(dialog, "exec", run)
