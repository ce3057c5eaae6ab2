"""Review in the app: signing from an item's page, what is marked when a signed item changes, the changed-since-
review page, an item's history, review notes from raising to clearing."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from fieldwork.app.domain.judgements import ConclusionInput, CriterionConclusion, FindingInput, FindingKind
from fieldwork.app.domain.records import ControlInput, TestPlan
from fieldwork.app.domain.vocabulary import Method, TestKind
from fieldwork.app.services import controls, testing, workpapers
from fieldwork.app.services.conclusions import set_conclusion
from fieldwork.app.services.engagement import set_description_section
from fieldwork.app.services.findings import create_finding, update_finding
from fieldwork.app.services.review_notes import NoteStatus, list_notes
from fieldwork.app.services.signables import OPINION_KEY, ItemType
from fieldwork.app.services.signoffs import SignRole, list_signoffs, sign
from fieldwork.ui.context import Target
from fieldwork.ui.dialogs.item_history import ItemHistoryDialog
from fieldwork.ui.dialogs.review_note import NoteDialog
from fieldwork.ui.models.navigator import NODE_ROLE, STALE_MARK
from fieldwork.ui.review_strip import STALE_TEXT, ReviewStrip
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.views.changed import ChangedSinceReviewView
from fieldwork.ui.views.control import ControlView
from fieldwork.ui.views.control_test import ControlTestView
from fieldwork.ui.views.dashboard import DashboardView
from fieldwork.ui.views.findings import FindingsView
from fieldwork.ui.views.opinion import OpinionView
from fieldwork.ui.views.requirement import RequirementView
from fieldwork.ui.views.review_notes import FILTERS, ReviewNotesView
from fieldwork.ui.views.settings import SettingsView
from fieldwork.ui.views.soa import SoaView
from fieldwork.ui.views.workpaper import WorkpaperView
from fieldwork.ui.workspace import Workspace
from tests.conftest import Acting
from tests.ui.driving import open_page, write


def shown(strip: ReviewStrip) -> tuple[str, str, bool]:
    """What the strip says: the preparer's and the reviewer's sign-off, and whether it is marked changed."""
    return strip.preparer.text(), strip.reviewer.text(), strip.stale.isVisibleTo(strip)


def navigator_mark(workspace: Workspace, target: Target) -> str:
    """What the navigator's narrow third column says of an item (its conclusion; whether it changed after review)."""
    index = workspace._find(target)
    assert index.isValid() and index.data(NODE_ROLE).target == target
    return str(index.siblingAtColumn(2).data())


def save(dialog: NoteDialog, text: str) -> str:
    """Write the note and press Save; the refusal, if any (the dialog then stays open)."""
    dialog.text.setPlainText(text)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    return dialog.error.text() if dialog.isVisible() else ""


def test_signing_a_control_from_its_page_and_seeing_it_marked_when_it_changes(
    workspace: Workspace, acting: Acting
) -> None:
    db = workspace.ctx.db
    made = controls.create_control(db, ControlInput("Quarterly access review"), ["CC6.2"])
    acting("Dana Reyes")
    view = open_page(workspace, Target("control", made.id), ControlView)
    strip = view.review
    assert strip.isVisible() and shown(strip) == ("Preparer <b>—</b>", "Reviewer <b>—</b>", False)

    strip.sign_reviewer.click()
    assert strip.problem.text() == "C-001 has no preparer's sign-off yet: it is reviewed once prepared."
    strip.sign_preparer.click()
    assert strip.problem.text() == "" and "DR" in strip.preparer.text()
    assert strip.withdraw.isVisibleTo(strip) and strip.withdraw.text() == "Remove my preparer sign-off"
    strip.sign_reviewer.click()
    assert "another member takes the other role" in strip.problem.text()
    acting("Sam Ortiz")
    workspace.reload()
    assert not strip.withdraw.isVisibleTo(strip), "Sam signed nothing here"
    strip.sign_reviewer.click()
    assert "SO" in strip.reviewer.text() and not shown(strip)[2]
    assert navigator_mark(workspace, Target("control", made.id)) == "Open"

    acting("Dana Reyes")
    view.owner.setText("CISO")
    view.owner.flush()
    assert shown(strip)[2], "changed after review"
    assert "preparer's (DR" in strip.stale.toolTip() and "reviewer's (SO" in strip.stale.toolTip()
    assert navigator_mark(workspace, Target("control", made.id)) == f"{STALE_MARK}Open"
    workspace.filter.setText("changed after review")
    assert [n.target for n in workspace.model.root.descendants() if n.target and n.target.kind == "control"] == [
        Target("control", made.id)
    ]


