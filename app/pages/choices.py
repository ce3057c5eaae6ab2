"""Records offered for picking by reference on a page: a deviation to cite, a control, a requirement."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from fieldwork.app.domain.ids import ControlId, DeviationId
from fieldwork.app.domain.records import Control, Deviation

K = TypeVar("K")


@dataclass(frozen=True)
class Choice(Generic[K]):
    """One thing to pick: its key, the reference people know it by, and a line saying what it is.

    `near` marks the choices that belong with the item being edited (a deviation of a linked control's test),
    listed first.
    """

    key: K
    ref: str
    label: str
    near: bool = False


def deviation_choices(
    deviations: Iterable[Deviation], near_controls: Collection[str] = ()
) -> tuple[Choice[DeviationId], ...]:
    """Deviations by reference; those of the controls `near_controls` (refs) first."""
    found = [Choice(d.id, d.ref, d.description, d.control_ref in near_controls) for d in deviations]
    return tuple(sorted(found, key=lambda c: not c.near))


def control_choices(controls: Iterable[Control]) -> tuple[Choice[ControlId], ...]:
    return tuple(Choice(c.id, c.ref, c.title) for c in controls)
