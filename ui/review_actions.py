"""The review actions of the File menu: who is working, finalizing and addenda, importing review notes.

Each works on the open workspace (`workspace()` gives it, or None with no engagement open) through its context,
so the work runs on the worker thread and every page refreshes after it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from fieldwork.app.domain.changed import EVERYTHING
from fieldwork.app.domain.refs import listed
from fieldwork.app.pages.review import WhoActs, load_who_acts
from fieldwork.app.profile import load_profile
from fieldwork.app.services.finalizing import open_addendum
from fieldwork.ui.dialogs.finalize import FinalizeDialog
from fieldwork.ui.dialogs.profile import WHO_INTRO, ProfileDialog, not_a_member_intro
from fieldwork.ui.dialogs.review_note import NoteDialog
from fieldwork.ui.settings import settings
from fieldwork.ui.workspace import Workspace

if TYPE_CHECKING:
    from fieldwork.app.services.review_import import ImportReport

#: How many refs an import report names before it counts the rest.
NAMED = 20


def import_report_text(report: ImportReport) -> str:
    """What the import did, and each row it could not place (with why), for the user to put right."""
    lines = [f"{report.summary.capitalize()}."]
    if report.added:
        lines.append(f"Added: {listed(report.added, NAMED)}.")
    if report.cleared:
        lines.append(f"Cleared: {listed(report.cleared, NAMED)}.")
    if report.already:
        lines.append(f"{report.already} row(s) were imported before and were skipped.")
    if report.unplaced:
        lines.append("Not placed, so not imported:")
        lines.extend(f"  • {row}" for row in report.unplaced)
    return "\n".join(lines)


#: Where the engagements this machine's profile was asked about are kept (the app's settings, never the file).
ASKED = "review/asked-not-on-team"


def _asked_key(who: WhoActs) -> str:
    return f"{who.engagement_id} {load_profile().initials.strip().upper()}"


def _asked() -> list[str]:
    value = settings().value(ASKED, [])
    return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []


def _remember_asked(who: WhoActs) -> None:
    store = settings()
    store.setValue(ASKED, [*_asked(), _asked_key(who)])
    store.sync()


class ReviewActions:
    def __init__(
        self, parent: QWidget, workspace: Callable[[], Workspace | None], shown: Callable[[WhoActs], None]
    ) -> None:
        self.parent = parent
        self.workspace = workspace
        #: Told who is acting whenever it is read (the status bar names them).
        self.shown = shown
        self.dialog: QWidget | None = None

    # -- who is working --------------------------------------------------------------------------------

    def who_am_i(self) -> None:
        if (found := self.workspace()) is not None:
            found.ctx.read("Reading the team", load_who_acts, lambda who: self._ask(who, WHO_INTRO))

    def check_member(self) -> None:
        """Ask who they are when the profile names nobody on the opened engagement's team."""
        if (found := self.workspace()) is not None:
            found.ctx.read("Reading the team", load_who_acts, self._confirm)

    def _confirm(self, who: WhoActs) -> None:
        """Asked once per engagement and profile: someone who said they are not on the team is not asked again."""
        self.shown(who)
        if who.acting is None and who.team and _asked_key(who) not in _asked():
            self._ask(who, not_a_member_intro(load_profile()))

    def _ask(self, who: WhoActs, intro: str) -> None:
        dialog = ProfileDialog(who.team, intro, self.parent)
        dialog.accepted.connect(self._chosen)
        dialog.finished.connect(lambda _result: _remember_asked(who))
        self.dialog = dialog
        dialog.open()

    def _chosen(self) -> None:
        if (found := self.workspace()) is not None:
            found.ctx.announce(EVERYTHING)  # sign-offs and notes now see the member chosen
            found.ctx.read("Reading the team", load_who_acts, self.shown)

    # -- finalizing ------------------------------------------------------------------------------------

    def finalize(self) -> None:
        if (found := self.workspace()) is not None:
            self.dialog = FinalizeDialog(found.ctx, self.parent)
            self.dialog.open()

    def open_addendum(self) -> None:
        found = self.workspace()
        if found is None:
            return
        self.dialog = NoteDialog(
            found.ctx,
            "Open an addendum",
            "&Why the finalized engagement must change (recorded with every change made under the addendum)",
            lambda _item, reason: ("Addendum opened", lambda db: open_addendum(db, reason)),
            parent=self.parent,
        )
        self.dialog.open()

    # -- review notes from a workbook ------------------------------------------------------------------

    def import_notes(self) -> None:
        found = self.workspace()
        if found is None:
            return
        chosen, _ = QFileDialog.getOpenFileName(
            self.parent, "Import review notes from workpapers", "", "Excel workbooks (*.xlsx);;All files (*)"
        )
        if chosen:
            from fieldwork.app.services.review_import import (
                import_review_notes,  # reads workbooks (XML): not at start-up
            )

            path = Path(chosen)
            found.ctx.long(
                f"Importing review notes from {path.name}",
                lambda db, task: import_review_notes(db, path),
                self._imported,
            )

    def _imported(self, report: ImportReport) -> None:
        show = QMessageBox.warning if report.unplaced else QMessageBox.information
        show(self.parent, "Review notes imported", import_report_text(report))
