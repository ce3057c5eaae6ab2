"""Pages that showed something other than what is stored, found on a second reading."""

from __future__ import annotations

import pytest

from PySide6.QtWidgets import QMessageBox

from fieldwork.app.domain.records import ControlInput, TestPlan
from fieldwork.app.domain.sampling import SamplePlan
from fieldwork.app.domain.vocabulary import Frequency, Method, Nature, Selection, TestKind
from fieldwork.app.services import controls, testing
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.ui.context import Target
from fieldwork.ui.views.control import ControlView
from fieldwork.ui.views.control_test import ControlTestView
from fieldwork.ui.views.sampling_panel import describe_draw
from fieldwork.ui.workspace import Workspace


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    return shown


def open_test(workspace: Workspace, db: EngagementFile, seed: int | None = None) -> ControlTestView:
    made = controls.create_control(db, ControlInput("Change approval"), ["CC8.1"])
    plan = TestPlan(TestKind.OPERATING, "Inspected", (Method.INSPECTION,), selection=Selection.RANDOM, seed=seed)
    test = testing.add_test(db, made.ref, plan)
    workspace.open_target(Target("test", test.id))
    view = workspace.views["test"]
    assert isinstance(view, ControlTestView) and view.page is not None
    return view


def test_a_large_seed_is_shown_as_stored_and_kept_when_the_plan_changes(
    workspace: Workspace, engagement: EngagementFile
) -> None:
    """A seed drawn elsewhere can exceed a spin box's range: it was clamped (or crashed the page) and then rewritten."""
    view = open_test(workspace, engagement, seed=5_000_000_000)
    assert view.seed.text() == "5000000000"
    view.procedure.setPlainText("Inspected the approval of each sampled change.")
    view.procedure.flush()
    test = testing.get_test(engagement, view.page.test.id if view.page else 0)
    assert test.procedure.startswith("Inspected the approval") and test.seed == 5_000_000_000
    view.seed.setText("")
    view.seed.flush()
    assert testing.get_test(engagement, test.id).seed is None


def test_a_refused_plan_edit_puts_the_stored_plan_back(
    workspace: Workspace, engagement: EngagementFile, warnings: list[str]
) -> None:
    view = open_test(workspace, engagement)
    view.methods[Method.INQUIRY].setChecked(True)
    view.methods[Method.INSPECTION].setChecked(False)  # inquiry alone: refused
    assert view.methods[Method.INSPECTION].isChecked(), "the page shows what is stored, not the refused plan"
    assert warnings and "Inquiry alone" in warnings[-1]
    view.procedure.setPlainText("Inspected approvals.")
    view.procedure.flush()  # a later edit is saved, not refused again for the earlier one
    stored = testing.get_test(engagement, view.page.test.id if view.page else 0)
    assert stored.procedure == "Inspected approvals." and set(stored.methods) == {Method.INQUIRY, Method.INSPECTION}
    assert len(warnings) == 1


def test_a_refused_control_edit_puts_the_stored_control_back(
    workspace: Workspace, engagement: EngagementFile, warnings: list[str]
) -> None:
    made = controls.create_control(engagement, ControlInput("Access review", frequency=Frequency.QUARTERLY), ["CC6.2"])
    workspace.open_target(Target("control", made.id))
    view = workspace.views["control"]
    assert isinstance(view, ControlView)
    view.title.setText("   ")
    view.title.flush()
    assert view.title.text() == "Access review", "the page shows what is stored, not the refused title"
    assert warnings and "title" in warnings[-1]
    view.nature.load(Nature.AUTOMATED)
    view.save()
    assert controls.get_control(engagement, made.id).nature is Nature.AUTOMATED


def test_a_seed_of_zero_is_shown() -> None:
    plan = SamplePlan(1, "C-001.T1", Frequency.DAILY, Nature.MANUAL, None, None, 25, None, Selection.RANDOM, 0)
    assert "seed 0 " in describe_draw(plan, imported=True)
