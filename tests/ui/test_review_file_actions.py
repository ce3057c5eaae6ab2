"""Review from the File menu: who is working, finalizing (refused with each blocker, then a read-only file with its
banner), an addendum with its reason, review notes imported from a workbook a manager wrote in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from fieldwork.app.domain.records import ControlInput, TeamMember
from fieldwork.app.domain.vocabulary import Role
from fieldwork.app.profile import load_profile
from fieldwork.app.services import controls, workpapers
from fieldwork.app.services.engagement import add_team_member
from fieldwork.app.services.review_notes import clear, raise_note
from fieldwork.app.services.signables import OPINION_KEY, ItemType
from fieldwork.app.services.signoffs import SignRole, list_signoffs, sign
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.ui.context import Target
from fieldwork.ui.dialogs.finalize import FinalizeDialog
from fieldwork.ui.dialogs.profile import NOT_ON_TEAM, ProfileDialog
from fieldwork.ui.dialogs.review_note import NoteDialog
from fieldwork.ui.main_window import MainWindow
from fieldwork.ui.views.control import ControlView
from fieldwork.ui.views.control_matrix import ControlMatrixView
from fieldwork.ui.views.evidence import EvidenceView
from fieldwork.ui.views.soa import SoaView
from tests.conftest import Acting
from tests.test_review_import import _write_rows
from tests.ui.driving import open_page
from tests.xlsx_reading import export

OK = QDialogButtonBox.StandardButton.Ok


@pytest.fixture
def window(qtbot: QtBot, engagement: EngagementFile, acting: Acting) -> Iterator[MainWindow]:
    acting("Dana Reyes")
    main = MainWindow(synchronous=True)
    qtbot.addWidget(main)
    main.show()
    main.show_engagement(engagement)
    yield main
    main.close_engagement()


def sign_everything(db: EngagementFile, acting: Acting) -> None:
    """Every item prepared and reviewed; the completion workpapers taken out (completing them is not the subject)."""
    for paper in workpapers.list_workpapers(db):
        if paper.fields.completion_item:
            workpapers.delete_workpaper(db, paper.id)
    add_team_member(db, TeamMember("Quinn Reviewer", "QR", Role.QUALITY_REVIEWER))
    for kind in ItemType:
        for key in list_signoffs(db, kind):
            acting("Dana Reyes")
            sign(db, kind, key, SignRole.PREPARER)
            acting("Quinn Reviewer" if key == OPINION_KEY else "Sam Ortiz")
            sign(db, kind, key, SignRole.REVIEWER)
    acting("Dana Reyes")


def finalize_dialog(window: MainWindow) -> FinalizeDialog:
    window.review.finalize()
    dialog = window.review.dialog
    assert isinstance(dialog, FinalizeDialog) and dialog.isVisible()
    return dialog


def blockers(dialog: FinalizeDialog) -> list[tuple[str, list[str]]]:
    """What the dialog lists as stopping finalizing: each check's title and its problems."""
    groups = [dialog.blockers.topLevelItem(i) for i in range(dialog.blockers.topLevelItemCount())]
    return [(g.text(0), [g.child(j).text(0) for j in range(g.childCount())]) for g in groups]


def test_finalize_lists_what_stops_it_then_makes_the_file_read_only_until_an_addendum(
    window: MainWindow, engagement: EngagementFile, acting: Acting
) -> None:
    made = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    dialog = finalize_dialog(window)
    [group, completion] = blockers(dialog)
    assert group[0].endswith("sign-offs missing or stale") and completion[0].endswith("completion items not complete")
    assert "C-001: a preparer's sign-off missing" in group[1] and "A.2.2: a preparer's sign-off missing" in group[1]
    assert int(group[0].split()[0]) == len(group[1]), "each problem is listed, not only the first few"
    assert not dialog.buttons.button(OK).isEnabled()
    dialog.reject()

    sign_everything(engagement, acting)
    acting("Sam Ortiz")
    raise_note(engagement, ItemType.CONTROL, str(made.id), "Who approves removals?")
    acting("Dana Reyes")
    dialog = finalize_dialog(window)
    assert blockers(dialog) == [("1 review notes open", ["RN-001 on C-001: open"])]
    dialog.reject()
    acting("Sam Ortiz")
    clear(engagement, "RN-001")
    acting("Dana Reyes")

    dialog = finalize_dialog(window)
    assert blockers(dialog) == [] and dialog.buttons.button(OK).isEnabled()
    dialog.release.setDate(date(2027, 1, 15))
    assert "2027-03-16 (60 days after)" in dialog.dates.text()
    dialog.buttons.button(OK).click()
    assert dialog.result_finalized is not None and not dialog.isVisible()

    workspace = window.workspace
    assert workspace is not None and workspace.locked
    assert workspace.banner.isVisible() and "Finalized" in workspace.banner.text.text()
    assert "2027-03-16" in workspace.banner.text.text()
    view = open_page(workspace, Target("control", made.id), ControlView)
    assert view.title.isReadOnly() and not view.review.sign_preparer.isEnabled()
    assert view.review.history.isEnabled(), "reading its history stays"
    new_control = next(a for a in window.changing_actions if "New &control" in a.text())
    assert not new_control.isEnabled() and window.addendum_action.isEnabled()
    soa = open_page(workspace, Target("soa"), SoaView)
    included = soa.model.index(0, next(i for i, c in enumerate(soa.model.columns) if c.check is not None))
    assert not soa.model.flags(included) & Qt.ItemFlag.ItemIsUserCheckable, "a click would toggle it otherwise"
    library = open_page(workspace, Target("evidence"), EvidenceView)
    matrix = open_page(workspace, Target("matrix"), ControlMatrixView)
    assert not library.filter.isReadOnly() and library.unused_only.isEnabled(), "a finalized file is still searched"
    assert not matrix.filter.isReadOnly() and matrix.key_only.isEnabled() and matrix.status.isEnabled()

    window.review.open_addendum()
    addendum = window.review.dialog
    assert isinstance(addendum, NoteDialog)
    addendum.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert addendum.error.text() == "An addendum to a finalized engagement needs its reason."
    addendum.text.setPlainText("The client corrected the name of a service after release.")
    addendum.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert not addendum.isVisible()
    assert not workspace.locked and "Addendum AD-001 is open" in workspace.banner.text.text()
    assert soa.model.flags(included) & Qt.ItemFlag.ItemIsUserCheckable
    assert not view.title.isReadOnly() and new_control.isEnabled()


