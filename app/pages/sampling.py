"""The sampling part of a test of operating effectiveness: the plan, the population and its IPE assessment."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from fieldwork.app.domain.records import ControlTest
from fieldwork.app.domain.sampling import Population, SamplePlan
from fieldwork.app.pages.ipe import PopulationState, read_population_state
from fieldwork.app.services.population import read_population
from fieldwork.app.services.sampling import read_plan


@dataclass(frozen=True)
class SamplingState:
    plan: SamplePlan
    population: Population | None
    #: The sample items the test has (a drawn sample can be extended, not drawn again).
    items: int
    ipe: PopulationState
    #: The population size the test's plan records (a sample drawn outside Fieldwork), or None.
    recorded: int | None = None


def read_sampling_state(conn: Connection, test: ControlTest) -> SamplingState:
    return SamplingState(
        plan=read_plan(conn, test.id),
        population=read_population(conn, test.id),
        items=test.items_total,
        ipe=read_population_state(conn, test.id),
        recorded=test.population_size,
    )
