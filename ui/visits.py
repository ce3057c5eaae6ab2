"""Back and Forward through the pages visited, as a web browser keeps them."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)

#: Visits kept: enough for a day's going back and forth, bounded so a long session does not grow.
LIMIT = 200


class Visits(Generic[T]):
    """A new visit drops what lay ahead (as a browser does); revisiting the current page records nothing."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.places: list[T] = []
        self.position = -1
        self.limit = limit

    @property
    def current(self) -> T | None:
        return self.places[self.position] if self.places else None

    def visit(self, place: T) -> None:
        if place == self.current:
            return
        del self.places[self.position + 1 :]
        self.places.append(place)
        del self.places[: max(0, len(self.places) - self.limit)]
        self.position = len(self.places) - 1

    def can_go(self, step: int) -> bool:
        return 0 <= self.position + step < len(self.places)

    def go(self, step: int) -> T | None:
        """The place `step` visits back (-1) or forward (+1), now current; None at either end."""
        if not self.can_go(step):
            return None
        self.position += step
        return self.places[self.position]
