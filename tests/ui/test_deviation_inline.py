"""Marking a sample item as a deviation and describing it in the row; the deviation names its items; a test is
not concluded over untested items without a note that says why."""

from __future__ import annotations

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QMessageBox

from fieldwork.app.domain.records import ControlInput, SampleItemInput, TestPlan
from fieldwork.app.domain.vocabulary import Conclusion, Method, SampleResult, TestKind
from fieldwork.app.services import controls, deviations, testing
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.ui.context import Target
from fieldwork.ui.dialogs.deviation import DeviationDialog
from fieldwork.ui.views.control_test import DEVIATION_COLUMN, ControlTestView
from fieldwork.ui.workspace import Workspace
from tests.ui.driving import answering, choose

PLAN = TestPlan(TestKind.OPERATING, "Inspect each change ticket.", (Method.INSPECTION,))


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: said.append(text))
    return said


def open_new_test(workspace: Workspace, engagement: EngagementFile, items: int = 10) -> ControlTestView:
    made = controls.create_control(engagement, ControlInput("Change approval"), ["CC8.1"])
    test = testing.add_test(engagement, made.id, PLAN)
    testing.add_sample_items(engagement, test.id, [SampleItemInput(f"CHG-{n}") for n in range(1, items + 1)])
    workspace.open_target(Target("test", test.id))
    view = workspace.views["test"]
    assert isinstance(view, ControlTestView)
    return view


def test_picking_deviation_keeps_the_choice_and_opens_the_description_in_the_row(
    workspace: Workspace, engagement: EngagementFile, warnings: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_new_test(workspace, engagement)
    result = view.items.index(2, 3)
    view.items.setData(result, SampleResult.DEVIATION, Qt.ItemDataRole.EditRole)

    assert warnings == []  # no popup
    item = testing.list_sample_items(engagement, view.page.test.id)[2]  # type: ignore[union-attr]
    assert item.result is SampleResult.DEVIATION  # the choice is kept
    assert view.item_table.state() == QAbstractItemView.State.EditingState
    assert view.item_table.currentIndex().row() == 2 and view.item_table.currentIndex().column() == DEVIATION_COLUMN
    assert view.items.data(view.items.index(2, DEVIATION_COLUMN)) == "Describe the deviation here"
    assert "Describe the deviation in item #3" in view.conclusion_hint.text()

    view.items.setData(view.items.index(2, DEVIATION_COLUMN), "Approved after release", Qt.ItemDataRole.EditRole)
    assert testing.list_sample_items(engagement, item.test_id)[2].deviation_text == "Approved after release"

    def record(dialog: DeviationDialog) -> None:
        assert dialog.chosen_items() == (item.id,)  # the item marked is ticked already
        assert dialog.description.toPlainText() == "#3 CHG-3: Approved after release"

    answering(monkeypatch, DeviationDialog, record)
    view.add_deviation()
    (found,) = deviations.list_deviations(engagement, item.test_id)
    assert found.sample_items == ("#3",) and found.sample_item_ids == (item.id,)


def test_a_deviation_for_the_items_selected(
    workspace: Workspace, engagement: EngagementFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = open_new_test(workspace, engagement, items=4)
    view.item_table.selectRow(1)
    view.item_table.selectionModel().select(
        view.items.index(3, 0),
        view.item_table.selectionModel().SelectionFlag.Select | view.item_table.selectionModel().SelectionFlag.Rows,
    )
    answering(monkeypatch, DeviationDialog, lambda d: d.description.setPlainText("Two changes lacked approval."))
    view.record_deviation_for_selected()
    (found,) = deviations.list_deviations(engagement, view.page.test.id)  # type: ignore[union-attr]
    assert found.sample_items == ("#2", "#4")


def test_concluding_with_untested_items_needs_a_note_that_says_why(
    workspace: Workspace, engagement: EngagementFile, warnings: list[str]
) -> None:
    view = open_new_test(workspace, engagement)
    test_id = view.page.test.id  # type: ignore[union-attr]
    first = testing.list_sample_items(engagement, test_id)[0]
    testing.update_sample_item(
        engagement, first.id, SampleItemInput("CHG-1", result=SampleResult.DEVIATION, deviation_text="No approval")
    )
    view.load()
    assert view.conclusion_hint.text().startswith("9 of 10 item(s) have no result")

    choose(view.conclusion, Conclusion.EXCEPTIONS)
    assert warnings[-1].startswith("C-001.T1 has 9 of 10 sample item(s) without a result")
    assert testing.get_test(engagement, test_id).conclusion is None
    view.conclusion_note.setText("n/a")
    view.conclusion_note.flush()
    assert testing.get_test(engagement, test_id).conclusion is None

    view.conclusion_note.setText("The control failed on the first item; testing stopped as the failure is systemic.")
    view.conclusion_note.flush()
    choose(view.conclusion, Conclusion.EXCEPTIONS)
    assert testing.get_test(engagement, test_id).conclusion is Conclusion.EXCEPTIONS
