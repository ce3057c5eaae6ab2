"""The SOC 2+ wording, for every combination a partner may sign: Type 1 or 2, each opinion, each subservice method
and each copy, rendered as PDF and as Word and read back as text (`JUDGEMENTS.md` sections 1, 3 and 5)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

from fieldwork.app.domain.report_inputs import (
    AreaOpinion,
    ComplementaryControl,
    ComplementaryKind,
    CriteriaTiming,
    OpinionInput,
    ReportInputs,
    SubserviceOrganization,
)
from fieldwork.app.domain.vocabulary import Opinion, ReportType, SubserviceTreatment
from fieldwork.app.exports.dataset import ReportData, gather
from fieldwork.app.exports.report.build import build_report
from fieldwork.app.exports.report.model import Audience, ReportOptions
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.tasks import Task
from tests.conftest import TEAM, type2_details
from tests.report_reading import front, render_docx, render_pdf

MATTER = "The entity did not retain evidence of change approvals for March 2026."
CRITERIA = ("CC8.1", "A.6.2.5")
CUEC = ComplementaryControl(ComplementaryKind.CUEC, "User entities review their users' access quarterly.", ("CC6.2",))
CSOC = ComplementaryControl(ComplementaryKind.CSOC, "AWS restricts data center access.", ("CC6.4",), "AWS")
CARVED_OUT = SubserviceOrganization("Amazon Web Services, Inc.", "hosting", SubserviceTreatment.CARVE_OUT)
INCLUDED = (
    SubserviceOrganization("Okta, Inc.", "identity", SubserviceTreatment.INCLUSIVE, assertion_received=True),
    SubserviceOrganization("Stripe, Inc.", "payments", SubserviceTreatment.INCLUSIVE, assertion_received=False),
)
SUBSERVICE = {"none": (), "carve_out": (CARVED_OUT,), "inclusive": INCLUDED}
PERIOD = "throughout the period January 1, 2026, to December 31, 2026"
OPERATING = re.compile(r"operat\w*\s+effective", re.IGNORECASE)
COMBINATIONS = list(
    itertools.product(ReportType, Opinion, ("carve_out", "inclusive", "none"), (Audience.CLIENT, Audience.INTERNAL))
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    """An engagement with a partner and a firm, so the only gaps are the ones a combination makes."""
    details = type2_details(auditor_firm="Halvorsen Pryce LLP", auditor_city="Boston, Massachusetts")
    db, _ = create_engagement(tmp_path_factory.mktemp("wording") / "w.fieldwork", details, TEAM)
    try:
        return gather(db)
    finally:
        db.close()


def opinion_input(report_type: ReportType, opinion: Opinion) -> OpinionInput:
    """A modification on operating effectiveness (Type 2) or design (Type 1); a disclaimer covers every area."""
    matter = AreaOpinion(opinion, (MATTER,), CRITERIA)
    if opinion is Opinion.UNMODIFIED:
        return OpinionInput()
    every = AreaOpinion(opinion)
    if report_type is ReportType.TYPE1:
        return OpinionInput(description=every if opinion is Opinion.DISCLAIMER else AreaOpinion(), design=matter)
    if opinion is Opinion.DISCLAIMER:
        return OpinionInput(description=every, design=every, operation=matter)
    return OpinionInput(operation=matter)


def data_for(base: ReportData, report_type: ReportType, opinion: Opinion, subservice: str) -> ReportData:
    details = base.details
    if report_type is ReportType.TYPE1:
        details = replace(details, report_type=report_type, as_of_date=date(2026, 3, 31))
    complementary = (CUEC, CSOC) if subservice == "carve_out" else (CUEC,)
    judged = ReportInputs(opinion_input(report_type, opinion), SUBSERVICE[subservice], complementary)
    return replace(base, details=details, inputs=judged)


@dataclass(frozen=True)
class Parts:
    cover: str
    one: str
    two: str

    @classmethod
    def of(cls, text: str) -> Parts:
        one = text.rindex("Section I: Independent service auditor's report")  # the contents name it first
        two = text.rindex("Section II: Management's assertion")
        return cls(text[: text.index("Contents")], text[one:two], text[two:])


def opinion_part(one: str) -> str:
    """Section I from the basis for a modified opinion (or the opinion) to the end."""
    starts = [one.find(h) for h in ("Basis for ", "Opinion In our opinion", "In our opinion") if h in one]
    return one[min(starts) :]


def check(parts: Parts, report_type: ReportType, opinion: Opinion, subservice: str, audience: Audience) -> None:
    cover, one, two = parts.cover, parts.one, parts.two
    for part in (cover, one, two):
        assert "attestation" in part and "not an ISO/IEC 42001 certificate" in part
    assert "whether" in cover
    assert audience.label in cover
    # ISO/IEC 42001 as additional criteria in the scope, the responsibilities, the assertion and the opinion
    assert "as additional criteria" in one and "(the ISO/IEC 42001 criteria)" in one
    assert "selecting the criteria, including the ISO/IEC 42001 criteria" in one
    assert "ISO/IEC 42001 criteria" in two
    assert "We are required to be independent" in one
    said = opinion_part(one)
    if opinion is not Opinion.DISCLAIMER:
        assert "ISO/IEC 42001 criteria" in said
    if report_type is ReportType.TYPE1:
        for part in (cover, one, two):
            assert not OPERATING.search(part), OPERATING.search(part)
        assert "would be achieved" in one and "were achieved" not in one
    else:
        assert "were achieved" in one
    _check_opinion(one, two, said, report_type, opinion)
    _check_subservice(one, two, subservice)
    assert "complementary user entity controls" in one and "complementary user entity controls" in two


def _check_opinion(one: str, two: str, said: str, report_type: ReportType, opinion: Opinion) -> None:
    name = {Opinion.QUALIFIED: "Qualified Opinion", Opinion.ADVERSE: "Adverse Opinion"}.get(opinion)
    if opinion is Opinion.UNMODIFIED:
        assert "Basis for" not in one and "reasonable basis for our opinion." in one
    elif opinion is Opinion.DISCLAIMER:
        assert "reasonable basis for our" not in one
        basis = one.index("Basis for Disclaimer of Opinion")
        assert "Disclaimer of Opinion" in one[basis + len("Basis for Disclaimer of Opinion") :]
        assert MATTER in one[basis:] and "we do not express an opinion" in said
        assert MATTER in two  # management's assertion reflects the matter
    else:
        assert f"reasonable basis for our {name.lower()}." in one  # type: ignore[union-attr]
        basis = one.index(f"Basis for {name}")
        after = basis + len(f"Basis for {name}")
        heading = one.find(f"{name} In our opinion", after)
        assert heading > 0, f"no {name} heading after its basis"
        assert MATTER in one[after:heading] and "CC8.1 and A.6.2.5" in one[after:heading]
        lead = "except for the matter described below" if opinion is Opinion.QUALIFIED else "for the reasons described"
        assert lead in two and MATTER in two
    both = "to meet both the applicable trust services criteria and the ISO/IEC 42001 criteria"
    if report_type is ReportType.TYPE2 and opinion in (Opinion.UNMODIFIED, Opinion.QUALIFIED):
        assert f"suitably designed and operated effectively {PERIOD}, {both}" in said
        assert "suitably designed and operated effectively throughout the period" in two and both in two
    if report_type is ReportType.TYPE2 and opinion is Opinion.ADVERSE:
        # operation judged on its own: the description and the design are not declared wanting
        assert "did not operate effectively throughout the period" in said
        assert "were suitably designed throughout the period" in said
        assert "The description presents" in said and "does not present" not in one
    if report_type is ReportType.TYPE1 and opinion in (Opinion.UNMODIFIED, Opinion.QUALIFIED):
        assert f"suitably designed as of March 31, 2026, {both}" in said and "would be achieved" in said


def _check_subservice(one: str, two: str, subservice: str) -> None:
    both = (one + two).lower()
    if subservice == "none":
        assert "subservice" not in both  # none is a real state: no subservice wording at all
    elif subservice == "carve_out":
        assert "(the carve-out method)" in one and "(the carve-out method)" in two
        assert "complementary subservice organization controls" in one  # the CSOC caveat
    else:
        assert "(the inclusive method)" in one and "(the inclusive method)" in two
        assert "complementary subservice organization" not in both  # no CSOC caveat
        assert "Okta, Inc. has provided an assertion about the controls it performs" in one
        assert "Stripe, Inc. has not provided the assertion" in one and "[MISSING: subservice assertion]" in one


@pytest.mark.parametrize(("report_type", "opinion", "subservice", "audience"), COMBINATIONS)
def test_every_combination_reads_as_the_standards_require_in_pdf_and_word(
    base: ReportData,
    tmp_path: Path,
    report_type: ReportType,
    opinion: Opinion,
    subservice: str,
    audience: Audience,
) -> None:
    report = front(data_for(base, report_type, opinion, subservice), ReportOptions(audience))
    for text in (render_pdf(report, tmp_path / "front.pdf"), render_docx(report)):
        check(Parts.of(text), report_type, opinion, subservice, audience)


def test_without_complementary_user_entity_controls_there_is_no_cuec_paragraph(base: ReportData) -> None:
    data = replace(base, inputs=ReportInputs(subservice=(CARVED_OUT,)))
    parts = Parts.of(render_docx(front(data)))
    assert "complementary user entity" not in parts.one + parts.two
    assert "complementary subservice organization controls" in parts.one  # still the carve-out caveat


def test_iso_criteria_as_of_a_date_of_their_own_in_a_type2_report(base: ReportData, tmp_path: Path) -> None:
    data = replace(base, inputs=ReportInputs(iso_timing=CriteriaTiming(as_of=date(2026, 12, 31))))
    parts = Parts.of(render_pdf(front(data), tmp_path / "front.pdf"))
    said = opinion_part(parts.one)
    assert f"suitably designed and operated effectively {PERIOD}" in said
    assert "to meet the applicable trust services criteria" in said and "to meet both" not in said
    assert "suitably designed as of December 31, 2026, to meet the ISO/IEC 42001 criteria" in said
    assert "would be met" in said
    assert (
        "the suitability of the design of the controls stated in the description as of December 31, 2026" in parts.one
    )


def test_the_opinion_follows_the_worksheet_and_names_the_criteria_not_met(tmp_path: Path) -> None:
    """The recorded opinion on operation is qualified; its basis is the matter and the criteria it names are the
    ones concluded not met on that area."""
    from fieldwork.app.domain.judgements import ConclusionInput, CriterionConclusion, OpinionArea, OpinionJudgement
    from fieldwork.app.domain.records import ControlInput, DeviationInput, TestPlan
    from fieldwork.app.domain.vocabulary import Conclusion, Method, TestKind
    from fieldwork.app.services import controls, deviations, testing
    from fieldwork.app.services.conclusions import set_conclusion
    from fieldwork.app.services.opinion import record_opinion

    db, _ = create_engagement(tmp_path / "q.fieldwork", type2_details(auditor_firm="Halvorsen Pryce LLP"), TEAM)
    try:
        made = controls.create_control(db, ControlInput("Change approval"), ["CC8.1"])
        test = testing.add_test(db, made.ref, TestPlan(TestKind.OPERATING, "Inspected", (Method.INSPECTION,)))
        deviations.add_deviation(db, test.id, DeviationInput("No change in the sample was approved."))
        testing.conclude(db, test.id, Conclusion.EXCEPTIONS)
        set_conclusion(db, "CC8.1", ConclusionInput(CriterionConclusion.NOT_MET, "No change approvals were kept."))
        judged = OpinionJudgement(OpinionArea.OPERATION, Opinion.QUALIFIED, MATTER, False, "")
        record_opinion(db, judged)
        data = gather(db)
    finally:
        db.close()
    assert data.inputs.opinion.operation.criteria == ("CC8.1",)
    parts = Parts.of(render_docx(front(data)))
    assert "Basis for Qualified Opinion" in parts.one and MATTER in parts.one
    assert "did not operate effectively" in parts.one and "CC8.1" in parts.one
    assert "[MISSING: matter criteria]" not in parts.one
    assert "subservice" not in (parts.one + parts.two).lower()  # no subservice text entered: none


def test_recorded_conclusions_findings_and_complementary_controls_appear_under_their_requirements(
    tmp_path: Path,
) -> None:
    """The places the judgement records fill: a requirement's conclusion and findings in Section IV-A, and the
    complementary controls a criterion depends on in Section IV."""
    from fieldwork.app.domain.judgements import ConclusionInput, CriterionConclusion, FindingInput, FindingKind
    from fieldwork.app.services.conclusions import set_conclusion
    from fieldwork.app.services.findings import create_finding

    db, _ = create_engagement(tmp_path / "c.fieldwork", type2_details(), TEAM)
    try:
        set_conclusion(db, "6.1.2", ConclusionInput(CriterionConclusion.NOT_MET, "One late review."))
        create_finding(db, FindingInput(FindingKind.MINOR, "The risk register omits the Résumé Parser.", ("6.1.2",)))
        recorded = gather(db)
    finally:
        db.close()
    judged = ReportInputs(complementary=(CUEC, CSOC))
    text = render_docx(build_report(replace(recorded, inputs=judged), Task()))

    entry = text[text.index("6.1.2 AI risk assessment Results of tests") :]
    entry = entry[: entry.index("6.1.3 AI risk treatment")]
    assert "Conclusion: Not met One late review." in entry
    assert "Finding F-001: The risk register omits the Résumé Parser." in entry
    criterion = text[text.index("CC6.2 ") : text.index("CC6.3 ")]  # Section IV comes before the crosswalk
    assert "Complementary user entity controls this criterion depends on: " + CUEC.text in criterion
    physical = text[text.index("CC6.4 ") : text.index("CC6.5 ")]
    assert "Complementary subservice organization controls this criterion depends on: " in physical
    assert "AWS: AWS restricts data center access." in physical
