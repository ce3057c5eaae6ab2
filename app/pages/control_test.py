"""The test page: the test and its control, the sample and its results, deviations, the requirements the
conclusion reaches, evidence, fairness re-performances and, for a test of operating effectiveness, the
sampling plan: all of it from one read transaction, so the page never shows two moments at once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from fieldwork.app.domain.fairness import StoredFairnessResult
from fieldwork.app.domain.ids import TestId
from fieldwork.app.domain.records import Control, ControlTest, Deviation, SampleItem, Tickmark
from fieldwork.app.domain.vocabulary import TestKind
from fieldwork.app.engagement import Engagement
from fieldwork.app.pages.linked_evidence import LinkedEvidence, read_linked
from fieldwork.app.pages.review import ItemReview, read_item_review
from fieldwork.app.pages.sampling import SamplingState, read_sampling_state
from fieldwork.app.pages.served import Served, served_by
from fieldwork.app.services import controls as control_service
from fieldwork.app.services import deviations as deviation_service
from fieldwork.app.services import engagement as engagement_service
from fieldwork.app.services import evidence as evidence_service
from fieldwork.app.services import requirements as requirement_service
from fieldwork.app.services import testing as test_service
from fieldwork.app.services.fairness_results import read_fairness_results
from fieldwork.app.services.signables import ItemType
from fieldwork.app.services.status import read_requirement_statuses


@dataclass(frozen=True)
class TestPage:
    test: ControlTest
    control: Control
    items: tuple[SampleItem, ...]
    deviations: tuple[Deviation, ...]
    tickmarks: tuple[Tickmark, ...]
    served: tuple[Served, ...]
    evidence: tuple[LinkedEvidence, ...]
    fairness: tuple[StoredFairnessResult, ...]
    #: The plan, population and IPE for a test of operating effectiveness; None for a test of design.
    sampling: SamplingState | None
    #: The test's sign-offs and open review notes, for the page's review strip.
    review: ItemReview

    @property
    def population_imported(self) -> bool:
        return self.sampling is not None and self.sampling.population is not None


def evidence_target(test_id: TestId) -> evidence_service.Link:
    return evidence_service.Link(evidence_service.LinkKind.TEST, test_id)


def item_target(item: SampleItem) -> evidence_service.Link:
    return evidence_service.Link(evidence_service.LinkKind.SAMPLE_ITEM, item.id)


def read_test_page(conn: Connection, test_id: TestId) -> TestPage:
    test = test_service.read_test(conn, test_id)
    control = control_service.read_control(conn, test.control_id)
    details = engagement_service.read_details(conn)
    scope = requirement_service.read_scope(conn)
    items = test_service.read_sample_items(conn, test_id)
    return TestPage(
        test=test,
        control=control,
        items=tuple(items),
        deviations=tuple(deviation_service.read_deviations(conn, test_id=test_id)),
        tickmarks=tuple(engagement_service.read_tickmarks(conn)),
        served=tuple(served_by(control, scope, read_requirement_statuses(conn, scope, details.report_type))),
        evidence=tuple(read_linked(conn, [evidence_target(test_id), *(item_target(i) for i in items)])),
        fairness=tuple(read_fairness_results(conn, test_id)),
        sampling=read_sampling_state(conn, test) if test.kind is TestKind.OPERATING else None,
        review=read_item_review(conn, ItemType.TEST, str(test_id)),
    )


def load_test_page(db: Engagement, test_id: TestId) -> TestPage:
    with db.reading() as conn:
        return read_test_page(conn, test_id)
