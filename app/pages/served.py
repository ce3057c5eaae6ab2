"""The requirements a control serves, each with its derived status: shown on the control and test pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fieldwork.app.domain.records import Control, Requirement, RequirementStatus
from fieldwork.app.domain.vocabulary import Status


@dataclass(frozen=True)
class Served:
    requirement: Requirement
    status: Status


def served_by(control: Control, scope: Sequence[Requirement], statuses: dict[str, RequirementStatus]) -> list[Served]:
    """The control's requirements that are in scope, in catalog order, with their derived status."""
    by_code = {r.code: r for r in scope}
    return [
        Served(by_code[code], statuses[code].status if code in statuses else Status.NOT_STARTED)
        for code in control.requirements
        if code in by_code
    ]
