"""The page reads (`app/pages/`): what each judgement screen shows, read in one transaction, without Qt."""

from __future__ import annotations

from collections import Counter
from datetime import date

from fieldwork.app.domain.judgements import CriterionConclusion, FindingKind, FindingStatus, OpinionArea
from fieldwork.app.domain.records import DeviationInput
from fieldwork.app.domain.vocabulary import Framework, Opinion, TestKind
from fieldwork.app.pages.dashboard import load_dashboard_page
from fieldwork.app.pages.findings import load_findings_page
from fieldwork.app.pages.opinion import MatterKind, Opens, load_opinion_page
from fieldwork.app.pages.requirement import load_requirement_page
from fieldwork.app.services import deviations, findings, soa, testing
from fieldwork.app.services.conclusions import list_conclusions
from fieldwork.app.services.opinion import opinion_worksheet
from fieldwork.app.services.overview import overview
from fieldwork.app.storage.engagement_file import EngagementFile


def test_the_requirement_page_offers_what_its_conclusion_can_cite(demo: EngagementFile) -> None:
    page = load_requirement_page(demo, "8.4")
    assert page.conclusion is not None and page.conclusion.conclusion is CriterionConclusion.MET_WITH_EXCEPTIONS
    assert CriterionConclusion.NOT_RELEVANT not in page.kinds, "only a SOC 2 criterion can be not relevant"
    assert CriterionConclusion.EXCLUDED not in page.kinds, "excluded is the SoA's"
    first = page.deviations[0]
    assert (first.ref, first.near) == ("C-021.T2.D1", True), "the linked control's deviation comes first"
    assert not any(d.near for d in page.deviations[1:])
    assert page.considered == {first.key}
    assert "C-021" not in {c.ref for c in page.compensating}, "a linked control does not compensate for itself"
    assert [f.ref for f in page.findings] == ["F-002"]
    assert page.excluded_because is None
    soc2 = load_requirement_page(demo, "CC6.4")
    assert CriterionConclusion.NOT_RELEVANT in soc2.kinds and soc2.findings == ()


def test_an_excluded_annex_a_control_shows_the_soa_justification(demo: EngagementFile) -> None:
    line = next(s for s in soa.list_soa(demo) if not s.included)
    page = load_requirement_page(demo, line.annex_code)
    assert page.conclusion is not None and page.conclusion.conclusion is CriterionConclusion.EXCLUDED
    assert page.excluded_because == line.justification and line.justification


def test_the_findings_register_flags_what_is_open_after_its_due_date(demo: EngagementFile) -> None:
    register = {row.finding.ref: row for row in load_findings_page(demo, today=date(2026, 6, 1)).rows}
    assert register["F-002"].finding.status is FindingStatus.IMPLEMENTED and register["F-002"].overdue
    assert not register["F-006"].overdue, "due 2026-11-30: not yet"
    later = {row.finding.ref: row for row in load_findings_page(demo, today=date(2026, 12, 1)).rows}
    assert later["F-006"].overdue
    assert later["F-003"].finding.status is FindingStatus.VERIFIED and not later["F-003"].overdue, "settled"


def test_the_findings_page_offers_iso_requirements_and_every_deviation(demo: EngagementFile) -> None:
    page = load_findings_page(demo)
    codes = [c.key for c in page.requirements]
    assert "9.3" in codes and "A.5.2" in codes and not any(code.startswith("CC") for code in codes)
    excluded = next(s.annex_code for s in soa.list_soa(demo) if not s.included)
    assert next(c for c in page.requirements if c.key == excluded).label.endswith("(excluded)")
    assert len(page.deviations) == len(deviations.list_deviations(demo))


def test_the_opinion_page_gives_each_matter_what_it_opens(demo: EngagementFile) -> None:
    page = load_opinion_page(demo)
    worksheet = opinion_worksheet(demo)
    kinds = [line.kind for line in page.matters]
    assert kinds == sorted(kinds, key=list(MatterKind).index), "grouped by kind, in the worksheet's order"
    open_tests = [line for line in page.matters if line.kind is MatterKind.OPEN_TESTS]
    still_open = [t for t in testing.list_tests(demo) if t.conclusion is None]
    assert {line.key for line in open_tests} == {t.id for t in still_open}
    assert all(line.opens is Opens.TEST for line in open_tests)
    waiting = [c.code for c in list_conclusions(demo) if c.conclusion is CriterionConclusion.NOT_CONCLUDED]
    assert [line.key for line in page.matters if line.kind is MatterKind.NOT_CONCLUDED] == waiting
    majors = {line.key for line in page.matters if line.kind is MatterKind.MAJOR_NONCONFORMITY}
    assert majors == {f.id for f in findings.list_findings(demo) if f.kind is FindingKind.MAJOR and f.open}
    assert page.worksheet.reasons == worksheet.reasons


def test_the_opinion_page_names_what_each_proposal_rests_on(demo: EngagementFile) -> None:
    page = load_opinion_page(demo)
    assert [row.recorded.area for row in page.areas] == list(OpinionArea), "a Type 2 report opines on all three"
    operation = next(row for row in page.areas if row.recorded.area is OpinionArea.OPERATION)
    not_met = [c.code for c in list_conclusions(demo) if c.conclusion is CriterionConclusion.NOT_MET]
    assert operation.proposed is Opinion.QUALIFIED
    assert list(operation.behind[Framework.ISO42001]) == not_met and operation.behind[Framework.SOC2] == ()


def test_a_deviation_found_after_met_makes_an_unsupported_matter(demo: EngagementFile) -> None:
    test = next(t for t in testing.list_tests(demo) if t.control_ref == "C-002" and t.kind is TestKind.OPERATING)
    deviations.add_deviation(demo, test.id, DeviationInput("A board meeting's minutes were not approved."))
    page = load_opinion_page(demo)
    unsupported = [line for line in page.matters if line.kind is MatterKind.UNSUPPORTED]
    assert [(line.opens, line.key) for line in unsupported] == [(Opens.REQUIREMENT, "CC1.2")]


def test_the_dashboard_counts_conclusions_findings_and_says_whether_the_opinion_is_supported(
    demo: EngagementFile,
) -> None:
    page = load_dashboard_page(demo)
    every = list_conclusions(demo)
    for framework in Framework:
        assert page.conclusions[framework] == Counter(c.conclusion for c in every if c.framework is framework)
    assert page.open_findings == Counter(f.kind for f in findings.list_findings(demo) if f.open)
    assert page.open_findings[FindingKind.MAJOR] == 2
    assert page.worksheet.supported is False and page.worksheet.reasons == opinion_worksheet(demo).reasons
    view = overview(demo)
    assert page.totals == {f: view.framework_counts(f) for f in Framework}
    assert page.statuses == view.statuses and page.gaps == view.gaps