def test_review_notes_come_in_from_a_workbook_with_each_row_that_could_not_be_placed(
    window: MainWindow, engagement: EngagementFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    export(engagement, tmp_path)
    workbook = tmp_path / "workpapers.xlsx"
    _write_rows(
        workbook,
        [
            {"Item": "C-001", "Raised by": "SO", "Note text": "Attach the removal ticket."},
            {"Item": "C-404", "Raised by": "SO", "Note text": "Which control is this?"},
        ],
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(workbook), ""))
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: said.append(text))
    window.review.import_notes()
    [text] = said
    assert text.startswith("1 note(s) added, 0 cleared, 0 imported before, 1 row(s) could not be placed.")
    assert "Added: RN-001." in text
    assert "• row 3: no item of this engagement is 'C-404'" in text

    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: said.append(text))
    _write_rows(workbook, [{"Item": "C-404", "Raised by": "", "Note text": ""}])
    window.review.import_notes()
    assert said[-1].startswith("0 note(s) added, 0 cleared, 1 imported before")


@pytest.mark.asks_who
def test_someone_not_on_the_team_is_asked_who_they_are_and_the_profile_keeps_it(
    qtbot: QtBot, engagement: EngagementFile, acting: Acting
) -> None:
    acting("Test Auditor")
    main = MainWindow(synchronous=True)
    qtbot.addWidget(main)
    main.show()
    main.show_engagement(engagement)
    dialog = main.review.dialog
    assert isinstance(dialog, ProfileDialog) and dialog.isVisible()
    assert "names you Test Auditor (TA), who is not on this engagement's team" in dialog.intro.text()
    assert [dialog.member.itemText(i) for i in range(dialog.member.count())] == [
        "Dana Reyes (DR), senior",
        "Sam Ortiz (SO), manager",
        NOT_ON_TEAM,
    ]
    assert dialog.member.currentText() == NOT_ON_TEAM and dialog.name.isEnabled()
    assert main.acting.text().startswith("Not on this engagement's team"), "the status bar says who is acting"
    dialog.member.setCurrentIndex(1)
    assert (dialog.name.text(), dialog.initials.text(), dialog.name.isEnabled()) == ("Sam Ortiz", "SO", False)
    dialog.buttons.button(OK).click()
    assert (load_profile().name, load_profile().initials) == ("Sam Ortiz", "SO")
    assert main.acting.text() == "Acting as Sam Ortiz (SO, manager)"

    made = controls.create_control(engagement, ControlInput("Access review"), ["CC6.2"])
    assert main.workspace is not None
    view = open_page(main.workspace, Target("control", made.id), ControlView)
    view.review.sign_preparer.click()
    assert "SO" in view.review.preparer.text(), "signed as the member chosen"
    main.close_engagement()
    assert main.acting.text() == ""


@pytest.mark.asks_who
def test_someone_who_says_they_are_not_on_the_team_is_not_asked_again_for_that_engagement(
    qtbot: QtBot, engagement: EngagementFile, acting: Acting
) -> None:
    acting("Test Auditor")
    asked = []
    for _ in range(2):
        main = MainWindow(synchronous=True)
        qtbot.addWidget(main)
        main.show()
        main.show_engagement(engagement)
        dialog = main.review.dialog
        asked.append(isinstance(dialog, ProfileDialog) and dialog.isVisible())
        if isinstance(dialog, ProfileDialog):
            dialog.reject()  # goes on as someone not on the team
        main.close_engagement()
    assert asked == [True, False]
    assert load_profile().initials == "TA", "the profile is left as it was"
