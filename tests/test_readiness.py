"""From SOC 2 to SOC 2 + ISO/IEC 42001: the gap view, the AI control templates, and the readiness workbook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fieldwork.app.ai_library import firm_folder, load_library
from fieldwork.app.catalog import load_catalog
from fieldwork.app.cli.main import main
from fieldwork.app.domain.readiness import Coverage, Readiness
from fieldwork.app.domain.records import ControlInput
from fieldwork.app.domain.vocabulary import Framework, Method, RequirementKind, TestKind
from fieldwork.app.errors import NotFoundError
from fieldwork.app.exports.readiness_workbook import write_readiness_workbook
from fieldwork.app.services import controls, readiness, testing
from fieldwork.app.services.history import list_history
from fieldwork.app.services.readiness import add_template, find_template, readiness_page
from fieldwork.app.services.soa import set_soa_line
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.tasks import Task
from tests.xlsx_reading import records

#: A client's SOC 2 controls, linked to SOC 2 criteria only.
SOC2_CONTROLS = {
    "Annual risk assessment approved by management": ["CC3.2"],
    "Changes approved and tested before release": ["CC8.1"],
    "Organization chart and role descriptions kept current": ["CC1.3"],
}


@pytest.fixture
def soc2_only(engagement: EngagementFile) -> EngagementFile:
    for title, criteria in SOC2_CONTROLS.items():
        controls.create_control(engagement, ControlInput(title), criteria)
    excluded = "No customer uses the AI systems."
    set_soa_line(engagement, "A.10.4", included=False, justification=excluded, implementation_status=None)
    return engagement


def gap_view(db: EngagementFile) -> Readiness:
    return readiness_page(db).readiness


def test_the_gap_view_of_a_soc2_control_set(soc2_only: EngagementFile) -> None:
    view = gap_view(soc2_only)
    lines = {line.code: line for line in view.lines}
    iso = [i for i in load_catalog().items if i.framework is Framework.ISO42001]
    subclauses = {i.code for i in iso if i.kind is RequirementKind.SUBCLAUSE}
    annex = {i.code for i in iso if i.kind is RequirementKind.ANNEX_CONTROL}
    assert set(lines) == subclauses | annex - {"A.10.4"} and view.excluded == ("A.10.4",)
    assert view.count(Coverage.LINKED) == 0, "no control is linked to an ISO requirement yet"
    # The risk assessment reaches the AI risk assessment through CC3.2, in part (intersect).
    assert lines["6.1.2"].coverage is Coverage.PARTLY and lines["6.1.2"].via == "CC3.2 (intersect): C-001"
    # Change approval reaches AI deployment wholly (subset), and the role descriptions reach 5.3 and A.3.2.
    assert lines["A.6.2.5"].coverage is Coverage.THROUGH_SOC2 and lines["A.6.2.5"].via == "CC8.1 (subset): C-002"
    assert {lines["5.3"].coverage, lines["A.3.2"].coverage} == {Coverage.THROUGH_SOC2}
    # Data provenance has no SOC 2 counterpart, so only a new control serves it; the library offers one.
    assert lines["A.7.5"].coverage is Coverage.GAP and lines["A.7.5"].routes == ()
    assert lines["A.7.5"].templates == ("Data quality and provenance checks for AI data sets",)
    assert lines["A.5.4"].coverage is Coverage.PARTLY, "the 2026.2 crosswalk relates A.5.4 to CC3.2"
    assert view.summary.startswith(f"{len(lines)} ISO/IEC 42001 requirements: 0 with a linked control, ")


def test_adding_a_template_links_it_adds_its_tests_and_closes_the_gaps_it_serves(soc2_only: EngagementFile) -> None:
    library = load_library()
    template = find_template(library, "impact_assessment")
    before = {line.code: line.coverage for line in gap_view(soc2_only).lines}
    assert {before[code] for code in template.requirements} == {Coverage.PARTLY}

    made = add_template(soc2_only, template)
    assert made.ref == "C-004" and made.title == template.title
    assert made.requirements == ("6.1.4", "8.4", "A.5.2", "A.5.3", "A.5.4", "A.5.5")
    tests = testing.list_tests(soc2_only, made.id)
    assert [(t.ref, t.kind) for t in tests] == [("C-004.T1", TestKind.DESIGN), ("C-004.T2", TestKind.OPERATING)]
    assert tests[1].procedure == template.tests[1].procedure and Method.INSPECTION in tests[1].methods
    after = {line.code: line for line in gap_view(soc2_only).lines}
    assert {after[code].coverage for code in template.requirements} == {Coverage.LINKED}
    assert after["A.5.4"].linked == (f"C-004 {template.title}",)
    assert after["A.7.5"].coverage is Coverage.GAP, "what the template does not serve stays open"
    entry = list_history(soc2_only, limit=1)[0]
    assert (entry.action, entry.item_id) == ("add from template", str(made.id))


def test_adding_a_template_is_all_or_nothing(soc2_only: EngagementFile, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_args: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(readiness, "insert_test", fail)
    with pytest.raises(OSError):
        add_template(soc2_only, find_template(load_library(), "monitoring"))
    assert [c.ref for c in controls.list_controls(soc2_only)] == ["C-001", "C-002", "C-003"]


def test_the_bundled_library_is_whole() -> None:
    library = load_library()
    assert library.problems == ()
    assert len(library.templates) == 10 and len(library.procedures) == 12
    for template in library.templates:
        assert template.source == "bundled" and template.requirements
        assert [test.kind for test in template.tests][:2] == [TestKind.DESIGN, TestKind.OPERATING]
    titles = {procedure.title for procedure in library.procedures}
    assert {"Re-perform a fairness review", "Check the model release gate", "Sample monitoring alerts"} <= titles
    assert "Inspect transparency notices" in titles


def write_firm(kind: str, name: str, document: object | str) -> Path:
    folder = firm_folder() / kind
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document, indent=1), encoding="utf-8")
    return path


FIRM_TEMPLATE = {
    "title": "Human oversight of automated screening decisions",
    "description": "A recruiter reviews every candidate the screening model rejects before the rejection is sent.",
    "frequency": "multiple_daily",
    "requirements": ["A.9.4", "A.6.2.6"],
    "tests": ["design_walkthrough", "oversight_sampling"],
}
FIRM_PROCEDURE = {
    "title": "Sample screened-out candidates for human review",
    "kind": "operating",
    "methods": ["inspection", "reperformance"],
    "procedure": "For a sample of rejected candidates, inspected the recruiter's review before the rejection was sent.",
}


def test_a_firm_adds_its_own_templates_and_procedures_and_replaces_bundled_ones() -> None:
    write_firm("ai_test_procedures", "oversight_sampling", FIRM_PROCEDURE)
    write_firm("ai_controls", "human_oversight", FIRM_TEMPLATE)
    write_firm("ai_controls", "monitoring", {**FIRM_TEMPLATE, "title": "Our own monitoring control"})
    library = load_library()
    assert library.problems == ()
    own = find_template(library, "human_oversight")
    assert own.source == "firm" and [t.title for t in own.tests][1] == FIRM_PROCEDURE["title"]
    assert find_template(library, "monitoring").title == "Our own monitoring control"
    assert len(library.templates) == 11


FREQUENCIES = "annual, quarterly, monthly, weekly, daily, multiple_daily, on_occurrence"
NOT_ISO = "is not an ISO/IEC 42001 subclause or Annex A control"


@pytest.mark.parametrize(
    ("document", "line", "problem"),
    [
        ('{\n "title": "x",\n "requirements": []\n "tests": []\n}', 4, "it is not valid JSON (Expecting ','"),
        ({**FIRM_TEMPLATE, "requirements": ["A.9.4", "A.99"]}, 7, f"'A.99' {NOT_ISO}"),
        ({**FIRM_TEMPLATE, "requirements": ["CC6.1"]}, 6, f"'CC6.1' {NOT_ISO}"),
        ({**FIRM_TEMPLATE, "tests": ["design_walkthrough", "nowhere"]}, 11, "there is no test procedure 'nowhere'"),
        ({**FIRM_TEMPLATE, "frequency": "hourly"}, 4, f"'frequency' is 'hourly', not one of: {FREQUENCIES}"),
        ({**FIRM_TEMPLATE, "requirments": ["A.9.4"]}, 13, "there is no field 'requirments'"),
        ({**FIRM_TEMPLATE, "title": " "}, 2, "'title' must be a non-empty text"),
        ([FIRM_TEMPLATE], 1, "it holds no JSON object (a template is one object in braces)"),
    ],
)
def test_a_broken_firm_template_is_refused_naming_the_file_and_line(document: object, line: int, problem: str) -> None:
    write_firm("ai_test_procedures", "oversight_sampling", FIRM_PROCEDURE)
    path = write_firm("ai_controls", "broken", document)
    library = load_library()
    assert library.template("broken") is None and len(library.templates) == 10, "the others still load"
    (refused,) = library.problems
    assert refused.startswith(f"{path}, line {line}: {problem}")


def test_a_procedure_of_inquiry_alone_is_refused_with_the_templates_that_use_it() -> None:
    write_firm("ai_test_procedures", "oversight_sampling", {**FIRM_PROCEDURE, "methods": ["inquiry"]})
    write_firm("ai_controls", "human_oversight", FIRM_TEMPLATE)
    problems = load_library().problems
    assert len(problems) == 2
    assert problems[0].endswith("oversight_sampling.json, line 4: inquiry alone is never enough: add observation, "
                                "inspection or reperformance.")  # fmt: skip
    assert problems[1].endswith("human_oversight.json, line 11: there is no test procedure 'oversight_sampling' in "
                                "the library.")  # fmt: skip


def test_the_readiness_workbook_shows_what_the_screen_shows(soc2_only: EngagementFile, tmp_path: Path) -> None:
    page = readiness_page(soc2_only)
    target = tmp_path / "readiness.xlsx"
    write_readiness_workbook(page, target, Task())
    book = load_workbook(target)
    assert book.sheetnames[:3] == ["Summary", "ISO 42001 readiness", "AI control templates"]
    summary = {row["Item"].value: row["Value"].value for row in records(book["Summary"])}
    assert summary["Service organization"] == "Acme Analytics"
    assert summary["ISO/IEC 42001 requirements in scope"] == len(page.readiness.lines)
    for coverage, phrase in (
        (Coverage.LINKED, "with a linked control"),
        (Coverage.THROUGH_SOC2, "served through SOC 2"),
        (Coverage.PARTLY, "partly served through SOC 2"),
        (Coverage.GAP, "needing a new control"),
    ):
        assert summary[f"Requirements {phrase}"] == page.readiness.count(coverage)
    assert summary["Annex A controls excluded in the Statement of Applicability"] == "A.10.4"
    rows = {row["Requirement"].value: row for row in records(book["ISO 42001 readiness"])}
    assert list(rows) == [line.code for line in page.readiness.lines]
    gap, partly, through = rows["A.7.5"], rows["6.1.2"], rows["A.6.2.5"]
    assert gap["Coverage"].value == "Needs a new control" and gap["Coverage"].fill.fgColor.rgb.endswith("FFC7CE")
    assert gap["Suggested AI control templates"].value == "Data quality and provenance checks for AI data sets"
    assert partly["Through SOC 2 criteria (controls)"].value == "CC3.2 (intersect): C-001"
    assert partly["Coverage"].fill.fgColor.rgb.endswith("FCE4D6")
    assert through["Coverage"].value == "Through SOC 2" and through["Coverage"].fill.fgColor.rgb in (None, "00000000")
    templates = {row["Template"].value: row for row in records(book["AI control templates"])}
    impact = templates["AI system impact assessment before deployment and on significant change"]
    assert impact["Requirements it would close"].value == "6.1.4, 8.4, A.5.2, A.5.3, A.5.4, A.5.5"


def test_the_command_adds_a_template_and_writes_the_workbook(
    soc2_only: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(soc2_only.path)
    soc2_only.close()
    assert main(["readiness", path, "--add", "supplier_management", "--json"]) == 0
    out = capsys.readouterr().out
    added, document = out.split("\n", 1)
    assert added == "Added C-004 AI suppliers assessed before use and reviewed (A.10.2, A.10.3) from template " \
        "supplier_management."  # fmt: skip
    lines = {line["code"]: line for line in json.loads(document)["requirements"]}
    assert lines["A.10.3"]["coverage"] == "linked" and lines["A.10.3"]["linked"][0].startswith("C-004 ")
    target = tmp_path / "client.xlsx"
    assert main(["readiness", path, "--xlsx", str(target)]) == 0
    assert load_workbook(target)["ISO 42001 readiness"]["C2"].value is not None
    assert main(["readiness", path, "--add", "nope"]) == 1
    assert capsys.readouterr().err.startswith("fieldwork: There is no AI control template 'nope' (the templates are: ")


def test_an_unknown_template_is_refused_with_the_choices() -> None:
    with pytest.raises(NotFoundError) as refused:
        find_template(load_library(), "inventory")
    assert "system_inventory" in refused.value.message
