"""What the workspace does after an action: one `changed` with what changed, only the reads that show it, and no
finished operation kept. Measured on main before this was built, by this file's `Watched`: attaching one file ran 8
operations and 8 transactions in the demo's library, 8 and 8 on a control's page, and emitted `changed` twice; 200
reloads left 603 operations alive."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event

from PySide6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

from fieldwork.app.domain.changed import Changed
from fieldwork.app.domain.records import ControlInput
from fieldwork.app.services import controls
from fieldwork.app.services import evidence as ev
from fieldwork.app.services.soa import set_soa_line
from fieldwork.ui.context import Target
from fieldwork.ui.operations import Operation
from fieldwork.ui.views.control import ControlView
from fieldwork.ui.workspace import Workspace
from tests.evidence_helpers import make_items, write_file
from tests.ui.test_evidence_views import choose, click, library, receipts


class Watched:
    """The operations a workspace starts, the transactions its file opens and the `changed` it emits."""

    def __init__(self, workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
        self.operations: list[str] = []
        self.transactions = 0
        self.changed: list[Changed] = []
        runner = workspace.ctx.runner
        run = runner.run
        monkeypatch.setattr(runner, "run", lambda label, *a, **k: self.operations.append(label) or run(label, *a, **k))
        event.listen(workspace.db.engine, "begin", self._began)
        workspace.ctx.changed.connect(self.changed.append)

    def _began(self, _conn: object) -> None:
        self.transactions += 1


def test_attaching_one_file_in_the_library_reads_only_the_library_again(
    demo_workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = library(demo_workspace)
    choose(monkeypatch, write_file(tmp_path / "Okta users.csv", 3000))
    receipts(monkeypatch)
    watched = Watched(demo_workspace, monkeypatch)

    click(view, "Attach files...")

    assert "Okta users.csv" in {f.original_name for f in view.model.rows}
    [changed] = watched.changed
    assert changed.kinds == {"evidence"}
    assert watched.operations == ["Loading the PBC list", "Attaching 1 file", "Loading the evidence library"]
    assert watched.transactions == 3


def test_a_file_attached_to_a_control_refreshes_the_navigator_and_the_page(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    items = make_items(workspace.db)
    workspace.reload()
    workspace.open_target(Target("control", items.control.id))
    view = workspace.views["control"]
    assert isinstance(view, ControlView)
    receipts(monkeypatch)
    watched = Watched(workspace, monkeypatch)

    choose(monkeypatch, write_file(tmp_path / "review.xlsx", 5000))
    click(view, "Attach files...")

    [changed] = watched.changed
    assert "evidence_link" in changed.kinds, "a linked file is part of what a control's sign-off covers"
    assert "Loading the navigator" in watched.operations and len(watched.operations) <= 4
    assert [r.file.original_name for r in view.evidence.model.rows] == ["review.xlsx"]
    assert "Reading whether the engagement is finalized" not in watched.operations


def test_work_that_changes_nothing_refreshes_nothing(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    watched = Watched(workspace, monkeypatch)

    workspace.ctx.write("Nothing", lambda db: None)

    assert watched.changed == [] and watched.operations == ["Nothing"]


def test_finished_operations_are_freed(workspace: Workspace) -> None:
    for _ in range(200):
        workspace.reload()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    assert workspace.ctx.runner.findChildren(Operation) == []
    assert not workspace.ctx.runner.pending


def test_the_library_reloads_for_what_it_shows_only(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = make_items(workspace.db)
    ev.attach_files(workspace.db, [write_file(tmp_path / "review.xlsx", 500)], [items.control])
    view = library(workspace)
    watched = Watched(workspace, monkeypatch)

    workspace.ctx.write("Excluded A.10.3", lambda db: set_soa_line(db, "A.10.3", included=False,
                                                                  justification="No suppliers of AI.",
                                                                  implementation_status=None))  # fmt: skip
    assert [c.kinds for c in watched.changed] == [{"soa_line"}]
    assert "Loading the evidence library" not in watched.operations, "the library shows no SoA line"

    renamed = ControlInput("Quarterly user access review")
    workspace.ctx.write("Renamed C-001", lambda db: controls.update_control(db, items.control.id, renamed))
    assert "Loading the evidence library" in watched.operations
    view.table.selectRow(0)
    assert [u.label for u in view.uses.rows] == ["Quarterly user access review"]
