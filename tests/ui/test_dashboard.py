"""The dashboard's open items say why a requirement is still open."""

from __future__ import annotations

from fieldwork.app.domain.records import ControlInput, TestPlan
from fieldwork.app.domain.vocabulary import Conclusion, Method, Status, TestKind
from fieldwork.app.services import controls, testing
from fieldwork.ui.context import Target
from fieldwork.ui.views.dashboard import DashboardView
from fieldwork.ui.workspace import Workspace


def test_a_type2_requirement_with_design_work_only_is_open_and_says_why(workspace: Workspace) -> None:
    db = workspace.ctx.db
    made = controls.create_control(db, ControlInput("Quarterly access review"), ["CC6.2"])
    test = testing.add_test(db, made.ref, TestPlan(TestKind.DESIGN, "Walked one review through.", (Method.INSPECTION,)))
    testing.conclude(db, test.id, Conclusion.NO_EXCEPTIONS)
    workspace.open_target(Target("dashboard"))
    view = workspace.views["dashboard"]
    assert isinstance(view, DashboardView)
    view.load()
    items = {item.code: item for item in view.open_items.rows}
    assert items["CC6.2"].status is Status.IN_PROGRESS
    assert items["CC6.2"].detail == (
        "1/1 tests concluded; 1 control(s) tested for design only, awaiting a test of operating effectiveness"
    )
