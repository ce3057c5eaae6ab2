"""What the navigator shows: both frameworks' requirements with their progress and conclusions, the client's
controls and tests, the deviations, the workpapers and the AI systems, with what changed after review.

One read transaction, so the tree's counts, statuses and stale marks all describe the same moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection

from fieldwork.app.domain.ai_systems import AiSystem
from fieldwork.app.domain.ids import ControlId, TestId
from fieldwork.app.domain.judgements import RequirementConclusion
from fieldwork.app.domain.records import Control, Deviation, Requirement, RequirementStatus
from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.domain.workpapers import Workpaper
from fieldwork.app.engagement import Engagement
from fieldwork.app.pages.review import ItemKey, read_stale
from fieldwork.app.services import controls as control_service
from fieldwork.app.services import deviations as deviation_service
from fieldwork.app.services.ai_systems import read_systems
from fieldwork.app.services.conclusions import read_conclusions, read_grounds
from fieldwork.app.services.opinion import read_worksheet
from fieldwork.app.services.signables import ItemType
from fieldwork.app.services.status import TestState, read_test_states, statuses_of_controls
from fieldwork.app.services.workpapers import read_workpapers


@dataclass(frozen=True)
class NavigatorPage:
    requirements: list[Requirement]
    statuses: dict[str, RequirementStatus]
    controls: list[Control]
    control_status: dict[ControlId, Status]
    tests: list[TestState]  # every test, counted in the report or not
    test_refs: dict[TestId, str]
    deviations: list[Deviation]
    conclusions: dict[str, RequirementConclusion]
    stale: frozenset[ItemKey] = frozenset()
    workpapers: list[Workpaper] = field(default_factory=list)
    ai_systems: list[AiSystem] = field(default_factory=list)


def read_navigator_page(conn: Connection) -> NavigatorPage:
    """Everything the navigator shows; every test is listed, counted in the report or not.

    The test states, the grounds and the conclusions are read once and handed on (the opinion worksheet, which
    marks the opinion memo, is built from them): read again, they were half the page's time.
    """
    states = read_test_states(conn)
    grounds = read_grounds(conn, states)
    conclusions = read_conclusions(conn, grounds)
    return NavigatorPage(
        requirements=list(grounds.scope),
        statuses=grounds.statuses,
        controls=control_service.read_controls(conn),
        control_status=statuses_of_controls(
            [t for found in grounds.tests.values() for t in found], grounds.report_type
        ),
        tests=sorted(states.values(), key=lambda t: t.test_id),
        test_refs=grounds.test_refs,
        deviations=deviation_service.read_deviations(conn),
        conclusions={c.code: c for c in conclusions},
        stale=read_stale(conn, (ItemType.CONCLUSION, ItemType.CONTROL, ItemType.TEST)),
        workpapers=read_workpapers(conn, worksheet=read_worksheet(conn, grounds, conclusions)),
        ai_systems=read_systems(conn),
    )


def load_navigator_page(db: Engagement) -> NavigatorPage:
    with db.reading() as conn:
        return read_navigator_page(conn)
