"""The review strip every signable page carries: who prepared and reviewed the item and when, whether it changed
after review, its open review notes, and its history, one click away.

Signing goes through the service, which judges it (review after preparation, two members, the quality reviewer
for the opinion); its refusal is said in the strip, in its own words. The strip reads its item itself
(`load_item_review`), so a page only says which item it shows.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.errors import FieldworkError
from fieldwork.app.pages.review import ItemReview, load_item_review
from fieldwork.app.services.signables import ItemType
from fieldwork.app.services.signoffs import ItemSignOffs, SignOff, SignRole, sign, unsign
from fieldwork.ui.context import UiContext
from fieldwork.ui.dialogs.item_history import ItemHistoryDialog
from fieldwork.ui.dialogs.review_note import NoteDialog, raising_on
from fieldwork.ui.flow_row import FlowRow
from fieldwork.ui.read_only import reads
from fieldwork.ui.status_style import COLOURS
from fieldwork.ui.views.editing import problem_note

STALE_TEXT = "⚠ Changed after review"
NOT_SIGNED = "—"


def signed_text(found: SignOff | None) -> str:
    return NOT_SIGNED if found is None else f"{found.initials} {found.signed_at[:10]}"


def stale_detail(state: ItemSignOffs) -> str:
    stale = [s for s in (state.preparer, state.reviewer) if s is not None and s.stale]
    who = ", ".join(f"the {s.role.label.lower()}'s ({s.initials}, {s.signed_at[:10]})" for s in stale)
    return f"Changed since {who} sign-off: sign again once reviewed. Go > Changed since review lists what changed."


class ReviewStrip(QFrame):
    """One line under an item's title: sign-offs, the stale marker, sign buttons, notes and history."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.review: ItemReview | None = None
        self.ref = ""
        self.dialog: QWidget | None = None
        self.setObjectName("reviewStrip")
        self.setStyleSheet(
            "#reviewStrip { border-top: 1px solid palette(mid); border-bottom: 1px solid palette(mid); }"
        )
        self.preparer = QLabel()
        self.reviewer = QLabel()
        self.stale = QLabel(STALE_TEXT)
        self.stale.setStyleSheet(f"color: white; background: {COLOURS[Status.EXCEPTIONS]}; padding: 1px 6px;")
        self.sign_preparer = self._button("Sign as preparer", lambda: self.sign(SignRole.PREPARER))
        self.sign_reviewer = self._button("Sign as reviewer", lambda: self.sign(SignRole.REVIEWER))
        self.withdraw = self._button("Remove my sign-off", self.remove_own)
        self.notes = QLabel()
        self.raise_note = self._button("Raise review note…", self.raise_one)
        self.history = self._button("History…", self.show_history)
        reads(self.history)
        # Two short rows, so the strip fits beside the navigator at 1366 pixels: what is, then what can be done
        # (each wraps onto another line on half a screen).
        state = FlowRow()
        for widget in (self.preparer, self.reviewer, self.stale, self.notes):
            state.addWidget(widget)
            state.addSpacing(8)
        actions = FlowRow()
        for widget in (self.sign_preparer, self.sign_reviewer, self.withdraw):
            actions.addWidget(widget)
        actions.add_trailing(self.raise_note)
        actions.add_trailing(self.history)
        self.problem = problem_note()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 2)
        layout.setSpacing(2)
        layout.addLayout(state)
        layout.addLayout(actions)
        layout.addWidget(self.problem)
        self.hide()

    def _button(self, text: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(lambda _checked=False: slot())  # type: ignore[operator]
        return button

    # -- showing ---------------------------------------------------------------------------------------

    def show_item(self, item_type: ItemType, key: str) -> None:
        """Read the item's state of review and show it: for a page that shows one of several items (a register's
        selected row); a page about one item reads its review with the page and calls `show_review`."""
        self.ctx.read("Loading sign-offs", lambda db: load_item_review(db, item_type, key), self.show_review)

    def show_review(self, review: ItemReview) -> None:
        """Show an item's state of review (hidden while the item cannot be signed)."""
        if self.review is None or (self.review.item_type, self.review.key) != (review.item_type, review.key):
            self.problem.setText("")
        self._show(review)

    def clear(self) -> None:
        self.review = None
        self.hide()

    def _show(self, review: ItemReview) -> None:
        self.review = review
        state = review.state
        self.setVisible(state is not None)
        if state is None:
            return
        self.ref = state.item.ref
        self.preparer.setText(f"Preparer <b>{signed_text(state.preparer)}</b>")
        self.reviewer.setText(f"Reviewer <b>{signed_text(state.reviewer)}</b>")
        for label, found in ((self.preparer, state.preparer), (self.reviewer, state.reviewer)):
            label.setToolTip(f"{found.member}, {found.signed_at} UTC" if found else "Not signed")
        self.stale.setVisible(state.stale)
        self.stale.setToolTip(stale_detail(state) if state.stale else "")
        own = self._own_role()
        self.withdraw.setVisible(own is not None)
        self.withdraw.setText(f"Remove my {own.label.lower()} sign-off" if own else "")
        count = len(review.open_notes)
        plural = "s" if count != 1 else ""
        self.notes.setText(f"<b>{count} open review note{plural}</b>" if count else "No open review notes")
        self.notes.setToolTip("\n".join(f"{n.ref}: {n.text}" for n in review.open_notes))

    def _own_role(self) -> SignRole | None:
        """The role the member at the keyboard signed this item in (the reviewer's first: it is withdrawn first)."""
        if self.review is None or self.review.state is None or self.review.acting is None:
            return None
        state, me = self.review.state, self.review.acting
        for found in (state.reviewer, state.preparer):
            if found is not None and found.initials == me.initials:
                return found.role
        return None

    # -- acting ----------------------------------------------------------------------------------------

    def sign(self, role: SignRole) -> None:
        if self.review is None:
            return
        kind, key, ref = self.review.item_type, self.review.key, self.ref
        self.ctx.write(
            f"{ref} signed as {role.label.lower()}",
            lambda db: sign(db, kind, key, role),
            lambda _state: self.problem.setText(""),
            on_error=self._refused,
        )

    def remove_own(self) -> None:
        role = self._own_role()
        if self.review is None or role is None:
            return
        kind, key = self.review.item_type, self.review.key
        self.ctx.write(
            f"{self.ref}: {role.label.lower()} sign-off removed",
            lambda db: unsign(db, kind, key, role),
            on_error=self._refused,
        )

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, FieldworkError):
            self.problem.setText(exc.message)

    def raise_one(self) -> None:
        if self.review is None:
            return
        work = raising_on(self.review.item_type, self.review.key, self.ref)
        self.dialog = NoteDialog(self.ctx, f"Review note on {self.ref}", "&Note for the preparer", work, parent=self)
        self.dialog.open()

    def show_history(self) -> None:
        if self.review is None:
            return
        self.dialog = ItemHistoryDialog(self.ctx, self.review.item_type, self.review.key, self.ref, self)
        self.dialog.open()
