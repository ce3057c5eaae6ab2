"""How the report reads page by page: tree order, each requirement and control once, continued tables, headings
kept with what follows, a DRAFT mark that stays out of copied text, Type 1 everywhere, any text exports."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from fieldwork.app.cli.main import main
from fieldwork.app.domain.judgements import (
    ConclusionInput,
    CriterionConclusion,
    FindingInput,
    FindingKind,
    OpinionArea,
    OpinionJudgement,
)
from fieldwork.app.domain.records import ControlInput, DeviationInput, TestPlan
from fieldwork.app.domain.subservice import ComplementaryControl, ComplementaryKind, SubserviceOrganization
from fieldwork.app.domain.vocabulary import (
    Framework,
    Method,
    Opinion,
    ReportType,
    RequirementKind,
    SubserviceTreatment,
    TestKind,
)
from fieldwork.app.exports.dataset import ReportData, gather
from fieldwork.app.exports.docx_report import write_docx
from fieldwork.app.exports.pdf_report import write_report
from fieldwork.app.exports.report.model import Audience, ReportOptions
from fieldwork.app.exports.workbook import write_workbook
from fieldwork.app.services import controls, deviations, testing
from fieldwork.app.services.conclusions import set_conclusion
from fieldwork.app.services.engagement import get_details, update_details
from fieldwork.app.services.findings import create_finding
from fieldwork.app.services.opinion import record_opinion
from fieldwork.app.services.soa import set_soa_line
from fieldwork.app.services.subservice import add_complementary, add_organization
from fieldwork.app.storage.engagement_file import EngagementFile, open_engagement
from fieldwork.app.tasks import Task
from tests.report_reading import docx_text, pdf_bodies, pdf_pages
from tests.test_pdf_report import outline_titles
from tests.xlsx_reading import records

BOTTOM_MARGIN = 54  # points: 0.75 inch
HEADING_AND_TWO_LINES = 40


def between(text: str, start: str, end: str) -> str:
    """The body's part from the last `start` (the contents name sections first) to the next `end`."""
    at = text.rindex(start)
    return text[at : text.index(end, at)]


