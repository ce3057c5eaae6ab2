"""The workbook, the draft report and the screens give the same figures for the same engagement."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from pypdf import PdfReader

from fieldwork.app.cli.main import main
from fieldwork.app.domain.ai_systems import LifeCycleStage, SystemCoverage
from fieldwork.app.domain.ipe import IpeResult
from fieldwork.app.domain.judgements import SETTLED, CriterionConclusion, FindingKind, FindingStatus, OpinionArea
from fieldwork.app.domain.vocabulary import Framework, Opinion, SubserviceTreatment
from fieldwork.app.domain.workpapers import WorkpaperKind
from fieldwork.app.exports.dataset import ReportData, gather
from fieldwork.app.exports.docx_report import write_docx, write_findings_docx
from fieldwork.app.exports.pdf_report import write_findings_pdf, write_report
from fieldwork.app.exports.workbook import write_workbook
from fieldwork.app.pages.ai_systems import ai_systems_page
from fieldwork.app.services.findings import list_findings
from fieldwork.app.services.overview import overview
from fieldwork.app.storage.engagement_file import EngagementFile, open_engagement
from fieldwork.app.tasks import Task
from tests.report_reading import docx_text, flat, pdf_pages
from tests.xlsx_reading import records


def _section(text: str, heading: str, next_heading: str) -> str:
    """A section of the report's body (the last occurrence: the table of contents names it first)."""
    start = text.rindex(heading)
    return text[start : text.index(next_heading, start)]