def test_changed_since_review_lists_each_change_opens_the_item_and_empties_when_signed_again(
    workspace: Workspace, acting: Acting
) -> None:
    db = workspace.ctx.db
    acting("Dana Reyes")
    made = controls.create_control(db, ControlInput("Quarterly access review"), ["CC6.2"])
    set_description_section(db, "DC1", "Services provided.")
    for kind, key in ((ItemType.CONTROL, str(made.id)), (ItemType.DESCRIPTION, "DC1")):
        sign(db, kind, key, SignRole.PREPARER)
    controls.update_control(db, made.id, ControlInput("Quarterly access review", owner="CISO"))
    page = open_page(workspace, Target("changed"), ChangedSinceReviewView)
    assert [(c.state.item.ref, c.state.item.item_type) for c in page.items.rows] == [("C-001", ItemType.CONTROL)]
    assert [page.changes.data(page.changes.index(r, 2)) for r in range(page.changes.rowCount())] == [
        "control: owner: (empty) → CISO"
    ]
    assert "What changed in C-001" in page.changes_title.text()

    page.item_table.activated.emit(page.items.index(0, 0))
    assert workspace.current == Target("control", made.id)
    view = workspace.views["control"]
    assert isinstance(view, ControlView)
    view.review.sign_preparer.click()
    page = open_page(workspace, Target("changed"), ChangedSinceReviewView)
    assert page.items.rows == [] and page.summary.text() == "Nothing has changed since it was signed."


def test_an_items_history_is_one_click_from_its_page(workspace: Workspace, acting: Acting) -> None:
    db = workspace.ctx.db
    acting("Dana Reyes")
    made = controls.create_control(db, ControlInput("Access review"), ["CC6.2"])
    view = open_page(workspace, Target("control", made.id), ControlView)
    view.owner.setText("CISO")
    view.owner.flush()
    view.review.sign_preparer.click()
    view.review.history.click()
    dialog = view.review.dialog
    assert isinstance(dialog, ItemHistoryDialog) and dialog.isVisible()
    rows = [
        [dialog.entries.data(dialog.entries.index(r, c)) for c in range(3)] for r in range(dialog.entries.rowCount())
    ]
    assert [r[2] for r in rows[:2]] == ["signed as preparer", "control: owner: (empty) → CISO"]
    assert all(r[1] == "Dana Reyes (DR)" for r in rows[:2])
    assert rows[-1][2] == "control added: C-001"


def test_a_review_note_raised_on_a_page_answered_and_cleared_on_the_notes_page(
    workspace: Workspace, acting: Acting
) -> None:
    db = workspace.ctx.db
    made = controls.create_control(db, ControlInput("Access review"), ["CC6.2"])
    acting("Sam Ortiz")
    view = open_page(workspace, Target("control", made.id), ControlView)
    view.review.raise_note.click()
    dialog = view.review.dialog
    assert isinstance(dialog, NoteDialog)
    assert save(dialog, "  ") == "Write the review note."
    assert save(dialog, "Who approves removals?") == ""
    assert view.review.notes.text() == "<b>1 open review note</b>"
    dashboard = open_page(workspace, Target("dashboard"), DashboardView)
    assert dashboard.review.text().startswith("1 open review note ·")

    notes = open_page(workspace, Target("notes"), ReviewNotesView)
    notes.buttons[0].click()  # Raise a note..., naming the item
    assert isinstance(notes.dialog, NoteDialog)
    notes.dialog.item.setText("C-999")
    assert "no item 'C-999'" in save(notes.dialog, "Is this tested?")
    notes.dialog.item.setText("DC4")
    assert save(notes.dialog, "Describe the subservice organizations.") == ""
    assert [(n.ref, n.item_ref) for n in notes.model.rows] == [("RN-001", "C-001"), ("RN-002", "DC4")]

    acting("Dana Reyes")
    workspace.reload()
    notes.table.selectRow(0)
    notes.buttons[1].click()  # Respond...
    assert save(notes.dialog, "The CISO approves them.") == ""
    notes.table.selectRow(0)
    notes.buttons[2].click()  # Clear
    assert notes.problem.text() == "You answered RN-001; the reviewer clears it."
    acting("Sam Ortiz")
    workspace.reload()
    notes.table.selectRow(0)
    notes.buttons[2].click()
    assert {n.ref: n.status for n in list_notes(db)} == {"RN-001": NoteStatus.CLEARED, "RN-002": NoteStatus.OPEN}
    notes.filter.setCurrentText("Cleared")
    assert [n.ref for n in notes.model.rows] == ["RN-001"]
    assert "The CISO approves them. — Dana Reyes (DR)" in notes.model.data(notes.model.index(0, 4))
    notes.filter.setCurrentText(next(iter(FILTERS)))
    assert [n.ref for n in notes.model.rows] == ["RN-002"]
    notes.table.selectRow(0)
    notes.buttons[-1].click()  # Open the item
    assert workspace.current == Target("settings", "DC4")
    settings = workspace.views["settings"]
    assert isinstance(settings, SettingsView) and settings.description.code == "DC4"