@pytest.fixture(scope="module")
def demo_pdf(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[ReportData, Path]:
    db = open_engagement(demo_template)
    try:
        data = gather(db)
    finally:
        db.close()
    target = tmp_path_factory.mktemp("layout") / "report.pdf"
    write_report(data, target, Task())
    return data, target


def test_the_soa_walks_the_annex_a_tree(demo_pdf: tuple[ReportData, Path]) -> None:
    soa = between(" ".join(pdf_bodies(demo_pdf[1])), "Statement of Applicability (Annex A) Each", "Section V:")
    order = ["A.6.1 Management guidance", "A.6.1.2 ", "A.6.1.3 ", "A.6.2 AI system life cycle", "A.6.2.2 "]
    assert [soa.index(code) for code in order] == sorted(soa.index(code) for code in order)


def test_section_iv_a_lists_each_requirement_once_and_describes_each_control_once(
    demo_pdf: tuple[ReportData, Path],
) -> None:
    data, target = demo_pdf
    titles = outline_titles(PdfReader(target))
    iso = [r for r in data.requirements if r.kind in (RequirementKind.SUBCLAUSE, RequirementKind.ANNEX_CONTROL)]
    included = {line.annex_code for line in data.soa if line.included}
    for requirement in iso:
        expected = 0 if requirement.kind is RequirementKind.ANNEX_CONTROL and requirement.code not in included else 1
        assert titles.count(" ".join(requirement.label.split())) == expected, requirement.code

    body = " ".join(pdf_bodies(target))
    section = between(body, "Section IV-A: ISO/IEC 42001 criteria This section", "Statement of Applicability (Annex A)")
    by_ref = {c.ref: c for c in data.controls}
    for ref in ("C-043", "C-045"):  # serve only Annex A lines: described here, with tests and results
        control = by_ref[ref]
        assert f"{ref} {control.title}: described below, under Controls that serve only" in section
        assert re.search(rf"{ref}\.T\d · Test of operating effectiveness", section)
        assert re.search(rf"{ref}\.T\d: (No exceptions noted|Exceptions noted)", section)
    soc2_served = by_ref["C-025"]  # also serves CC4.2: described in Section IV, only referred to here
    assert section.count(soc2_served.description[:60]) == 0
    assert "C-025 Management review of the AIMS: described in Section IV under CC4.2." in section


def test_continued_tables_say_what_they_continue(demo_pdf: tuple[ReportData, Path]) -> None:
    pages = pdf_bodies(demo_pdf[1])
    continued = [(n, m.group(1)) for n, page in enumerate(pages) if (m := re.match(r"(\S+) \(continued\)", page))]
    assert len(continued) > 10
    criteria = [(n, code) for n, code in continued if re.fullmatch(r"(CC|A|C)\d+\.\d+", code)]
    assert criteria, "criteria tables run over pages in the demo"
    for number, code in criteria:
        assert f"{code} " in pages[number - 1] or f"{code} (continued)" in pages[number - 1], (number, code)


def test_no_heading_is_left_at_the_foot_of_a_page(demo_pdf: tuple[ReportData, Path]) -> None:
    """Every heading's bookmark sits high enough above the bottom margin for the heading and what follows it."""
    reader = PdfReader(demo_pdf[1])

    def entries(items: list[object]) -> list[object]:
        return [e for item in items for e in (entries(item) if isinstance(item, list) else [item])]

    lowest = min(entries(reader.outline), key=lambda entry: float(entry.top))  # type: ignore[attr-defined]
    room = float(lowest.top) - BOTTOM_MARGIN  # type: ignore[attr-defined]
    assert room > HEADING_AND_TWO_LINES, (lowest.title, room)  # type: ignore[attr-defined]


def test_the_draft_mark_is_not_text(demo_pdf: tuple[ReportData, Path]) -> None:
    for number, page in enumerate(pdf_pages(demo_pdf[1]), start=1):
        assert page.count("DRAFT") == 1, number  # the running header's (the cover's first line on page 1)
        assert "D R A F T" not in page and "DRAF" not in page.replace("DRAFT", ""), number  # no letters of the mark


def test_a_type2_file_switched_to_type1_reports_the_same_way_everywhere(demo: EngagementFile, tmp_path: Path) -> None:
    details = get_details(demo)
    update_details(demo, replace(details, report_type=ReportType.TYPE1, as_of_date=date(2026, 9, 30)))
    data = gather(demo)
    write_workbook(data, tmp_path / "workpapers.xlsx", Task())
    write_report(data, tmp_path / "internal.pdf", Task())
    write_report(data, tmp_path / "client.pdf", Task(), ReportOptions(Audience.CLIENT))

    book = load_workbook(tmp_path / "workpapers.xlsx")
    index = {row["Item"].value: row["Value"].value for row in records(book["Index"])}
    recorded = [row["In the report"].value for row in records(book["Exceptions"])]
    assert index["Exceptions in the report"] == 0 and index["Exceptions (deviations)"] == len(recorded) > 0
    assert set(recorded) == {"No (Type 1: design only)"}

    internal = " ".join(pdf_bodies(tmp_path / "internal.pdf"))
    client = " ".join(pdf_bodies(tmp_path / "client.pdf"))
    outside = f"[{len(recorded)} exceptions recorded on tests of operating effectiveness are outside this Type 1"
    internal_summary = between(internal, "Appendix A: Exceptions summary", "Appendix B")
    assert outside in internal_summary and internal_summary.strip().endswith("No exceptions were noted.")
    client_summary = between(client, "Appendix A: Exceptions summary", "Appendix B")
    assert client_summary.strip() == "Appendix A: Exceptions summary No exceptions were noted."
    for text in (internal, client):
        assert "Test of operating effectiveness" not in text


def test_a_long_list_of_controls_in_one_cell_exports(engagement: EngagementFile, tmp_path: Path) -> None:
    """The cell that failed `--scale 50`: an Annex A line implemented by hundreds of controls, taller than a page."""
    for number in range(400):
        controls.create_control(engagement, ControlInput(f"Model card review {number}"), ["A.6.2.7"])
    data = gather(engagement)
    write_report(data, tmp_path / "report.pdf", Task())
    write_docx(data, tmp_path / "report.docx", Task())
    soa = " ".join(pdf_bodies(tmp_path / "report.pdf"))
    assert "C-400" in between(soa, "Statement of Applicability (Annex A) Each", "Section V:")


def test_nothing_a_user_can_type_stops_an_export(engagement: EngagementFile, tmp_path: Path) -> None:
    """Very long text, text without spaces, line breaks, control characters, markup, CJK: both formats export."""
    unbroken = "x" * 40_000
    odd = "Bell\x07, null\x00 and form feed\x0c; <b>not bold</b> & 株式会社 " + "line\n" * 400
    details = get_details(engagement)
    update_details(engagement, replace(details, client="Client " * 300, iso_scope=unbroken))
    okta = add_organization(engagement, SubserviceOrganization(odd[:300], odd, SubserviceTreatment.CARVE_OUT))
    add_complementary(
        engagement, ComplementaryControl(ComplementaryKind.CSOC, odd + unbroken, ("CC6.1",), "", "", okta)
    )
    judged = OpinionJudgement(OpinionArea.DESIGN, Opinion.QUALIFIED, odd, False, unbroken)
    record_opinion(engagement, judged)
    made = controls.create_control(engagement, ControlInput(unbroken[:200], unbroken + odd, odd), ["CC6.1", "A.9.4"])
    test = testing.add_test(engagement, made.ref, TestPlan(TestKind.OPERATING, odd + unbroken, (Method.INSPECTION,)))
    found = deviations.add_deviation(engagement, test.id, DeviationInput(unbroken + odd, management_response=odd))
    create_finding(engagement, FindingInput(FindingKind.MAJOR, unbroken + odd, ("A.9.4",), odd, (found.id,)))
    set_conclusion(engagement, "CC6.1", ConclusionInput(CriterionConclusion.NOT_MET, odd + unbroken))
    set_soa_line(engagement, "A.2.2", included=False, justification=unbroken, implementation_status=None)
    data = gather(engagement)

    write_report(data, tmp_path / "report.pdf", Task())
    write_docx(data, tmp_path / "report.docx", Task())

    assert len(PdfReader(tmp_path / "report.pdf").pages) > 20
    assert "not bold" in docx_text(tmp_path / "report.docx")  # markup characters printed as typed
    assert data.requirements and any(r.framework is Framework.ISO42001 for r in data.requirements)


@pytest.mark.slow
def test_the_demo_at_scale_50_exports(tmp_path: Path) -> None:
    demo = tmp_path / "demo50.fieldwork"
    assert main(["demo", str(demo), "--scale", "50", "--unencrypted"]) == 0
    assert main(["export", str(demo), "--pdf", str(tmp_path / "r.pdf"), "--docx", str(tmp_path / "r.docx")]) == 0
    assert len(PdfReader(tmp_path / "r.pdf").pages) > 1000
