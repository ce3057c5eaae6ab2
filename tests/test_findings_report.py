"""The ISO/IEC 42001 findings report for management, read back as text from the PDF and the Word document."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from fieldwork.app.cli.main import main
from fieldwork.app.domain.judgements import FindingInput, FindingKind, FindingStatus
from fieldwork.app.exports.dataset import ReportData, gather
from fieldwork.app.exports.docx_report import write_findings_docx
from fieldwork.app.exports.pdf_report import write_findings_pdf
from fieldwork.app.exports.report.findings_report import build_findings_report
from fieldwork.app.exports.report.model import Audience, ReportOptions
from fieldwork.app.services.evidence import Link, LinkKind, attach_files
from fieldwork.app.services.findings import create_finding
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.tasks import Cancelled, Task
from tests import test_report_docx
from tests.report_reading import (
    docx_text,
    libreoffice_pdf,
    pdf_body,
    pdf_pages,
    render_docx,
    render_pdf,
    written_copies,
)

#: The demo gathered once per module, as the Word report's tests have it.
demo_data = test_report_docx.demo_data

FINGERPRINT = re.compile(r"\b[0-9a-f]{64}\b")
HALF_FINGERPRINT = re.compile(r"\b[0-9a-f]{32}")
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
GRADE_ORDER = [FindingKind.MAJOR, FindingKind.MINOR, FindingKind.OBSERVATION, FindingKind.OFI]


@pytest.fixture(scope="module")
def copies(demo_data: ReportData, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[Audience, str], str]:
    """The demo's findings report in both copies, as PDF and Word, read back as text; the PDF's cover too."""
    folder = tmp_path_factory.mktemp("findings")
    texts = written_copies(demo_data, folder, write_findings_pdf, write_findings_docx)
    for audience in Audience:
        pages = pdf_pages(folder / f"{audience}.pdf")
        assert all("DRAFT" in page for page in pages), "every page is marked DRAFT"
        texts[audience, "pdf-cover"], texts[audience, "pdf-pages"] = pages[0], " ".join(pages)
    return texts


COPIES = [(audience, kind) for audience in Audience for kind in ("pdf", "docx")]


@pytest.mark.parametrize(("audience", "kind"), COPIES)
def test_every_finding_appears_once_with_its_requirements_and_grade_majors_first(
    copies: dict[tuple[Audience, str], str], demo_data: ReportData, audience: Audience, kind: str
) -> None:
    text = copies[audience, kind]
    findings = demo_data.findings
    assert {f.kind for f in findings} == set(FindingKind), "the demo has findings of every grade"
    titles = {code: r.title for code, r in ((r.code, r) for r in demo_data.requirements)}
    at = {}
    for found in findings:
        heading = f"{found.ref} {found.kind.label}: {', '.join(found.requirements)}"
        assert text.count(heading) == 1, heading
        at[found.ref] = text.index(heading)
        form = text[at[found.ref] : at[found.ref] + 600 + len(found.statement)]
        for code in found.requirements:
            assert f"{code} {titles[code]}" in form, (found.ref, code)
        assert found.statement in " ".join(form.split()) or found.statement[:60] in form
    by_position = sorted(findings, key=lambda f: at[f.ref])
    grades = [GRADE_ORDER.index(f.kind) for f in by_position]
    assert grades == sorted(grades), "grouped by grade, majors first"
    sections = [text.rindex(title) for title in ("Major nonconformities", "Minor nonconformities", "Observations")]
    assert sections == sorted(sections)
    assert text.rindex("What management is asked to do") > max(at.values())


@pytest.mark.parametrize(("audience", "kind"), COPIES)
def test_no_fingerprint_seed_or_file_id_and_the_client_copy_names_no_test(
    copies: dict[tuple[Audience, str], str], demo_data: ReportData, audience: Audience, kind: str
) -> None:
    text = copies[audience, kind]
    assert not FINGERPRINT.search(text) and not HALF_FINGERPRINT.search(text) and not UUID.search(text)
    assert [t.seed for t in demo_data.tests if t.seed is not None] and "seed" not in text.lower()
    deviations = [d for d in demo_data.deviations if any(d.id in f.deviation_ids for f in demo_data.findings)]
    assert deviations, "the demo's findings come from exceptions"
    for found in deviations:  # each exception the findings came from, told in its own words in both copies
        assert " ".join(found.description.split())[:60] in text
    named = [f"{d.ref} ({d.control_ref}):" for d in deviations]
    if audience is Audience.CLIENT:
        assert not any(name in text for name in named) and "demo.fieldwork" not in text
        assert not UUID.search(copies[audience, "pdf-pages"]), "not even the engagement's id in the footer"
        assert "Client copy: for management" in text
    else:
        assert all(name in text for name in named) and "demo.fieldwork" in text


def test_evidence_files_are_named_in_the_internal_copy_only(engagement: EngagementFile, tmp_path: Path) -> None:
    raised = create_finding(
        engagement, FindingInput(FindingKind.MINOR, "No management review was held.", ("9.3",), "Minutes index.")
    )
    minutes = tmp_path / "committee minutes 2026.pdf"
    minutes.write_bytes(b"minutes")
    (attached,) = attach_files(engagement, [minutes], [Link(LinkKind.FINDING, raised.id)])
    data = gather(engagement)
    for render in (lambda report: render_pdf(report, tmp_path / "copy.pdf"), render_docx):
        internal = render(build_findings_report(data, Task()))
        client = render(build_findings_report(data, Task(), ReportOptions(Audience.CLIENT)))
        assert f"Evidence files: {attached.ref} committee minutes 2026.pdf" in internal
        assert "committee minutes" not in client and attached.ref not in client and "Minutes index." in client
        for text in (internal, client):
            assert attached.sha256 not in text and attached.sha256[:32] not in text and str(attached.id) not in text


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_the_cover_says_draft_scope_period_and_firm_and_management_is_asked_to_respond(
    copies: dict[tuple[Audience, str], str], demo_data: ReportData, kind: str
) -> None:
    text = copies[Audience.CLIENT, kind]
    details = demo_data.details
    assert "DRAFT · for discussion, not for issue" in (copies[Audience.CLIENT, "pdf-cover"] if kind == "pdf" else text)
    for said in (details.client, details.system_name, details.auditor_firm, "ISO/IEC 42001:2023"):
        assert said in text
    assert details.iso_scope[:80] in text
    assert "Throughout the period October 1, 2025, to September 30, 2026" in text  # capitals kept
    assert "not an ISO/IEC 42001 certificate" in text
    asked = text[text.rindex("What management is asked to do") :]
    due = [f for f in demo_data.findings if f.kind.nonconformity and f.open]
    assert due and all(f.ref in asked for f in due)
    assert not any(f.ref in asked for f in demo_data.findings if f not in due)
    assert "by the due date" in asked


def test_an_empty_register_gives_sentences_not_empty_tables(engagement: EngagementFile, tmp_path: Path) -> None:
    report = build_findings_report(gather(engagement), Task())
    for text in (render_pdf(report, tmp_path / "empty.pdf"), render_docx(report)):
        assert "No findings were raised on the AI management system." in text
        assert "No nonconformity is open, so no corrective action is requested." in text
        assert "Verified or closed" not in text and "Major nonconformities" not in text


def test_long_texts_export_without_a_layout_error(engagement: EngagementFile, tmp_path: Path) -> None:
    """A statement of many pages, evidence without a space to break at: the form continues, nothing fails."""
    statement = " ".join(f"Sentence {n} of what does not conform, written at length." for n in range(1500))
    create_finding(
        engagement,
        FindingInput(
            FindingKind.MAJOR,
            statement,
            ("8.1",),
            objective_evidence="x" * 5000,
            root_cause="Why, " * 2000,
            corrective_action="Act. " * 3000,
            owner="o" * 400,
            due_date=date(2026, 12, 31),
            status=FindingStatus.ACTION_PLANNED,
        ),
    )
    data = gather(engagement)
    write_findings_pdf(data, tmp_path / "long.pdf", Task())
    write_findings_docx(data, tmp_path / "long.docx", Task())
    text = pdf_body(tmp_path / "long.pdf")
    assert "Sentence 1499 of what does not conform" in text and "F-001 (continued)" in text
    assert "Sentence 1499 of what does not conform" in docx_text(tmp_path / "long.docx")


def test_cancel_leaves_the_previous_file(engagement: EngagementFile, tmp_path: Path) -> None:
    target = tmp_path / "findings.pdf"
    target.write_bytes(b"the previous report")

    def stop(_done: int, _total: int, step: str) -> None:
        if step == "Writing the summary":
            raise Cancelled()

    for write in (write_findings_pdf, write_findings_docx):
        with pytest.raises(Cancelled):
            write(gather(engagement), target, Task(stop))
        assert target.read_bytes() == b"the previous report"


def test_the_command_line_writes_both_formats_for_the_copy_asked(
    demo: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf, docx = tmp_path / "f.pdf", tmp_path / "f.docx"
    args = ["export", str(demo.path), "--findings-pdf", str(pdf), "--findings-docx", str(docx), "--audience", "client"]
    assert main(args) == 0
    said = capsys.readouterr().out
    assert f"Wrote the findings report (client copy) to {pdf}" in said and str(docx) in said
    assert "Client copy: for management" in pdf_body(pdf) and "Client copy: for management" in docx_text(docx)


def test_the_command_line_says_what_it_can_write(demo: EngagementFile, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(demo.path)]) != 0
    said = capsys.readouterr().err
    assert "--findings-pdf OUT.pdf" in said and "--findings-docx OUT.docx" in said and "Traceback" not in said


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_word_findings_report(demo_data: ReportData, tmp_path: Path) -> None:
    source = tmp_path / "findings.docx"
    write_findings_docx(demo_data, source, Task(), ReportOptions(Audience.CLIENT))
    pages = pdf_pages(libreoffice_pdf(source, tmp_path / "converted"))
    text = " ".join(pages)
    assert len(pages) >= 3 and "Page 2 of" in text and "DRAFT" in pages[1]
    assert all(f.ref in text for f in demo_data.findings) and "What management is asked to do" in text
