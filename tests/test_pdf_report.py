"""The draft report (PDF) as a reader gets it: the text pypdf extracts, the outline, the fonts, the file."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from fieldwork.app.cli.main import main
from fieldwork.app.domain.records import ControlInput, DeviationInput, EngagementDetails, TestPlan
from fieldwork.app.domain.subservice import SubserviceOrganization
from fieldwork.app.domain.vocabulary import (
    Conclusion,
    Framework,
    Method,
    Opinion,
    ReportType,
    RequirementKind,
    SubserviceTreatment,
    TestKind,
)
from fieldwork.app.exports.dataset import ReportData, gather
from fieldwork.app.exports.pdf_report import write_report
from fieldwork.app.paths import config_dir
from fieldwork.app.services import controls, deviations, testing
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.services.evidence import Link, LinkKind, Receipt, attach_files
from fieldwork.app.services.history import changes
from fieldwork.app.services.subservice import add_organization
from fieldwork.app.storage.engagement_file import EngagementFile, open_engagement
from fieldwork.app.storage.schema import opinion as opinion_table
from fieldwork.app.tasks import Cancelled, Task
from tests.conftest import TEAM, type2_details
from tests.report_reading import pdf_body

SECTIONS = (
    "Section I: Independent service auditor's report (draft)",
    "Section II: Management's assertion",
    "Section III: Description of the system",
    "Section IV: Trust services criteria, related controls, tests of controls and results",
    "Section IV-A: ISO/IEC 42001 criteria",
    "Statement of Applicability (Annex A)",
    "Section V: Other information provided by the service organization",
    "Appendix A: Exceptions summary",
    "Appendix B: Evidence index",
    "Appendix C: Crosswalk used",
)


def flat(text: str) -> str:
    return " ".join(text.split())


def export(data: ReportData, target: Path) -> PdfReader:
    write_report(data, target, Task())
    return PdfReader(target)


def body_of(data: ReportData, target: Path) -> str:
    """The report's own text, without running headers and footers between its pages."""
    write_report(data, target, Task())
    return pdf_body(target)


def page_texts(reader: PdfReader) -> list[str]:
    return [flat(page.extract_text()) for page in reader.pages]


def outline_titles(reader: PdfReader) -> list[str]:
    def walk(items: list[object]) -> list[str]:
        found: list[str] = []
        for item in items:
            found += walk(item) if isinstance(item, list) else [str(item.title)]  # type: ignore[attr-defined]
        return found

    return walk(reader.outline)


def font_files(reader: PdfReader) -> dict[str, bool]:
    """Every font the pages use, and whether its program is embedded."""
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].get_object().values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            fonts[str(font["/BaseFont"])] = descriptor is not None and "/FontFile2" in descriptor.get_object()
    return fonts


@dataclass(frozen=True)
class Exported:
    data: ReportData
    reader: PdfReader
    pages: list[str]


