"""Review notes: every note on the engagement, by status; the preparer answers, the reviewer clears.

The service decides who may do what (a member of the team; the reviewer, not the one who answered, clears);
its refusal is said above the list. A note's item opens with Enter or a double-click.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from fieldwork.app.errors import FieldworkError
from fieldwork.app.pages.review import NotesPage, load_notes_page
from fieldwork.app.services import review_notes
from fieldwork.app.services.review_notes import NoteStatus, ReviewNote
from fieldwork.app.services.signables import item_target
from fieldwork.ui.context import UiContext
from fieldwork.ui.dialogs.review_note import NoteDialog, raising_on_named, responding_to
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.read_only import reads
from fieldwork.ui.tables import make_table, selected_rows
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.views.editing import problem_note
from fieldwork.ui.widgets import button_row, heading, note

#: The filter's choices: open (raised or answered), one status, or every note.
FILTERS: dict[str, frozenset[NoteStatus]] = {
    "Open (raised or answered)": frozenset({NoteStatus.OPEN, NoteStatus.ANSWERED}),
    "Raised, not answered": frozenset({NoteStatus.OPEN}),
    "Answered, awaiting the reviewer": frozenset({NoteStatus.ANSWERED}),
    "Cleared": frozenset({NoteStatus.CLEARED}),
    "All notes": frozenset(NoteStatus),
}


def _response(note: ReviewNote) -> str:
    return f"{note.response} — {note.responded_by}" if note.response else ""


def notes_columns() -> list[Column[ReviewNote]]:
    return [
        Column("Ref", lambda n: n.ref),
        Column("Item", lambda n: n.item_ref, tooltip=lambda n: n.item_type.label),
        Column("Note", lambda n: n.text, tooltip=lambda n: n.text),
        Column("Raised", lambda n: f"{n.raised_by}\n{n.raised_at[:10]}", width=170),
        Column("Response", _response, tooltip=_response, width=280),
        Column("Status", lambda n: n.status.label + (f" by {n.cleared_by}" if n.cleared_by else ""), width=170),
    ]


class ReviewNotesView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.page: NotesPage | None = None
        self.dialog: NoteDialog | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Review notes"))
        self.summary = note()
        self.filter = QComboBox()
        self.filter.addItems(list(FILTERS))
        reads(self.filter)
        self.filter.currentIndexChanged.connect(lambda _index: self._show_rows())
        shown = QLabel("&Show")
        shown.setBuddy(self.filter)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(shown)
        top.addWidget(self.filter)
        layout.addLayout(top)
        self.problem = problem_note()
        layout.addWidget(self.problem)
        self.model = RowTableModel[ReviewNote](notes_columns(), key=lambda n: n.ref)
        self.table = make_table(self.model, stretch=2, row_lines=3)
        self.table.activated.connect(lambda index: self.open_item(self.model.row(index)))
        layout.addWidget(self.table, 1)
        actions, self.buttons = button_row(
            [("&Raise a note…", self.raise_one), ("Res&pond…", self.respond), ("C&lear", self.clear)],
            trailing=[("&Open the item", self.open_selected)],
        )
        reads(self.buttons[-1])
        layout.addLayout(actions)

    def load(self) -> None:
        self.ctx.read("Loading the review notes", load_notes_page, self._show)

    def _show(self, page: NotesPage) -> None:
        self.page = page
        counts = page.counts()
        who = (
            f"You are {page.acting.name} ({page.acting.initials})."
            if page.acting
            else (
                "You are not on this engagement's team, so you can read the notes but not raise, answer or clear them."
            )
        )
        self.summary.setText(
            f"{counts[NoteStatus.OPEN]} raised and not answered, {counts[NoteStatus.ANSWERED]} answered and "
            f"awaiting the reviewer, {counts[NoteStatus.CLEARED]} cleared. {who}"
        )
        self._show_rows()

    def _show_rows(self) -> None:
        if self.page is None:
            return
        wanted = FILTERS[self.filter.currentText()]
        self.model.set_rows([n for n in self.page.notes if n.status in wanted])

    def _selected(self, doing: str = "") -> ReviewNote | None:
        """The note selected; without one, says to select the note `doing` needs."""
        rows = selected_rows(self.table)
        if not rows and doing:
            self.problem.setText(f"Select the note to {doing}.")
        return self.model.rows[rows[0]] if rows else None

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, FieldworkError):
            self.problem.setText(exc.message)

    def raise_one(self) -> None:
        self.dialog = NoteDialog(
            self.ctx, "Raise a review note", "&Note for the preparer", raising_on_named, ask_item=True, parent=self
        )
        self.dialog.open()

    def respond(self) -> None:
        chosen = self._selected("respond to")
        if chosen is None:
            return
        prompt = f"{chosen.ref} on {chosen.item_ref}: {chosen.text}\n\n&Your response"
        self.dialog = NoteDialog(self.ctx, f"Respond to {chosen.ref}", prompt, responding_to(chosen.ref), parent=self)
        self.dialog.text.setPlainText(chosen.response)
        self.dialog.open()

    def clear(self) -> None:
        chosen = self._selected("clear")
        if chosen is None:
            return
        ref = chosen.ref
        self.ctx.write(
            f"{ref} cleared",
            lambda db: review_notes.clear(db, ref),
            lambda _note: self.problem.setText(""),
            on_error=self._refused,
        )

    def open_selected(self) -> None:
        if chosen := self._selected():
            self.open_item(chosen)

    def open_item(self, found: ReviewNote) -> None:
        self.ctx.open(item_target(found.item_type, found.item_key))
