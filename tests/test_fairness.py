"""Re-performing a fairness review: the figures against a table worked out by hand, and the refusals."""

from __future__ import annotations

import csv
import hashlib
import json
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest

from fieldwork.app.cli.main import main
from fieldwork.app.domain.fairness import FairnessFigures
from fieldwork.app.domain.records import ControlInput, TestPlan
from fieldwork.app.domain.sampling import PopulationSource
from fieldwork.app.domain.vocabulary import Method, TestKind
from fieldwork.app.errors import FieldworkError, NotFoundError
from fieldwork.app.services import controls, testing
from fieldwork.app.services.fairness import ratio_text, reperform, run_fairness
from fieldwork.app.services.fairness_results import delete_fairness_result, list_fairness_results, read_fairness_results
from fieldwork.app.services.history import list_history
from fieldwork.app.storage.engagement_file import EngagementFile
from tests.xlsx_reading import export, records

HEADER = ["Applicant", "Decided", "Group", "Result"]

#: (group, decisions, favourable): A 6/10, B 3/10, C 0/8, D 10/20, E 12/25.
GROUPS = [("A", 10, 6), ("B", 10, 3), ("C", 8, 0), ("D", 20, 10), ("E", 25, 12)]

#: Worked by hand. 73 decisions, 31 favourable: overall rate 31/73 (42.47%). The most selected group is A (6/10).
#: Ratios: D 0.5/0.6 = 5/6; E 0.48/0.6 = 4/5 exactly (not below); B 0.3/0.6 = 1/2; C 0.
#: Small (fewer than 5 favourable or unfavourable expected at 31/73): A and B (10 x 31/73 = 4.25), C (3.40);
#: D expects 8.49 and 11.51, E 10.62 and 14.38.
EXPECTED = [
    # group, decisions, favourable, rate, ratio, below 4/5, small
    ("A", 10, 6, Fraction(3, 5), Fraction(1), False, True),
    ("D", 20, 10, Fraction(1, 2), Fraction(5, 6), False, False),
    ("E", 25, 12, Fraction(12, 25), Fraction(4, 5), False, False),
    ("B", 10, 3, Fraction(3, 10), Fraction(1, 2), True, True),
    ("C", 8, 0, Fraction(0), Fraction(0), True, True),
]


def decision_rows() -> list[list[object]]:
    """The decisions, favourable ones spelled three ways, two rejections each way, and two rows to leave out."""
    rows: list[list[object]] = []
    for group, decisions, favourable in GROUPS:
        for n in range(decisions):
            outcome = ["Hired", "hired", " HIRED "][n % 3] if n < favourable else ["Rejected", "Withdrawn"][n % 2]
            rows.append([f"{group}-{n:03d}", "2026-03-01", group, outcome])
    rows.append(["X-001", "2026-03-02", "", "Hired"])
    rows.append(["X-002", "2026-03-02", "B", "  "])
    return rows


