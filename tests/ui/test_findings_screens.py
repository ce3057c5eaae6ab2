"""The findings register in the app: raise a finding no test found, follow it through clause 10.2, its evidence."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.modeltest import ModelTester

from fieldwork.app.domain.judgements import FindingKind, FindingStatus
from fieldwork.app.services import evidence as ev
from fieldwork.app.services import findings
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.ui.context import Target
from fieldwork.ui.dialogs.finding import FindingDialog
from fieldwork.ui.evidence_actions import open_use
from fieldwork.ui.views.evidence import EvidenceView
from fieldwork.ui.views.findings import FindingsView
from fieldwork.ui.workspace import Workspace
from tests.evidence_helpers import write_file
from tests.ui.driving import choose, open_page
from tests.ui.test_evidence_views import click, receipts

STATEMENT = "Top management did not review the AI management system in the period."


def register(workspace: Workspace) -> FindingsView:
    return open_page(workspace, Target("findings"), FindingsView)


def open_dialog(view: FindingsView, button: str) -> FindingDialog:
    click(view, button)
    assert view.dialog is not None and view.dialog.isVisible()
    return view.dialog


def save(dialog: FindingDialog) -> str:
    """Press Save; the refusal, if any, as the dialog shows it (the dialog stays open)."""
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    return dialog.error.text() if dialog.isVisible() else ""


def stored(db: EngagementFile) -> findings.Finding:
    [found] = findings.list_findings(db)
    return found


def test_a_finding_with_no_deviation_moves_through_its_life_cycle(
    workspace: Workspace, qtmodeltester: ModelTester
) -> None:
    db = workspace.ctx.db
    view = register(workspace)
    dialog = open_dialog(view, "New finding...")
    qtmodeltester.check(dialog.requirements.items)
    qtmodeltester.check(dialog.requirements.shown)
    choose(dialog.kind, FindingKind.MAJOR)
    assert save(dialog) == "Write the finding's statement: what does not conform, and to what."
    dialog.statement.setPlainText(STATEMENT)
    assert save(dialog) == "Raise the finding against the requirement(s) it concerns."
    dialog.requirements.filter.setText("9.3")
    assert dialog.requirements.shown.rowCount() < len(dialog.requirements.refs()), "the list narrows as one types"
    dialog.requirements.tick("9.3")
    assert save(dialog) == "" and not dialog.isVisible()
    found = stored(db)
    assert (found.ref, found.kind, found.requirements, found.deviations) == ("F-001", FindingKind.MAJOR, ("9.3",), ())
    assert [r.finding.ref for r in view.model.rows] == ["F-001"]

    view.table.selectRow(0)
    dialog = open_dialog(view, "Edit...")
    assert not dialog.verified_by.isEnabled(), "nothing to verify before the action is implemented"
    choose(dialog.status, FindingStatus.ACTION_PLANNED)
    assert save(dialog) == (
        "A planned corrective action needs the root cause, the corrective action, its owner, a due date."
    )
    dialog.root_cause.setPlainText("Reviews were never put in the management calendar.")
    dialog.action.setPlainText("Quarterly management reviews scheduled for two years.")
    dialog.owner.setText("Chief AI Officer")
    dialog.due.is_set.setChecked(True)
    dialog.due.picker.load(date(2027, 1, 31))
    assert save(dialog) == ""
    assert (stored(db).status, stored(db).due_date) == (FindingStatus.ACTION_PLANNED, date(2027, 1, 31))

    dialog = open_dialog(view, "Edit...")
    choose(dialog.status, FindingStatus.VERIFIED)
    assert dialog.verified_by.isEnabled()
    assert save(dialog) == "Record who verified the corrective action was effective, when, and on what evidence."
    dialog.verified_by.setText("Sam Ortiz")
    dialog.verified_on.is_set.setChecked(True)
    dialog.verification.setPlainText("Minutes of the January review, with inputs and results.")
    assert save(dialog) == ""
    assert stored(db).status is FindingStatus.VERIFIED and stored(db).verified_by == "Sam Ortiz"

    dialog = open_dialog(view, "Edit...")
    choose(dialog.status, FindingStatus.CLOSED)
    assert save(dialog) == "" and stored(db).status is FindingStatus.CLOSED
    view.open_only.setChecked(True)
    assert view.model.rows == [], "a closed finding is not open"


def test_an_observation_is_open_or_closed_and_has_no_corrective_action(demo_workspace: Workspace) -> None:
    view = register(demo_workspace)
    view.table.selectRow(view.sorted.mapFromSource(view.model.index(view.model.row_of(_id(view, "F-004")), 0)).row())
    dialog = open_dialog(view, "Edit...")
    assert dialog.kind.value() is FindingKind.OFI
    offered = {s: dialog.status.model().item(i).isEnabled() for i, s in enumerate(dialog.status.members)}
    assert [s for s, on in offered.items() if on] == [FindingStatus.OPEN, FindingStatus.CLOSED]
    assert not dialog.action.isVisibleTo(dialog) and not dialog.verified_by.isVisibleTo(dialog)
    choose(dialog.kind, FindingKind.MINOR)
    assert dialog.action.isVisibleTo(dialog), "a nonconformity follows clause 10.2"
    assert all(dialog.status.model().item(i).isEnabled() for i in range(dialog.status.count()))
    dialog.reject()


def _id(view: FindingsView, ref: str) -> object:
    return next(r.finding.id for r in view.model.rows if r.finding.ref == ref)


def test_the_register_sorts_by_severity_flags_overdue_and_filters_open_ones(
    demo_workspace: Workspace, qtmodeltester: ModelTester
) -> None:
    view = register(demo_workspace)
    qtmodeltester.check(view.model)
    rows = view.model.rows
    overdue = {r.finding.ref for r in rows if r.overdue}
    due = view.model.columns.index(next(c for c in view.model.columns if c.title == "Due"))
    for row in rows:
        text = view.model.index(view.model.row_of(row.finding.id), due).data()
        assert text.endswith("overdue") == (row.finding.ref in overdue)
    view.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # Kind: most severe first
    kinds = [view.sorted.index(r, 1).data() for r in range(view.sorted.rowCount())]
    assert kinds[:2] == ["Major nonconformity"] * 2 and kinds[-1] == "Opportunity for improvement"
    view.open_only.setChecked(True)
    assert {r.finding.ref for r in view.model.rows} == {r.finding.ref for r in rows if r.finding.open}
    assert len(view.model.rows) < len(rows)


def test_evidence_attached_to_a_finding_is_listed_with_it_and_opens_it_from_the_library(
    demo_workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = demo_workspace.ctx.db
    view = register(demo_workspace)
    f007 = _id(view, "F-007")
    demo_workspace.open_target(Target("findings", f007))
    current = view._current()
    assert current is not None and current.finding.ref == "F-007"
    receipts(monkeypatch)
    view.evidence.attach([write_file(tmp_path / "agenda.pdf", 2048)])
    assert [row.file.original_name for row in view.evidence.model.rows] == ["agenda.pdf"]
    assert findings.get_finding(db, "F-007").evidence != ()
    [use] = ev.where_used(db, view.evidence.model.rows[0].file.id)
    assert use.ref == "F-007"
    demo_workspace.open_target(Target("evidence"))
    library = demo_workspace.views["evidence"]
    assert isinstance(library, EvidenceView)
    library.uses.set_rows([use])
    assert library.uses.index(0, 1).data() == "Finding"
    demo_workspace.open_target(Target("dashboard"))
    open_use(demo_workspace.ctx, use)
    current = view._current()
    assert demo_workspace.stack.currentWidget() is view and current is not None and current.finding.ref == "F-007"


def test_deleting_a_finding_asks_first(demo_workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    db = demo_workspace.ctx.db
    view = register(demo_workspace)
    view.table.selectRow(0)
    chosen = view._current()
    assert chosen is not None
    said: list[str] = []

    def answer(reply: QMessageBox.StandardButton) -> None:
        monkeypatch.setattr(QMessageBox, "exec", lambda box: said.append(box.informativeText()) or reply)

    answer(QMessageBox.StandardButton.Cancel)
    click(view, "Delete...")
    assert len(findings.list_findings(db)) == 7
    assert said[0].startswith("It also deletes:\n  •  ")  # its links, counted before anything goes
    answer(QMessageBox.StandardButton.Yes)
    click(view, "Delete...")
    assert chosen.finding.ref not in {f.ref for f in findings.list_findings(db)}
    assert len(view.model.rows) == 6
