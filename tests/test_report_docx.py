"""The draft report as a Word document: what a firm edits into the issued report, and what LibreOffice opens."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt
from pypdf import PdfReader

from fieldwork.app.cli.main import main
from fieldwork.app.errors import FieldworkError
from fieldwork.app.exports.dataset import ReportData, gather
from fieldwork.app.exports.docx.styles import reference_path
from fieldwork.app.exports.docx_report import write_docx
from fieldwork.app.storage.engagement_file import EngagementFile, open_engagement
from fieldwork.app.tasks import Cancelled, Task
from tests.report_reading import docx_text, flat, libreoffice_pdf
from tests.test_pdf_report import SECTIONS, cancelling_at


@pytest.fixture(scope="module")
def demo_data(demo_template: Path) -> ReportData:
    db = open_engagement(demo_template)
    try:
        return gather(db)
    finally:
        db.close()


@pytest.fixture(scope="module")
def demo_docx(demo_data: ReportData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("docx") / "report.docx"
    write_docx(demo_data, target, Task())
    return target


def test_the_word_report_uses_word_headings_table_styles_repeating_headers_and_a_contents_field(
    demo_docx: Path, demo_data: ReportData
) -> None:
    document = docx.Document(str(demo_docx))
    headings = {p.text: p.style.name for p in document.paragraphs if p.style.name.startswith("Heading")}
    assert headings["Section I: Independent service auditor's report (draft)"] == "Heading 1"
    assert headings["Security"] == "Heading 2" and headings["CC1 Control Environment"] == "Heading 3"
    assert headings["CC6.1 Logical access security software, infrastructure and architecture"] == "Heading 4"
    assert all(any(title.startswith(section) for title in headings) for section in SECTIONS)
    tables = document.tables
    assert {t.style.name for t in tables} == {"Fieldwork Table", "Fieldwork Details"}
    for table in tables:
        if table.style.name == "Fieldwork Table":
            assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # the header row repeats
    body = document.element.body
    instructions = [t.text for t in body.iter(qn("w:instrText"))]
    assert any(i.strip().startswith("TOC") for i in instructions)
    assert document.settings.element.find(qn("w:updateFields")) is not None  # Word fills in the page numbers
    section = document.sections[0]
    assert "DRAFT" in " ".join(p.text for p in section.header.paragraphs)
    assert demo_data.details.client in " ".join(p.text for p in section.header.paragraphs)
    footer_fields = [f.get(qn("w:instr")) for f in section.footer._element.iter(qn("w:fldSimple"))]
    assert footer_fields == ["PAGE", "NUMPAGES"]
    assert section.different_first_page_header_footer  # the cover has no running header


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_word_report_and_converts_it(demo_docx: Path, tmp_path: Path) -> None:
    converted = PdfReader(libreoffice_pdf(demo_docx, tmp_path))
    text = flat(" ".join(page.extract_text() for page in converted.pages))
    assert len(converted.pages) > 50
    for section in SECTIONS:
        assert section in text, section
    assert "Page 3 of" in text  # the page number fields were laid out


def test_a_firms_reference_document_gives_the_report_its_styles(demo_data: ReportData, tmp_path: Path) -> None:
    reference = docx.Document()
    reference.styles["Body Text"].font.size = Pt(13)
    reference.styles["Body Text"].font.name = "Georgia"
    reference.add_paragraph("Template instructions that must not reach the report")
    reference_path().parent.mkdir(parents=True, exist_ok=True)
    reference.save(str(reference_path()))

    write_docx(demo_data, tmp_path / "report.docx", Task())

    document = docx.Document(str(tmp_path / "report.docx"))
    body_text = document.styles["Body Text"]
    assert body_text.font.size == Pt(13) and body_text.font.name == "Georgia"
    assert "Template instructions" not in docx_text(tmp_path / "report.docx")
    assert document.styles["Fieldwork Cell"] is not None  # what the firm lacks is added


def test_a_reference_that_is_not_a_word_document_is_refused_in_a_sentence(
    engagement: EngagementFile, tmp_path: Path
) -> None:
    reference_path().parent.mkdir(parents=True, exist_ok=True)
    reference_path().write_bytes(b"not a zip")
    with pytest.raises(FieldworkError, match="is not a Word document Fieldwork can read"):
        write_docx(gather(engagement), tmp_path / "report.docx", Task())
    assert not (tmp_path / "report.docx").exists()


def test_cancel_leaves_the_previous_word_file(engagement: EngagementFile, tmp_path: Path) -> None:
    target = tmp_path / "report.docx"
    target.write_bytes(b"the previous report")
    with pytest.raises(Cancelled):
        write_docx(gather(engagement), target, cancelling_at("Writing the Word document"))
    assert target.read_bytes() == b"the previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.docx"] or "acme.fieldwork" in {
        p.name for p in tmp_path.iterdir()
    }


def test_the_command_line_writes_the_client_copy_for_word(demo: EngagementFile, tmp_path: Path) -> None:
    target = tmp_path / "client.docx"
    assert main(["export", str(demo.path), "--docx", str(target), "--audience", "client"]) == 0
    text = docx_text(target)
    assert "Client copy: the examination report only" in text
    assert "Appendix B: Crosswalk used" in text and "Evidence index" not in text