@pytest.fixture(scope="module")
def demo_report(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """The demo's report, exported and read once for the tests that only look at it."""
    db = open_engagement(demo_template)
    try:
        data = gather(db)
    finally:
        db.close()
    reader = export(data, tmp_path_factory.mktemp("report") / "report.pdf")
    return Exported(data, reader, page_texts(reader))


def test_type2_report_has_every_section_requirement_exception_and_response(
    demo_report: Exported,
) -> None:
    data, reader, pages = demo_report.data, demo_report.reader, demo_report.pages
    text = " ".join(pages)

    for title in SECTIONS:
        assert title in text, title
    assert "It is an attestation, not an ISO/IEC 42001 certificate" in pages[0]
    criteria = [r for r in data.requirements if r.framework is Framework.SOC2]
    assert len(criteria) == 38  # Security, Availability and Confidentiality
    subclauses = [r for r in data.requirements if r.kind is RequirementKind.SUBCLAUSE]
    annex = [r for r in data.requirements if r.kind is RequirementKind.ANNEX_CONTROL]
    assert len(annex) == 38
    for requirement in [*criteria, *subclauses, *annex]:
        assert flat(requirement.label) in text, requirement.code
    titles = outline_titles(reader)
    assert {flat(r.label) for r in [*criteria, *subclauses]} <= set(titles)
    assert all(any(t.startswith(section) for t in titles) for section in SECTIONS)

    assert data.deviations, "the demo records exceptions"
    for found in data.deviations:
        assert text.count(flat(found.description)) >= 3, found.test_ref  # section IV, IV-A, V and appendix A
        assert flat(found.management_response) in text, found.test_ref
    assert "Test of operating effectiveness" in text and "random selection (seed" in text
    assert "Conclusion: Met with exceptions" in text and "Conclusion: Not met" in text
    body = text[: text.rindex("ISO/IEC 42001 findings register")]  # the internal copy's appendix has the grades
    grades = re.findall(r"(?:major|minor) nonconformity|opportunity for improvement", body, re.IGNORECASE)
    assert grades == [], "certification grades stay in the findings register, out of the attestation report"


def test_every_page_is_a_numbered_draft_under_the_running_header(demo_report: Exported) -> None:
    data, reader, pages = demo_report.data, demo_report.reader, demo_report.pages
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert "DRAFT" in page and f"Page {number} of {total}" in page, number
        if number > 1:
            assert data.details.client in page and "October 1, 2025 to September 30, 2026" in page, number
    assert all(font_files(reader).values()), font_files(reader)


def test_the_contents_give_the_page_each_section_starts_on(demo_report: Exported) -> None:
    pages = demo_report.pages
    contents = pages[1]
    assert "Contents" in contents
    for title in ("Section III: Description of the system", "Section V: Other information", "Appendix C"):
        start = next(n for n, page in enumerate(pages[2:], start=3) if title in page)
        assert re.search(re.escape(title) + r"[^0-9]*? " + str(start) + r"\b", contents), (title, start)


def test_a_type1_report_shows_design_only_and_flags_a_criterion_without_a_control(tmp_path: Path) -> None:
    details = EngagementDetails("Acme Analytics", "Acme Model Platform", ReportType.TYPE1, as_of_date=date(2026, 3, 31))
    db, _ = create_engagement(tmp_path / "type1.fieldwork", details, TEAM)
    made = controls.create_control(db, ControlInput("Quarterly access review", "Managers review access."), ["CC6.1"])
    design = testing.add_test(
        db, made.ref, TestPlan(TestKind.DESIGN, "Walked through the review.", (Method.INSPECTION,))
    )
    testing.conclude(db, design.id, Conclusion.NO_EXCEPTIONS)
    operating = testing.add_test(db, made.ref, TestPlan(TestKind.OPERATING, "Sampled reviews.", (Method.INSPECTION,)))
    deviations.add_deviation(db, operating.id, DeviationInput("1 of 2 reviews was late.", management_response="Fixed."))
    data = gather(db)
    db.close()

    text = body_of(data, tmp_path / "type1.pdf")

    assert "As of March 31, 2026" in text
    assert "the suitability of the design of controls stated in the description as of March 31, 2026" in text
    assert (
        f"{design.ref} · Test of design · workpapers: Tests row 2 Walked through the review. Methods: inspection"
        in text
    )
    assert f"{design.ref}: No exceptions noted" in text
    assert "Test of operating effectiveness" not in text and "1 of 2 reviews was late." not in text
    assert "[No control is mapped to CC6.2: it is in scope and not yet addressed]" in text
    assert "DC9 Significant changes" not in text
    for requirement in data.requirements:
        if requirement.framework is Framework.SOC2:
            assert flat(requirement.label) in text, requirement.code


def test_deviation_text_prints_exactly_as_recorded_with_markup_characters(
    engagement: EngagementFile, tmp_path: Path
) -> None:
    made = controls.create_control(engagement, ControlInput("Change approval"), ["CC8.1"])
    test = testing.add_test(
        engagement, made.ref, TestPlan(TestKind.OPERATING, "Sampled changes.", (Method.INSPECTION,))
    )
    recorded = "2 of 25 changes <PR-17 & PR-18> lacked approval;\nboth were hotfixes at 50% rollout."
    deviations.add_deviation(
        engagement, test.id, DeviationInput(recorded, management_response="We agree & will fix <soon>.")
    )

    text = body_of(gather(engagement), tmp_path / "report.pdf")

    assert text.count(flat(recorded)) == 3  # under CC8.1 in section IV, in section V and in appendix A
    assert "We agree & will fix <soon>." in text


def test_a_client_name_with_accents_and_cjk_prints_in_embedded_fonts(tmp_path: Path) -> None:
    client = "Société Générale Øresund 株式会社データ 한국지사"
    db, _ = create_engagement(tmp_path / "unicode.fieldwork", type2_details(client=client), TEAM)
    data = gather(db)
    db.close()

    reader = export(data, tmp_path / "unicode.pdf")

    fonts = font_files(reader)
    assert all(fonts.values()), fonts
    assert any("DroidSansFallback" in name for name in fonts) and any("NanumSquare" in name for name in fonts)
    for page in page_texts(reader)[:3]:
        assert client in page


def test_missing_and_unknown_placeholders_are_visible_gaps(engagement: EngagementFile, tmp_path: Path) -> None:
    own = config_dir() / "templates" / "report" / "section2_management_assertion.txt"
    own.parent.mkdir(parents=True)
    own.write_text("We, ${service_organization}, assert ${no_such_value} on ${report_release_date}.\n", "utf-8")
    add_organization(engagement, SubserviceOrganization("Okta, Inc.", "identity", SubserviceTreatment.INCLUSIVE))
    with changes(engagement) as ch:  # a qualified opinion with no basis, as an older file could hold it
        ch.update(opinion_table, {"area": "operation"}, {"kind": "qualified"})

    text = body_of(gather(engagement), tmp_path / "gaps.pdf")

    assert (
        "We, Acme Analytics, assert [UNKNOWN PLACEHOLDER: ${no_such_value}] on [MISSING: report release date]." in text
    )
    assert "Basis for Qualified Opinion [MISSING: modification basis]" in text
    assert "except for the effects of the matter" in text and "(the inclusive method)" in text
    assert "Okta, Inc. has not provided the assertion" in text
    assert "[MISSING: service auditor firm]" in text


def test_evidence_appears_in_the_index_and_under_the_control_it_supports(demo: EngagementFile, tmp_path: Path) -> None:
    policy = tmp_path / "Code of Conduct v4.2.pdf"
    policy.write_bytes(b"%PDF-1.4 signed code of conduct")
    test_id = next(t.id for t in gather(demo).tests if t.ref == "C-001.T2")
    attached = attach_files(
        demo, [policy], [Link(LinkKind.TEST, test_id)], Receipt(date(2026, 5, 4), "Head of People")
    )[0]

    text = body_of(gather(demo), tmp_path / "report.pdf")

    assert re.search(rf"Evidence examined: [^:]*{attached.ref} Code of Conduct v4\.2\.pdf", text)
    assert f"{attached.ref} Code of Conduct v4.2.pdf 31 {attached.sha256[:32]} {attached.sha256[32:]}" in text
    assert "2026-05-04 Head of People C-001.T2" in text


def cancelling_at(step: str) -> Task:
    """A task the user cancels when the progress label starts with `step`."""
    task = Task(lambda _done, _total, label: task.cancel() if label.startswith(step) else None)
    return task


@pytest.mark.parametrize("step", ["Writing Section III", "Laying out page 3"])
def test_cancel_leaves_the_target_as_it_was_and_no_temporary_file(
    engagement: EngagementFile, tmp_path: Path, step: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "report.pdf"
    target.write_bytes(b"the previous report")
    with pytest.raises(Cancelled):
        write_report(gather(engagement), target, cancelling_at(step))
    assert target.read_bytes() == b"the previous report"
    assert [p.name for p in folder.iterdir()] == ["report.pdf"]


def test_cancel_before_anything_was_written_leaves_no_file(engagement: EngagementFile, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(Cancelled):
        write_report(gather(engagement), folder / "report.pdf", cancelling_at("Laying out"))
    assert list(folder.iterdir()) == []


def test_the_command_line_writes_the_report(demo: EngagementFile, tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    assert main(["export", str(demo.path), "--pdf", str(target)]) == 0
    reader = PdfReader(target)
    assert "Wrenfield Cognition, Inc." in flat(reader.pages[0].extract_text())
    assert len(reader.pages) > 50


def test_the_firm_and_the_basis_of_a_modified_opinion_fill_their_places(demo, tmp_path) -> None:  # type: ignore[no-untyped-def]

    from pypdf import PdfReader

    from fieldwork.app.domain.judgements import OpinionArea, OpinionJudgement
    from fieldwork.app.errors import ValidationError
    from fieldwork.app.exports.dataset import gather
    from fieldwork.app.exports.pdf_report import write_report
    from fieldwork.app.services.opinion import record_opinion
    from fieldwork.app.tasks import Task

    basis = "The entity did not retain evidence of change approvals for March 2026."
    qualified = OpinionJudgement(OpinionArea.DESIGN, Opinion.QUALIFIED, "", False, "A scope limitation.")
    with pytest.raises(ValidationError, match="qualified opinion needs its basis"):
        record_opinion(demo, qualified)
    record_opinion(demo, replace(qualified, basis=basis))
    target = tmp_path / "report.pdf"
    write_report(gather(demo), target, Task())
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(target).pages[:12])
    assert "Halvorsen Pryce LLP" in text and "Boston, Massachusetts" in text
    assert basis in text
    assert "[MISSING: basis" not in text.lower() and "service auditor firm]" not in text.lower()
