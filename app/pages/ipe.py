"""The information produced by the entity: every population a test relies on and every key report, with the rule
that a clean conclusion needs its population assessed; and one assessment as the sampling panel shows it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from fieldwork.app.domain.ids import ControlId, TestId
from fieldwork.app.domain.ipe import IpeRegister, PopulationIpe
from fieldwork.app.engagement import Engagement
from fieldwork.app.services.controls import read_controls
from fieldwork.app.services.ipe import read_register
from fieldwork.app.services.testing import read_test


@dataclass(frozen=True)
class IpePage:
    register: IpeRegister
    #: Controls a key report can be added to: (reference, title, id).
    controls: tuple[tuple[str, str, ControlId], ...]


def read_ipe_page(conn: Connection) -> IpePage:
    controls = tuple((c.ref, c.title, c.id) for c in read_controls(conn))
    return IpePage(read_register(conn), controls)


def load_ipe_page(db: Engagement) -> IpePage:
    with db.reading() as conn:
        return read_ipe_page(conn)


@dataclass(frozen=True)
class PopulationState:
    """The IPE line of a test's sampling panel: the population it relies on (None: no listing) and the rule."""

    relied: PopulationIpe | None
    required: bool


def read_population_state(conn: Connection, test_id: TestId) -> PopulationState:
    register = read_register(conn, [read_test(conn, test_id)])
    return PopulationState(register.for_test(test_id), register.rule.required)