def _strip(view: DetailView) -> ReviewStrip:
    found = view.findChildren(ReviewStrip)
    [visible] = [s for s in found if s.isVisibleTo(view)]
    return visible


def test_every_signable_page_carries_the_same_strip_for_its_item(workspace: Workspace, acting: Acting) -> None:
    db = workspace.ctx.db
    acting("Dana Reyes")
    made = controls.create_control(db, ControlInput("Change approval"), ["CC8.1", "8.1"])
    test = testing.add_test(db, made.ref, TestPlan(TestKind.DESIGN, "Inspected", (Method.INSPECTION,)))
    set_conclusion(db, "8.1", ConclusionInput(CriterionConclusion.NOT_MET, "No planning."))
    raised = create_finding(db, FindingInput(FindingKind.MINOR, "Changes not planned.", ("8.1",)))
    paper = workpapers.list_workpapers(db)[0]
    pages: list[tuple[Target, type[DetailView], ItemType, str]] = [
        (Target("control", made.id), ControlView, ItemType.CONTROL, str(made.id)),
        (Target("test", test.id), ControlTestView, ItemType.TEST, str(test.id)),
        (Target("requirement", "8.1"), RequirementView, ItemType.CONCLUSION, "8.1"),
        (Target("findings", raised.id), FindingsView, ItemType.FINDING, str(raised.id)),
        (Target("soa", "A.6.2.5"), SoaView, ItemType.SOA_LINE, "A.6.2.5"),
        (Target("settings", "DC3"), SettingsView, ItemType.DESCRIPTION, "DC3"),
        (Target("opinion"), OpinionView, ItemType.OPINION, OPINION_KEY),
        (Target("workpaper", paper.id), WorkpaperView, ItemType.WORKPAPER, str(paper.id)),
    ]
    for target, page, kind, key in pages:
        strip = _strip(open_page(workspace, target, page))
        assert strip.review is not None and (strip.review.item_type, strip.review.key) == (kind, key), target
        strip.sign_preparer.click()
        assert strip.problem.text() == "" and "DR" in strip.preparer.text(), target
        preparer = list_signoffs(db, kind, key)[key].preparer
        assert preparer is not None and preparer.initials == "DR"


def test_the_findings_register_marks_a_finding_changed_after_review(workspace: Workspace, acting: Acting) -> None:
    db = workspace.ctx.db
    acting("Dana Reyes")
    finding = FindingInput(FindingKind.MINOR, "Changes not planned.", ("8.1",))
    raised = create_finding(db, finding)
    sign(db, ItemType.FINDING, str(raised.id), SignRole.PREPARER)
    register = open_page(workspace, Target("findings"), FindingsView)
    assert STALE_TEXT not in register.model.data(register.model.index(0, 4))
    update_finding(db, raised.id, FindingInput(FindingKind.MINOR, "Changes were not planned.", ("8.1",)))
    workspace.reload()
    assert register.model.data(register.model.index(0, 4)).endswith(STALE_TEXT)
    register.table.selectRow(0)
    assert register.review.stale.isVisibleTo(register.review)


def test_requirement_with_a_stale_conclusion_is_marked_in_the_navigator(workspace: Workspace, acting: Acting) -> None:
    db = workspace.ctx.db
    acting("Dana Reyes")
    set_conclusion(db, "9.3", ConclusionInput(CriterionConclusion.NOT_MET, "No review."))
    sign(db, ItemType.CONCLUSION, "9.3", SignRole.PREPARER)
    view = open_page(workspace, Target("requirement", "9.3"), RequirementView)
    write(view.conclusion.basis, "No management review in the period.")
    assert view.conclusion.review.stale.isVisibleTo(view.conclusion.review)
    assert navigator_mark(workspace, Target("requirement", "9.3")) == f"{STALE_MARK}Not met"