def _outputs(
    demo: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[ReportData, Workbook, dict[str, Any]]:
    """The demo gathered, its workbook, PDF and Word report written to `tmp_path`, and what `info --json` prints."""
    data = gather(demo)
    write_workbook(data, tmp_path / "workpapers.xlsx", Task())
    write_report(data, tmp_path / "report.pdf", Task())
    write_docx(data, tmp_path / "report.docx", Task())
    book = load_workbook(tmp_path / "workpapers.xlsx")
    demo.close()
    assert main(["info", str(demo.path), "--json"]) == 0
    return data, book, json.loads(capsys.readouterr().out)


def test_the_workbook_the_report_and_the_screens_count_the_same(demo: EngagementFile, tmp_path: Path) -> None:
    data = gather(demo)
    screens = overview(demo).counts
    write_workbook(data, tmp_path / "workpapers.xlsx", Task())
    write_report(data, tmp_path / "report.pdf", Task())
    write_docx(data, tmp_path / "report.docx", Task())

    book = load_workbook(tmp_path / "workpapers.xlsx")
    sheets = {
        "controls": len(records(book["Controls"])),
        "tests": len(records(book["Tests"])),
        "sample_items": len(records(book["Samples"])),
        "deviations": len(records(book["Exceptions"])),
        "evidence": len(records(book["Evidence"])),
    }
    index = {row["Item"].value: row["Value"].value for row in records(book["Index"])}
    on_index = {
        "controls": index["Controls"],
        "tests": index["Tests"],
        "sample_items": index["Sample items"],
        "deviations": index["Exceptions (deviations)"],
        "evidence": index["Evidence files"],
    }
    gathered = {
        "controls": len(data.controls),
        "tests": len(data.tests),
        "sample_items": len(data.sample_items),
        "deviations": len(data.deviations),
        "evidence": len(data.evidence),
    }
    assert sheets == on_index == gathered
    assert {name: sheets[name] for name in screens} == screens == data.counts
    assert sheets["deviations"] > 0 and sheets["evidence"] > 0, "the demo has exceptions and evidence to compare"

    pdf = "\n".join(page.extract_text() for page in PdfReader(tmp_path / "report.pdf").pages)
    for text in (pdf, docx_text(tmp_path / "report.docx")):
        summary = _section(text, "Appendix A: Exceptions summary", "Appendix B: Evidence index")
        listed = re.findall(r"(\d+)\. (C-[\w-]+\.T\d+) \(", summary)
        assert [int(n) for n, _ in listed] == list(range(1, sheets["deviations"] + 1))
        assert [ref for _, ref in listed] == [row["Test"].value for row in records(book["Exceptions"])]
        evidence = _section(text, "Appendix B: Evidence index", "Appendix C: Crosswalk used")
        assert sorted(set(re.findall(r"\bE-\d+\b", evidence))) == sorted(
            row["Reference"].value for row in records(book["Evidence"])
        )
        # requirements in scope: the report's progress totals (SOC 2, then ISO/IEC 42001), the workbook, the screens
        totals = [int(n) for n in re.findall(r"Total (\d+) \d+ \d+ \d+ \d+ \d+", " ".join(text.split()))]
        assert len(totals) == 2 and sum(totals) == index["Requirements in scope"] == len(overview(demo).in_scope)


def _exported(demo: EngagementFile, folder: Path) -> tuple[ReportData, Workbook]:
    data = gather(demo)
    write_workbook(data, folder / "workpapers.xlsx", Task())
    return data, load_workbook(folder / "workpapers.xlsx")


def _info(demo: EngagementFile, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """What `fieldwork info --json` prints (the file is closed first: the command opens it for itself)."""
    demo.close()
    assert main(["info", str(demo.path), "--json"]) == 0
    found: dict[str, Any] = json.loads(capsys.readouterr().out)
    return found


def test_conclusions_findings_and_the_opinion_agree_in_the_workbook_and_info(
    demo: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, book = _exported(demo, tmp_path)
    doc = _info(demo, capsys)

    sheet = {row["Requirement"].value: row["Conclusion"].value for row in records(book["Conclusions"])}
    labels = {kind.value: kind.label for kind in CriterionConclusion}
    from_info = {c["requirement"]: labels[c["conclusion"]] for c in doc["conclusions"]}
    gathered = {c.code: c.conclusion.label for c in data.conclusions}
    assert sheet == from_info == gathered
    assert len(sheet) == len(doc["requirements"]) == len(data.statuses), "one definition of requirements in scope"
    coverage = {row["Requirement"].value: row["Conclusion"].value for row in records(book["Coverage"])}
    soa = {row["Annex A control"].value: row["Conclusion"].value for row in records(book["SoA"])}
    assert coverage == sheet and all(sheet[code] == value for code, value in soa.items())

    findings = [
        (row["Finding"].value, row["Kind"].value, row["Requirements"].value)
        for row in records(book["Findings and corrective actions"])
    ]
    kinds = {kind.value: kind.label for kind in FindingKind}
    assert findings == [(f["ref"], kinds[f["kind"]], ", ".join(f["requirements"])) for f in doc["findings"]]
    assert [f.ref for f in data.findings] == [ref for ref, _, _ in findings]

    opinion = {row["Item"].value: row["Recorded"].value for row in records(book["Opinion worksheet"])}
    assert opinion["Does the file support the opinion?"] == ("Yes" if doc["opinion"]["supported"] else "No")
    opinions = {kind.value: kind.label for kind in Opinion}
    for area in doc["opinion"]["areas"]:
        label = next(a.label for a in OpinionArea if a.value == area["area"])
        assert opinion[label].startswith(opinions[area["recorded"]])


def test_the_report_states_each_iso_conclusion_and_finding_as_the_workbook_does(
    demo: EngagementFile, tmp_path: Path
) -> None:
    from fieldwork.app.exports.docx_report import write_docx
    from tests.report_reading import docx_text, pdf_body

    data = gather(demo)
    write_report(data, tmp_path / "report.pdf", Task())
    write_docx(data, tmp_path / "report.docx", Task())
    for text in (pdf_body(tmp_path / "report.pdf"), " ".join(docx_text(tmp_path / "report.docx").split())):
        section = text[text.rindex("Section IV-A") :]
        for found in data.conclusions:
            if found.framework is Framework.SOC2 or found.conclusion is CriterionConclusion.EXCLUDED:
                continue
            heading = f"{found.code} {found.title} Results of tests"
            start = section.index(heading)
            entry = section[start : section.index("Results of tests", start + len(heading))]
            concluded = found.conclusion is not CriterionConclusion.NOT_CONCLUDED
            assert f"Conclusion: {found.conclusion.label if concluded else '[Not concluded]'}" in entry, found.code
            for raised in data.findings:
                listed = f"Finding {raised.ref}:" in entry
                assert listed == (found.code in raised.requirements), (found.code, raised.ref)


def test_tests_concluded_without_evidence_agree_in_the_workbook_the_dashboard_and_info(
    demo: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from fieldwork.app.pages.dashboard import load_dashboard_page
    from fieldwork.app.services.evidence import Link, LinkKind, attach_files

    data, book = _exported(demo, tmp_path)
    flagged = [
        row["Reference"].value for row in records(book["Tests"]) if row["Concluded without evidence"].value == "Yes"
    ]
    index = {row["Item"].value: row["Value"].value for row in records(book["Index"])}
    dashboard = load_dashboard_page(demo).tests_without_evidence
    from_info = _info(demo, capsys)["tests_concluded_without_evidence"]

    concluded = [t for t in data.tests if t.conclusion is not None]
    assert flagged == from_info == list(data.tests_without_evidence.values())
    assert index["Tests concluded without evidence"] == dashboard == len(flagged)
    assert 0 < len(flagged) < len(concluded), "the demo has concluded tests with and without evidence"
    # a test whose evidence sits on a sample item only is evidenced; one whose control alone has evidence is not
    used = {ref for found in data.evidence for ref in found.used_by}
    for test in concluded:
        own = test.ref in used or any(ref.startswith(f"{test.ref} #") for ref in used)
        assert (test.ref in flagged) == (not own), test.ref

    # Coverage: per requirement, the flagged tests of the controls that serve it
    controls = {c.id: c for c in data.controls}
    for row in records(book["Coverage"]):
        code = row["Requirement"].value
        expected = sum(test.ref in flagged and code in controls[test.control_id].requirements for test in data.tests)
        assert row["Tests concluded without evidence"].value == (0 if row["Progress"].value == "Excluded" else expected)

    # attaching a file to a flagged test clears its flag everywhere
    from fieldwork.app.storage.engagement_file import open_engagement

    reopened = open_engagement(demo.path, None)
    try:
        test = next(t for t in data.tests if t.ref == flagged[0])
        attach_files(reopened, [write_evidence(tmp_path)], [Link(LinkKind.TEST, test.id)])
        after = gather(reopened)
        assert test.id not in after.tests_without_evidence
        assert (
            len(after.tests_without_evidence)
            == len(flagged) - 1
            == load_dashboard_page(reopened).tests_without_evidence
        )
    finally:
        reopened.close()


def write_evidence(folder: Path) -> Path:
    path = folder / "walkthrough notes.txt"
    path.write_text("Walkthrough performed with the control owner.\n", encoding="utf-8")
    return path


def test_workpapers_and_ipe_agree_in_the_workbook_info_and_the_report(
    demo: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, book, doc = _outputs(demo, tmp_path, capsys)

    kinds = {kind.value: kind.label for kind in WorkpaperKind}
    sheet = [
        (row["Reference"].value, row["Title"].value, row["Kind"].value, row["Complete"].value == "Yes")
        for row in records(book["Engagement workpapers"])
    ]
    from_info = [(w["ref"], w["title"], kinds[w["kind"]], w["complete"]) for w in doc["workpapers"]]
    assert sheet == from_info == [(w.ref, w.title, w.kind.label, w.complete) for w in data.workpapers]
    assert any(complete for *_, complete in sheet) and not all(complete for *_, complete in sheet)
    index = {row["Item"].value: row["Value"].value for row in records(book["Index"])}
    assert index["Completion items not complete"] == sum(
        w["completion_item"] and not w["complete"] for w in doc["workpapers"]
    )
    assert index["Engagement stage"].startswith(doc["stage"]["stage"].capitalize())

    results = {result.value: result.label for result in IpeResult}
    relied = [
        (row["Reference"].value, row["IPE result"].value)
        for row in records(book["Tests"])
        if row["Relies on a population (IPE)"].value == "Yes"
    ]
    from_info_ipe = [(p["test"], results[p["result"]] if p["result"] else "Not assessed") for p in doc["ipe"]]
    assert relied == from_info_ipe and len(relied) == index["Populations relied on"]
    assessed = sum(p["assessed"] for p in doc["ipe"])
    assert assessed == index["Populations relied on with IPE assessed"] == data.ipe.assessed
    unassessed = [p["test"] for p in doc["ipe"] if not p["assessed"]]
    reliable = sum(p["result"] == IpeResult.RELIABLE.value for p in doc["ipe"])
    assert unassessed and reliable

    pdf = "\n".join(page.extract_text() for page in PdfReader(tmp_path / "report.pdf").pages)
    for text in (pdf, docx_text(tmp_path / "report.docx")):
        flat = " ".join(text.split())
        summary = (
            f"{len(relied)} tests rely on a population; {assessed} are assessed, {reliable} complete and accurate."
        )
        assert summary in flat
        assert f"Not yet assessed: {', '.join(unassessed)}." in flat
        assert "evaluated whether the information was sufficiently reliable for our purposes" in flat


def test_the_ai_systems_agree_in_the_page_the_workbook_the_report_and_info(
    demo: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = ai_systems_page(demo)
    data, book, doc = _outputs(demo, tmp_path, capsys)
    info = doc["ai_systems"]

    def gaps(found: SystemCoverage | None) -> str:
        return "\n".join(gap.text for gap in found.gaps) if found else ""

    on_page = [(s.name, s.stage.label, s.in_scope, gaps(page.coverage_of(s.id))) for s in page.systems]
    gathered = [(s.name, s.stage.label, s.in_scope, gaps(data.ai.coverage_of(s.id))) for s in data.ai.systems]
    sheet = [
        (row["AI system"].value, row["Stage"].value, row["In scope"].value == "Yes", row["Gaps flagged"].value or "")
        for row in records(book["AI systems"])
    ]
    stages = {stage.value: stage.label for stage in LifeCycleStage}
    from_info = [
        (s["name"], stages[s["stage"]], s["in_scope"], "\n".join(g["text"] for g in s["coverage"]["gaps"]))
        for s in info
    ]
    assert on_page == gathered == sheet == from_info and len(on_page) == 4
    late = [s["name"] for s in info if s["impact_assessment"] and s["impact_assessment"]["late"]]
    assert late == ["Interview Summary Assistant"]

    matrix = records(book["AI coverage"])
    for found in page.overview.coverage:
        # A covered cell names its controls before the result: "C-040, C-041: Tested, exceptions".
        covered = sum(": " in str(row[found.system.name].value).split("\n")[0] for row in matrix)
        in_info = next(s for s in info if s["name"] == found.system.name)["coverage"]["covered"]
        assert covered == found.covered == in_info

    for text in (" ".join(pdf_pages(tmp_path / "report.pdf")), flat(docx_text(tmp_path / "report.docx"))):
        described = _section(text, "Section III: Description of the system", "Section IV:")
        table = described[described.index("AI systems in the scope of the AI management system") :]
        assert all(system.name in table for system in page.overview.in_scope)
        concerned = page.overview.systems_concerned("8.4")
        assert "8.4 AI system impact assessment" in text and f"AI systems concerned: {', '.join(concerned)}" in text


def test_subservice_organizations_and_complementary_controls_agree_in_the_workbook_the_report_and_info(
    demo: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, book, info = _outputs(demo, tmp_path, capsys)

    sheet = [
        (row["Subservice organization"].value, row["Method"].value, row["Reviewed on"].value.date().isoformat())
        for row in records(book["Subservice organizations"])
    ]
    methods = {method.value: method.label for method in SubserviceTreatment}
    from_info = [
        (o["name"], methods[o["method"]], o["soc_report"]["reviewed_on"]) for o in info["subservice_organizations"]
    ]
    assert sheet == from_info == [("Amazon Web Services, Inc.", "Carve-out", "2026-10-14")]

    listed = [(row["Reference"].value, row["Criteria it supports"].value) for row in records(book["CUECs and CSOCs"])]
    in_info = [(c["ref"], ", ".join(c["criteria"])) for c in info["complementary_controls"]]
    gathered = [(c.ref, ", ".join(c.criteria)) for c in data.inputs.complementary]
    assert listed == in_info == gathered and len(listed) == 14

    text = flat(docx_text(tmp_path / "report.docx"))
    section_four = _section(text, "Section IV: Trust services criteria", "Section IV-A")
    criteria = [r for r in data.requirements if r.framework is Framework.SOC2]
    starts = [section_four.index(r.label) for r in criteria]
    under = {r.code: section_four[a:b] for r, a, b in zip(criteria, starts, [*starts[1:], None], strict=True)}
    for found in data.inputs.complementary:
        for code in found.criteria:
            assert found.ref in under[code] and found.text in under[code], (found.ref, code)
    assert "CSOC-01 Amazon Web Services, Inc.: AWS restricts physical access" in under["CC6.4"]
    assert "CSOC-01" not in under["CC6.3"]


def test_the_findings_report_counts_as_the_register_the_workbook_and_info(
    demo: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """By grade, open and settled (verified or closed): the same in the findings report (both formats), the
    workbook's findings sheet, `info --json` and the register the screens read."""
    data = gather(demo)
    write_workbook(data, tmp_path / "workpapers.xlsx", Task())
    write_findings_pdf(data, tmp_path / "findings.pdf", Task())
    write_findings_docx(data, tmp_path / "findings.docx", Task())
    demo.close()
    assert main(["info", str(demo.path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)

    with open_engagement(demo.path) as db:
        register = Counter((f.kind.label, f.open) for f in list_findings(db))
    sheet = Counter(
        (row["Kind"].value, row["Status"].value not in {s.label for s in SETTLED})
        for row in records(load_workbook(tmp_path / "workpapers.xlsx")["Findings and corrective actions"])
    )
    info = Counter((FindingKind(f["kind"]).label, FindingStatus(f["status"]) not in SETTLED) for f in doc["findings"])
    assert register == sheet == info
    assert {is_open for _, is_open in register} == {True, False}, "the demo has open and settled findings"
    for text in (flat(" ".join(pdf_pages(tmp_path / "findings.pdf"))), docx_text(tmp_path / "findings.docx")):
        for kind in FindingKind:
            still_open, done = register[kind.label, True], register[kind.label, False]
            assert f"{kind.label} {still_open} {done} {still_open + done} " in text, kind
        total_open = sum(n for (_, is_open), n in register.items() if is_open)
        assert f"Total {total_open} {register.total() - total_open} {register.total()} " in text