def write_decisions(path: Path, rows: list[list[object]] | None = None, header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(decision_rows() if rows is None else rows)
    return path


def table_of(figures: FairnessFigures) -> list[tuple[object, ...]]:
    return [
        (g.group, g.decisions, g.favourable, g.selection_rate, g.impact_ratio, g.below_four_fifths, g.small)
        for g in figures.groups
    ]


def test_the_figures_match_the_table_worked_by_hand(tmp_path: Path) -> None:
    path = write_decisions(tmp_path / "decisions.csv")
    figures = reperform(PopulationSource(path), "Group", "Result", ["hired"])
    assert table_of(figures) == EXPECTED
    assert figures.decisions == 73 and figures.left_out == 2
    assert figures.reference.group == "A"
    assert [g.group for g in figures.below_four_fifths] == ["B", "C"]
    assert figures.favourable == ("Hired",) and set(figures.outcomes) == {"Hired", "Rejected", "Withdrawn"}
    assert figures.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    small, left_out = figures.caveats
    assert small.startswith("Small groups (A, B, C): at the overall selection rate (42.47%)")
    assert left_out == "2 row(s) without a group or an outcome were left out."


def test_a_workbook_gives_the_same_figures(tmp_path: Path) -> None:
    path = tmp_path / "decisions.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Screening"
    sheet.append(HEADER)
    for row in decision_rows():
        sheet.append(row)
    book.save(path)
    figures = reperform(PopulationSource(path), "Group", "Result", ["HIRED"])
    assert table_of(figures) == EXPECTED and figures.sheet == "Screening"


def test_a_yes_no_outcome_needs_no_favourable_value(tmp_path: Path) -> None:
    rows = [[f"P{n}", "2026-01-01", "A" if n < 4 else "B", "Yes" if n in (0, 1, 4) else "no"] for n in range(8)]
    figures = reperform(PopulationSource(write_decisions(tmp_path / "yn.csv", rows)), "Group", "Result")
    assert [(g.group, g.decisions, g.favourable) for g in figures.groups] == [("A", 4, 2), ("B", 4, 1)]
    assert figures.groups[1].impact_ratio == Fraction(1, 2)
    assert figures.rule.startswith("No favourable outcome was named, so yes, y, true and 1 count as favourable")


@pytest.mark.parametrize(
    ("rows", "columns", "favourable", "message"),
    [
        (
            [["P1", "2026-01-01", "A", "Hired"], ["P2", "2026-01-01", "A", "Rejected"]],
            ("Group", "Result"),
            ["Hired"],
            "one.csv holds decisions for one group only ('A' in 'Group'); selection rates can only be compared "
            "between two or more groups.",
        ),
        (
            None,
            ("Gender", "Result"),
            ["Hired"],
            "one.csv has no column 'Gender' (it has Applicant, Decided, Group, Result).",
        ),
        (
            None,
            ("Group", "Outcome"),
            ["Hired"],
            "one.csv has no column 'Outcome' (it has Applicant, Decided, Group, Result).",
        ),
        (
            None,
            ("Group", "Result"),
            ["Offered"],
            "No decision in one.csv has the outcome 'Offered' (the outcomes are: Hired, Rejected, Withdrawn).",
        ),
        (
            None,
            ("Group", "Result"),
            [],
            "The outcomes in one.csv are not yes/no, true/false or 1/0 (Hired, Rejected, Withdrawn); "
            "name the favourable outcome.",
        ),
        (
            [["P1", "2026-01-01", "A", "Rejected"], ["P2", "2026-01-01", "B", "Rejected"]],
            ("Group", "Result"),
            ["Hired"],
            "No decision in one.csv has the outcome 'Hired' (the outcomes are: Rejected).",
        ),
        (
            [["P1", "2026-01-01", "A", "No"], ["P2", "2026-01-01", "B", "no"]],
            ("Group", "Result"),
            [],
            "No decision in one.csv is favourable, so there is no selection rate to compare the groups against.",
        ),
        (None, ("Group", "Group"), [], "The group and the outcome must be two different columns."),
    ],
)
def test_what_cannot_be_compared_is_refused_with_a_sentence(
    tmp_path: Path, rows: list[list[object]] | None, columns: tuple[str, str], favourable: list[str], message: str
) -> None:
    path = write_decisions(tmp_path / "one.csv", rows)
    with pytest.raises(FieldworkError) as refused:
        reperform(PopulationSource(path), *columns, favourable)
    assert refused.value.message == message


def fairness_test(db: EngagementFile) -> str:
    made = controls.create_control(db, ControlInput("Quarterly fairness review of the screening model"), ["A.5.4"])
    return testing.add_test(
        db, made.ref, TestPlan(TestKind.OPERATING, "Re-performed the review", (Method.REPERFORMANCE,))
    ).ref


def test_a_run_is_recorded_on_its_test(engagement: EngagementFile, tmp_path: Path) -> None:
    ref = fairness_test(engagement)
    path = write_decisions(tmp_path / "decisions.csv")
    result = run_fairness(engagement, ref, PopulationSource(path), "Group", "Result", ["Hired"])
    assert result.test_ref == ref and result.computed_by == "Test Auditor (TA)"
    entry = list_history(engagement, limit=1)[0]
    assert (entry.action, entry.item_type) == ("re-perform fairness review", "control_test")
    assert entry.item_id == str(testing.get_test(engagement, ref).id)
    assert entry.new_values is not None and entry.new_values["sha256"] == result.figures.sha256
    assert [g["group"] for g in entry.new_values["groups"]] == ["A", "D", "E", "B", "C"]  # type: ignore[index]


def test_an_unknown_test_is_refused_before_the_file_is_read(engagement: EngagementFile, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError) as refused:
        run_fairness(engagement, "C-404.T1", PopulationSource(tmp_path / "missing.csv"), "Group", "Result")
    assert refused.value.message == "There is no test C-404.T1 in this engagement."


def test_the_command_prints_the_table_and_json(
    engagement: EngagementFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = fairness_test(engagement)
    path = write_decisions(tmp_path / "decisions.csv")
    engagement.close()
    file = str(engagement.path)
    args = ["fairness", file, "--test", ref, "--decisions", str(path), "--group-column", "Group"]
    assert main([*args, "--outcome-column", "Result", "--favourable", "hired"]) == 0
    lines = capsys.readouterr().out.splitlines()
    table = lines[lines.index(next(line for line in lines if line.startswith("group"))) + 1 :][:5]
    assert [line.split()[0] for line in table] == ["A", "D", "E", "B", "C"]
    assert table[2].split()[1:] == ["25", "12", "48.00%", "0.800"]  # exactly four fifths: not flagged
    assert table[3].endswith("0.500  below 4/5, small") and table[4].endswith("0.000  below 4/5, small")
    assert main([*args, "--outcome-column", "Result", "--favourable", "hired", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["test"] == ref and document["reference_group"] == "A"
    assert [(g["group"], g["below_four_fifths"]) for g in document["groups"]][3:] == [("B", True), ("C", True)]
    assert main([*args, "--outcome-column", "Nope"]) == 2
    assert capsys.readouterr().err.strip() == (
        "fieldwork: decisions.csv has no column 'Nope' (it has Applicant, Decided, Group, Result)."
    )


# --- stored with the test ----------------------------------------------------------------------------------


def test_a_run_is_stored_with_its_test_and_read_back_exactly(engagement: EngagementFile, tmp_path: Path) -> None:
    ref = fairness_test(engagement)
    test_id = testing.get_test(engagement, ref).id
    first = run_fairness(
        engagement, ref, PopulationSource(write_decisions(tmp_path / "a.csv")), "Group", "Result", ["Hired"]
    )
    (stored,) = list_fairness_results(engagement, test_id)
    assert stored.result == first, "the figures come back exactly as computed (rates and ratios as fractions)"
    assert table_of(stored.result.figures) == EXPECTED
    rows = [row for row in decision_rows() if row[2] != "C"]
    second = run_fairness(
        engagement, ref, PopulationSource(write_decisions(tmp_path / "b.csv", rows)), "Group", "Result", ["Hired"]
    )
    runs = list_fairness_results(engagement, test_id)
    assert [r.result.figures.source_name for r in runs] == ["b.csv", "a.csv"] and runs[0].result == second
    delete_fairness_result(engagement, runs[0].id)
    assert [r.result for r in list_fairness_results(engagement, test_id)] == [first]
    testing.delete_test(engagement, test_id)
    with engagement.reading() as conn:
        assert read_fairness_results(conn) == []
    deleted = [e for e in list_history(engagement) if e.item_type == "fairness_result" and e.action == "delete"]
    assert len(deleted) == 2, "the run deleted by hand and the one that went with its test"


def test_the_workpapers_show_each_group_of_each_stored_run(demo: EngagementFile, tmp_path: Path) -> None:
    data, book = export(demo, tmp_path)
    sheet = records(book["Fairness re-performance"])
    shown = [
        (row["Test"].value, row["Group"].value, row["Decisions"].value, row["Impact ratio (to 3 decimals, cut)"].value)
        for row in sheet
    ]
    stored = [
        (r.result.test_ref, g.group, g.decisions, float(ratio_text(g.impact_ratio)))
        for r in data.fairness
        for g in r.result.figures.groups
    ]
    assert shown == stored and len(data.fairness) == 2, "the demo re-performed two categories of C-022.T2"
    assert {row["SHA-256"].value for row in sheet} == {
        e.sha256 for e in data.evidence if e.original_name == "2026 bias audit - Match Score scoring rates.csv"
    }, "the run names the very file in the evidence library"
    assert all(row["Below four fifths"].value == "No" for row in sheet), "as C-022.T2 concluded: no exceptions"
