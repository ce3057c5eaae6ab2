"""Sampling from the test page: import a population, draw a reproducible sample, extend it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from PySide6.QtWidgets import QFileDialog

from fieldwork.app.domain.records import ControlInput, TestPlan
from fieldwork.app.domain.vocabulary import Frequency, Method, Selection, TestKind
from fieldwork.app.errors import ValidationError
from fieldwork.app.services import controls, sampling, testing
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.ui.context import Target
from fieldwork.ui.dialogs.population_import import PopulationImportDialog
from fieldwork.ui.dialogs.select_sample import SelectSampleDialog, parse_rows
from fieldwork.ui.views.control_test import ControlTestView
from fieldwork.ui.workspace import Workspace


@pytest.fixture
def population_csv(tmp_path: Path) -> Path:
    path = tmp_path / "changes.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Change", "Merged on", "Author"])
        for n in range(1, 201):
            out.writerow([f"CHG-{n:04d}", f"2026-{(n % 12) + 1:02d}-{(n % 27) + 1:02d}", "dev"])
        out.writerow(["CHG-9999", "2025-06-30", "dev"])  # before the period: flagged, never drawn
    return path


def open_test(workspace: Workspace, db: EngagementFile) -> ControlTestView:
    made = controls.create_control(db, ControlInput("Change approval", frequency=Frequency.ON_OCCURRENCE), ["CC8.1"])
    test = testing.add_test(db, made.ref, TestPlan(TestKind.OPERATING, "Inspected", (Method.INSPECTION,)))
    workspace.open_target(Target("test", test.id))
    view = workspace.views["test"]
    assert isinstance(view, ControlTestView)
    return view


def test_import_select_and_extend_from_the_test_page(
    workspace: Workspace, engagement: EngagementFile, population_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_test(workspace, engagement)
    panel = view.sampling
    assert "No population imported" in panel.population.text() and not panel.select_button.isEnabled()

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(population_csv), ""))

    def confirm(dialog: PopulationImportDialog) -> int:
        assert dialog.shown is not None and dialog.shown.columns == ("Change", "Merged on", "Author")
        assert dialog.id_column.currentText() == "Change" and dialog.date_column.currentText() == "Merged on"
        return 1

    monkeypatch.setattr(PopulationImportDialog, "exec", confirm)
    panel.import_population()
    assert "201 items" in panel.population.text() and "1 dated outside the period" in panel.population.text()
    assert "Suggested: <b>30</b>" in panel.suggestion.text()
    assert not view.sizes_row.isVisible(), "with a population held, its size comes from the file"

    def draw(dialog: SelectSampleDialog) -> int:
        dialog.method.load(Selection.RANDOM)
        dialog.count.setValue(30)
        dialog.seed.setText("20260131")
        return 1

    monkeypatch.setattr(SelectSampleDialog, "exec", draw)
    panel.select(extending=False)
    items = testing.list_sample_items(engagement, view.page.test.id)  # type: ignore[union-attr]
    assert len(items) == 30 and view.items.rowCount() == 30
    assert "CHG-9999" not in {i.identifier for i in items}
    plan = sampling.get_plan(engagement, view.page.test.id)  # type: ignore[union-attr]
    assert plan.selection is Selection.RANDOM and plan.seed == 20260131
    assert "seed 20260131" in panel.draw.text() and panel.extend_button.isEnabled()

    def more(dialog: SelectSampleDialog) -> int:
        dialog.count.setValue(5)
        dialog.reason.setText("One deviation in the first 30")
        return 1

    monkeypatch.setattr(SelectSampleDialog, "exec", more)
    panel.select(extending=True)
    extended = testing.list_sample_items(engagement, view.page.test.id)  # type: ignore[union-attr]
    assert len(extended) == 35 and [i.identifier for i in extended[:30]] == [i.identifier for i in items]


def test_a_size_other_than_the_suggestion_needs_its_reason(
    workspace: Workspace, engagement: EngagementFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    view = open_test(workspace, engagement)
    view.population_size.setValue(140)
    view.save_plan()
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("", False))  # the auditor cancels
    view.sampling.record(12)
    assert testing.get_test(engagement, view.page.test.id).sample_size is None  # type: ignore[union-attr]
    assert view.sampling.count.value() == 0, "the screen shows what is recorded"


def test_row_numbers_are_read_strictly() -> None:
    assert parse_rows("3, 17 40-42") == [3, 17, 40, 41, 42]
    with pytest.raises(ValidationError, match="not a row number"):
        parse_rows("3, x")


def test_a_size_below_the_minimum_shows_the_range_and_asks_for_a_real_justification(
    workspace: Workspace, engagement: EngagementFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    view = open_test(workspace, engagement)
    view.population_size.setValue(140)
    view.save_plan()
    asked: list[str] = []
    answers = iter([("fine", True), ("Low risk; the control is automated and tested by IT general controls.", True)])

    def answer(_parent: object, _title: str, question: str, _text: str) -> tuple[str, bool]:
        asked.append(question)
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getMultiLineText", answer)
    view.sampling.record(5)
    assert asked[0].startswith("The methodology's range for this control is 20-40 (suggested 30).")
    assert "below its minimum" in asked[0]
    assert asked[1].endswith("“fine” is too short to tell a reviewer why.")
    test = testing.get_test(engagement, view.page.test.id)  # type: ignore[union-attr]
    assert test.sample_size == 5
    assert sampling.get_plan(engagement, test.id).override_reason.startswith("Low risk")  # type: ignore[union-attr]


def test_the_service_refuses_a_one_word_reason_below_the_minimum(engagement: EngagementFile) -> None:
    made = controls.create_control(engagement, ControlInput("Change approval"), ["CC8.1"])
    test = testing.add_test(engagement, made.ref, TestPlan(TestKind.OPERATING, "Inspected", (Method.INSPECTION,)))
    testing.update_plan(engagement, test.id, TestPlan(TestKind.OPERATING, "Inspected", (Method.INSPECTION,), "", 140))
    with pytest.raises(ValidationError, match=r"below the methodology's minimum of 20 \(range 20-40\)"):
        sampling.record_size(engagement, test.id, 5, reason="risk")
    sampling.record_size(engagement, test.id, 25, reason="risk")  # within the range, a short reason is the auditor's
    assert testing.get_test(engagement, test.id).sample_size == 25


def test_a_sample_drawn_outside_fieldwork_is_not_called_reproducible(
    demo_workspace: Workspace, demo: EngagementFile
) -> None:
    test = testing.get_test(demo, "C-001.T2")
    demo_workspace.open_target(Target("test", test.id))
    view = demo_workspace.views["test"]
    assert isinstance(view, ControlTestView)
    said = view.sampling.population.text() + " " + view.sampling.draw.text()
    assert "Population of 52 recorded on the plan" in said and "No population imported" not in said
    assert "drawn outside Fieldwork" in view.sampling.draw.text()
    assert "same items" not in said
