"""The main window: the start screen or an open engagement, with menus, shortcuts and the status bar."""

from __future__ import annotations

import gc
import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QStackedWidget, QStyle, QToolBar

from fieldwork.app import APP_NAME, __version__
from fieldwork.app.domain.vocabulary import TestKind
from fieldwork.app.engagement import OPENED_READ_ONLY, Engagement
from fieldwork.app.errors import FieldworkError
from fieldwork.app.exports.report.model import Audience, ReportOptions
from fieldwork.app.keychain import KeychainUnavailable, remember
from fieldwork.app.pages.review import acting_text
from fieldwork.app.services import controls as control_service
from fieldwork.app.services.backup import back_up, backup_target
from fieldwork.app.services.engagement import create_engagement, get_details
from fieldwork.app.services.security import change_passphrase, export_unencrypted_copy
from fieldwork.app.services.verify import Finding, verify
from fieldwork.app.tasks import Task
from fieldwork.ui.context import Page, Target
from fieldwork.ui.desktop import PRIVATE_COPIES, export_folder, offer_to_open
from fieldwork.ui.dialogs.new_engagement import NewEngagementWizard
from fieldwork.ui.dialogs.passphrase import ChangePassphrase
from fieldwork.ui.help import HelpWindow
from fieldwork.ui.opening import Opener
from fieldwork.ui.operations import Runner
from fieldwork.ui.review_actions import ReviewActions
from fieldwork.ui.settings import add_recent, settings
from fieldwork.ui.start_screen import StartScreen
from fieldwork.ui.undo_actions import UndoActions
from fieldwork.ui.workspace import Workspace

if TYPE_CHECKING:
    from fieldwork.app.exports.dataset import ReportData
    from fieldwork.app.services.roll_forward import RolledForward

log = logging.getLogger("fieldwork.ui")
#: The report's copies as the save dialog's file types offer them.
COPY_FILTERS = {
    Audience.INTERNAL: "Internal copy, with workpaper detail",
    Audience.CLIENT: "Client copy, the report only",
}


class MainWindow(QMainWindow):
    def __init__(self, synchronous: bool = False) -> None:
        super().__init__()
        self.runner = Runner(self, synchronous=synchronous)
        self.opener = Opener(self.runner, self)
        self.opener.opened.connect(self.show_engagement)
        self.db: Engagement | None = None
        self.client = ""
        self.workspace: Workspace | None = None
        self.acting = QLabel()
        self.acting.setContentsMargins(0, 0, 16, 0)  # apart from "All changes saved" beside it
        self.review = ReviewActions(self, lambda: self.workspace, lambda who: self.acting.setText(acting_text(who)))

        self.pages = QStackedWidget()
        self.start = StartScreen()
        self.start.new_requested.connect(self.new_engagement)
        self.start.open_requested.connect(self.choose_file)
        self.start.demo_requested.connect(self.opener.open_demo)
        self.start.recent_chosen.connect(self.opener.open_path)
        self.pages.addWidget(self.start)
        self.setCentralWidget(self.pages)

        self.state = QLabel()
        self.statusBar().addPermanentWidget(self.acting)
        self.statusBar().addPermanentWidget(self.state)
        self.runner.status_message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.runner.user_error.connect(self.show_user_error)
        self.runner.bug.connect(self.show_bug)
        self.runner.busy_changed.connect(self._busy)
        self._build_menus()
        self._update_title()
        self.resize(1280, 820)
        geometry = settings().value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)

    # -- menus and shortcuts -------------------------------------------------------------------------

    def _action(
        self,
        menu_name: str,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        engaged: bool = True,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        self.menus[menu_name].addAction(action)
        if engaged:
            self.engaged_actions.append(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menus = {name: bar.addMenu(name) for name in ("&File", "&Edit", "&Go", "&Help")}
        self.engaged_actions: list[QAction] = []
        a = self._action
        a("&File", "&New engagement...", self.new_engagement, QKeySequence.StandardKey.New, engaged=False)
        a("&File", "&Open...", self.choose_file, QKeySequence.StandardKey.Open, engaged=False)
        a("&File", "Open the &demo engagement", self.opener.open_demo, engaged=False)
        a("&File", "&Close engagement", self.close_engagement, QKeySequence.StandardKey.Close)
        self.menus["&File"].addSeparator()
        a("&File", "Export draft &report (PDF)...", self.export_pdf, "Ctrl+E")
        a("&File", "Export draft report (W&ord)...", self.export_docx)
        a("&File", "Export findin&gs report (PDF)...", self.export_findings_pdf)
        a("&File", "Export finding&s report (Word)...", self.export_findings_docx)
        a("&File", "Export &workpapers (Excel)...", self.export_xlsx, "Ctrl+Shift+E")
        a("&File", "Export re&view pack...", self.export_review_pack)
        a("&File", "&Back up...", self.back_up)
        a("&File", "Export control &matrix (Excel)...", self.export_matrix)
        a("&File", "&Import control matrix...", self.import_matrix)
        a("&File", "Roll &forward to the next period...", self.roll_forward)
        a("&File", "Export &unencrypted copy...", self.export_plain)
        a("&File", "Change &passphrase...", self.change_passphrase)
        a("&File", "&Verify engagement file", self.verify_file)
        self.menus["&File"].addSeparator()
        self.changing_actions = [
            a("&File", "Import review &notes...", self.review.import_notes),
            a("&File", "Finali&ze...", self.review.finalize),
        ]
        self.addendum_action = a("&File", "Open a&ddendum...", self.review.open_addendum)
        a("&File", "Who I a&m...", self.review.who_am_i)
        self.menus["&File"].addSeparator()
        a("&File", "&Quit", self.close, QKeySequence.StandardKey.Quit, engaged=False)

        self.undo_actions = UndoActions(self)
        for action in (self.undo_actions.undo, self.undo_actions.redo):
            self.menus["&Edit"].addAction(action)
        self.menus["&Edit"].addSeparator()
        self.changing_actions += [
            a("&Edit", "New &control...", self.new_control, "Ctrl+Shift+N"),
            a("&Edit", "New &test for this control...", self.new_test, "Ctrl+T"),
        ]

        a("&Go", "&Dashboard", lambda: self._go(Target(Page.DASHBOARD)), "Ctrl+1")
        a("&Go", "Control &matrix", lambda: self._go(Target(Page.MATRIX)), "Ctrl+M")
        a("&Go", "&Statement of Applicability", lambda: self._go(Target(Page.SOA)), "Ctrl+2")
        a("&Go", "&Evidence library", lambda: self._go(Target(Page.EVIDENCE)), "Ctrl+3")
        a("&Go", "&PBC requests", lambda: self._go(Target(Page.PBC)), "Ctrl+4")
        a("&Go", "F&indings register", lambda: self._go(Target(Page.FINDINGS)), "Ctrl+5")
        a("&Go", "&Opinion worksheet", lambda: self._go(Target(Page.OPINION)), "Ctrl+6")
        a("&Go", "Re&view notes", lambda: self._go(Target(Page.NOTES)), "Ctrl+7")
        a("&Go", "&Changed since review", lambda: self._go(Target(Page.CHANGED)), "Ctrl+8")
        a("&Go", "Engagement se&ttings", lambda: self._go(Target(Page.SETTINGS)), "Ctrl+,")
        self.menus["&Go"].addSeparator()
        self.back = a("&Go", "&Back", lambda: self._workspace_do(lambda w: w.go(-1)), "Alt+Left")
        self.forward = a("&Go", "Fo&rward", lambda: self._workspace_do(lambda w: w.go(1)), "Alt+Right")
        a("&Go", "&Next requirement", lambda: self._workspace_do(lambda w: w.step_requirement(1)), "Alt+Down")
        a("&Go", "&Previous requirement", lambda: self._workspace_do(lambda w: w.step_requirement(-1)), "Alt+Up")
        find = QKeySequence.StandardKey.Find
        a("&Go", "&Filter the navigator", lambda: self._workspace_do(Workspace.focus_filter), find)

        a("&Help", "Fieldwork &help", self.show_help, QKeySequence.StandardKey.HelpContents, engaged=False)
        a("&Help", "&About Fieldwork", self.about, engaged=False)
        self._build_toolbar()
        self._enable_engaged(False)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Navigation")
        bar.setObjectName("navigation")
        bar.setMovable(False)
        style = self.style()
        self.back.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.forward.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
        self.back.setToolTip("Back to the page visited before (Alt+Left)")
        self.forward.setToolTip("Forward again (Alt+Right)")
        bar.addAction(self.back)
        bar.addAction(self.forward)
        self.addToolBar(bar)
        self.navigation = bar

    def _moved(self) -> None:
        """Back and Forward are offered only where there is somewhere to go."""
        visits = self.workspace.visits if self.workspace is not None else None
        self.back.setEnabled(visits is not None and visits.can_go(-1))
        self.forward.setEnabled(visits is not None and visits.can_go(1))

    def _enable_engaged(self, enabled: bool) -> None:
        for action in self.engaged_actions:
            action.setEnabled(enabled)
        self.navigation.setVisible(enabled)  # nothing to go back to on the start screen
        self._moved()
        self.addendum_action.setEnabled(False)

    def _locked(self, locked: bool) -> None:
        """A finalized engagement offers no changes, only an addendum."""
        for action in self.changing_actions:
            action.setEnabled(not locked)
        self.addendum_action.setEnabled(locked)

    def _go(self, target: Target) -> None:
        if self.workspace is not None:
            self.workspace.open_target(target)

    def _workspace_do(self, act: Callable[[Workspace], None]) -> None:
        if self.workspace is not None:
            act(self.workspace)

    # -- state ------------------------------------------------------------------------------------

    def _busy(self, busy: bool) -> None:
        saved = "Read-only: nothing can be changed" if self.db and self.db.read_only else "All changes saved"
        self.state.setText("Saving..." if busy else (saved if self.db else ""))
        self._update_title()

    def _update_title(self) -> None:
        if self.db is None:
            self.setWindowTitle(APP_NAME)
            return
        kind = "encrypted" if self.db.encrypted else "UNENCRYPTED"
        kind += ", read-only" if self.db.read_only else ""
        state = " (saving...)" if self.runner.pending else ""
        self.setWindowTitle(f"{self.client} — {self.db.path.name} ({kind}){state} — {APP_NAME}")

    def show_user_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)
        QMessageBox.warning(self, APP_NAME, message)

    def show_bug(self, exc: BaseException) -> None:
        details = "".join(traceback.format_exception(exc))
        box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, "Something went wrong inside Fieldwork.", parent=self)
        box.setInformativeText(
            "Your saved work is safe: each change is committed as it is made. The details have been logged."
        )
        box.setDetailedText(details)
        box.exec()

    # -- engagements ----------------------------------------------------------------------------------

    def show_engagement(self, db: Engagement) -> None:
        self.close_engagement()
        self.db = db
        details = get_details(db)
        self.client = details.client
        self.workspace = Workspace(db, self.runner)
        self.workspace.ctx.changed.connect(self._update_title)
        self.workspace.locked_changed.connect(self._locked)
        self.undo_actions.attach(self.workspace)
        self.workspace.moved.connect(self._moved)
        self.pages.addWidget(self.workspace)
        self.pages.setCurrentWidget(self.workspace)
        self._enable_engaged(True)
        add_recent(db.path, f"{details.client} · {details.report_type.label} · {details.period_label}")
        self._busy(False)
        # What is loaded now lives as long as the window: keep the cycle collector from
        # walking it on every full pass (each pass would stall the screen ~100 ms+).
        gc.freeze()
        self.statusBar().showMessage(opened_message(db), 10000)
        self.review.check_member()

    def close_engagement(self) -> None:
        if self.workspace is not None:
            self.workspace.flush()
            self.runner.wait()
            self.pages.removeWidget(self.workspace)
            self.workspace.deleteLater()
            self.workspace = None
            self.undo_actions.attach(None)
        if self.db is not None:
            self.db.close()
            self.db = None
        PRIVATE_COPIES.discard_all()  # evidence opened from this engagement must not outlive it on disk
        self._enable_engaged(False)
        self.state.clear()  # "All changes saved" speaks of an open file only, as does "Opened ..."
        self.acting.clear()
        self.statusBar().clearMessage()
        self.start.refresh()
        self.pages.setCurrentWidget(self.start)
        self._update_title()

    def choose_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Open engagement", "", "Engagements (*.fieldwork);;All files (*)")
        if chosen:
            self.opener.open_path(Path(chosen))

    def new_engagement(self) -> None:
        wizard = NewEngagementWizard(self)
        if wizard.exec():
            self.create_from(wizard)

    def create_from(self, wizard: NewEngagementWizard) -> None:
        """Create the file the finished wizard describes (key derivation runs off the GUI thread)."""
        if wizard.details is None or wizard.path is None:
            return
        details, team, passphrase, path = wizard.details, wizard.team, wizard.passphrase, wizard.path
        keep = wizard.remember

        def work(task: object) -> Engagement:
            db, _warnings = create_engagement(path, details, team, passphrase)
            if passphrase is not None and keep:
                try:
                    remember(path, passphrase)
                except KeychainUnavailable as exc:
                    log.info("keychain unavailable: %s", exc.message)
            return db

        self.runner.run(f"Creating {path.name}", work, self.show_engagement, progress=True)

    # -- edit -----------------------------------------------------------------------------------------

    def new_control(self) -> None:
        """Describe a new control in a form; it is saved, linked to the requirement open, only on Save."""
        if self.workspace is None:
            return
        current = self.workspace.current
        codes = [str(current.key)] if current is not None and current.kind is Page.REQUIREMENT else []
        from fieldwork.ui.dialogs.new_control import (
            NewControlDialog,  # menu actions' forms load when used, not at start-up
        )

        dialog = NewControlDialog(", ".join(codes), self)
        if not dialog.exec():
            return
        values = dialog.values()
        self.workspace.ctx.write(
            "New control",
            lambda db: control_service.create_control(db, values, codes),
            lambda made: self._go(Target(Page.CONTROL, made.id)),
        )

    def new_test(self) -> None:
        if self.workspace is None:
            return
        view = self.workspace.view_for(Page.CONTROL)
        current = self.workspace.current
        if current is None or current.kind is not Page.CONTROL or view is None:
            self.statusBar().showMessage("Open a control first: a test belongs to a control.", 6000)
            return
        view.new_test(TestKind.OPERATING)  # type: ignore[attr-defined]

    # -- file actions ---------------------------------------------------------------------------------

    def _target(self, title: str, suffix: str, copies: bool = False, named: str = "") -> tuple[Path, Audience] | None:
        """The file to write, proposed in the export folder under the engagement's name with `named` after it.
        `copies`: the file types offered are the report's internal and client copies (the internal one first: the
        default for drafts)."""
        if self.workspace is None or self.db is None:
            return None
        default = str(export_folder(self.db.path) / f"{self.db.path.stem}{named}{suffix}")
        offered = {f"{COPY_FILTERS[a]} (*{suffix})": a for a in Audience} if copies else {f"*{suffix}": None}
        chosen, selected = QFileDialog.getSaveFileName(self, title, default, ";;".join(offered))
        return (Path(chosen), offered.get(selected) or Audience.INTERNAL) if chosen else None

    def _export(self, title: str, target: Path, write: Callable[[ReportData, Task], None]) -> None:
        if self.workspace is None:
            return

        def work(db: Engagement, task: Task) -> Path:
            from fieldwork.app.exports.dataset import gather

            write(gather(db), task)
            return target

        self.workspace.ctx.long(title, work, lambda written: offer_to_open(self, written))

    def _export_report(
        self, title: str, suffix: str, write: Callable[[ReportData, Path, Task, ReportOptions], None], named: str = ""
    ) -> None:
        chosen = self._target(title, suffix, copies=True, named=named)
        if chosen is not None:
            target, audience = chosen
            self._export(title, target, lambda data, task: write(data, target, task, ReportOptions(audience)))

    def export_pdf(self) -> None:
        from fieldwork.app.exports.pdf_report import write_report

        self._export_report("Export draft report", ".pdf", write_report)

    def export_docx(self) -> None:
        from fieldwork.app.exports.docx_report import write_docx

        self._export_report("Export draft report for Word", ".docx", write_docx)

    def export_findings_pdf(self) -> None:
        from fieldwork.app.exports.pdf_report import write_findings_pdf

        self._export_report("Export findings report", ".pdf", write_findings_pdf, named=" findings")

    def export_findings_docx(self) -> None:
        from fieldwork.app.exports.docx_report import write_findings_docx

        self._export_report("Export findings report for Word", ".docx", write_findings_docx, named=" findings")

    def export_xlsx(self) -> None:
        from fieldwork.app.exports.workbook import write_workbook

        chosen = self._target("Export workpapers", ".xlsx")
        if chosen is not None:
            target, _audience = chosen
            self._export("Export workpapers", target, lambda data, task: write_workbook(data, target, task))

    def export_review_pack(self) -> None:
        if self.workspace is None or self.db is None:
            return
        from fieldwork.app.exports.review_pack import write_review_pack
        from fieldwork.ui.dialogs.review_pack import ReviewPackDialog

        dialog = ReviewPackDialog(self.db.path.with_name(f"{self.db.path.stem} review pack"), self)
        if not dialog.exec():
            return
        target, options = dialog.target, dialog.options
        self.workspace.ctx.long(
            "Writing the review pack",
            lambda db, task: write_review_pack(db, target, task, options),
            lambda written: offer_to_open(self, written.workbook),
        )

    def back_up(self) -> None:
        if self.workspace is None or self.db is None:
            return
        default = str(backup_target(self.db, export_folder(self.db.path)))
        chosen, _ = QFileDialog.getSaveFileName(self, "Back up the engagement", default, "*.fieldwork")
        if chosen:
            target = Path(chosen)
            self.workspace.ctx.long(
                "Backing up the engagement",
                lambda db, task: back_up(db, target),
                lambda written: self.statusBar().showMessage(f"Backed up to {written}", 10000),
            )

    def export_matrix(self) -> None:
        from fieldwork.app.exports.control_matrix import write_control_matrix

        chosen = self._target("Export control matrix", ".xlsx")
        if chosen is None or self.workspace is None:
            return
        target, _audience = chosen

        def work(db: Engagement, task: Task) -> Path:
            write_control_matrix(db, target, task)
            return target

        self.workspace.ctx.long("Export control matrix", work, lambda written: offer_to_open(self, written))

    def import_matrix(self) -> None:
        from fieldwork.ui.dialogs.matrix_import import MatrixImportDialog

        if self.workspace is None:
            return
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Import control matrix", "", "Control matrix (*.xlsx *.xlsm *.csv);;All files (*)"
        )
        if not chosen:
            return
        dialog = MatrixImportDialog(Path(chosen), self.workspace.ctx, self)
        if dialog.exec() and dialog.outcome is not None:
            self.statusBar().showMessage(f"Imported the control matrix: {dialog.outcome.summary}.", 10000)

    def roll_forward(self) -> None:
        """Next period's engagement from this one, written off the GUI thread (progress, Cancel); offered to open."""
        from fieldwork.app.opening import open_as_source
        from fieldwork.app.services.roll_forward import roll_forward
        from fieldwork.ui.dialogs.roll_forward import RollForwardDialog

        if self.db is None:
            return
        dialog = RollForwardDialog(self.db.path, self.db.encrypted, get_details(self.db), self)
        if not dialog.exec() or dialog.choice is None:
            return
        source, key, choice = self.db.path, self.db.passphrase, dialog.choice

        def work(task: Task) -> tuple[Engagement, RolledForward]:
            with open_as_source(source, key) as old:
                passphrase = choice.passphrase or key
                made = roll_forward(old, choice.path, choice.period, passphrase, with_evidence=choice.with_evidence,
                                    task=task)  # fmt: skip
            if passphrase is not None and choice.remember:
                try:
                    remember(choice.path, passphrase)
                except KeychainUnavailable as exc:
                    log.info("keychain unavailable: %s", exc.message)
            return made

        self.runner.run(f"Rolling {source.name} forward", work, self._rolled, progress=True)

    def _rolled(self, result: tuple[Engagement, RolledForward]) -> None:
        db, done = result
        copied = ", ".join(f"{count} {noun}" for noun, count in done.copied.items() if count)
        left = "".join(f"\nLeft out: {reason}." for reason in done.left_out)
        answer = QMessageBox.question(
            self,
            "Rolled forward",
            f"Wrote {done.path.name}.\nCopied: {copied}.{left}\n\nOpen it now?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.show_engagement(db)
        else:
            db.close()

    def export_plain(self) -> None:
        if self.workspace is None or self.db is None:
            return
        warning = QMessageBox.warning(
            self,
            "Unencrypted copy",
            "The copy will NOT be encrypted: anyone who has it can read the client's data. "
            "Make one only for an archive that requires it. The engagement's history will record it.",
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
        )
        if warning != QMessageBox.StandardButton.Ok:
            return
        default = str(export_folder(self.db.path) / (self.db.path.stem + " (unencrypted).fieldwork"))
        chosen, _ = QFileDialog.getSaveFileName(self, "Unencrypted copy", default, "*.fieldwork")
        if chosen:
            target = Path(chosen)
            self.workspace.ctx.long(
                "Writing an unencrypted copy", lambda db, task: export_unencrypted_copy(db, target), lambda _: None
            )

    def change_passphrase(self) -> None:
        if self.db is None:
            return
        dialog = ChangePassphrase(self.db.encrypted, self)
        if not dialog.exec():
            return
        db, new, keep = self.db, dialog.passphrase, dialog.remember.isChecked()
        self.db = None  # the workspace goes, the file stays open: its writer lock is held through the re-key
        self.close_engagement()  # nothing more can be queued on the file while it is re-encrypted
        self.runner.run(
            "Re-encrypting the engagement",
            lambda task: change_passphrase(db, new, remember_it=keep),
            self._rekeyed,
            progress=True,
            on_error=lambda exc: self._rekey_failed(db, exc),
        )

    def _rekey_failed(self, db: Engagement, exc: BaseException) -> None:
        """The file is as it was (re-keying replaces it only when complete): reopen it and say why."""
        self.show_engagement(db)
        message = exc.message if isinstance(exc, FieldworkError) else f"The passphrase was not changed ({exc})."
        QMessageBox.warning(self, APP_NAME, message)

    def _rekeyed(self, result: tuple[Engagement, str | None]) -> None:
        db, warning = result
        self.show_engagement(db)
        QMessageBox.information(
            self, APP_NAME, "The passphrase has been changed." + (f"\n{warning}" if warning else "")
        )

    def verify_file(self) -> None:
        if self.workspace is None:
            return

        def show(findings: list[Finding]) -> None:
            failed = [f for f in findings if not f.ok]
            lines = "\n".join(f"{'✓' if f.ok else '✗'} {f.check}: {f.detail}" for f in findings)
            title = "All checks passed" if not failed else f"{len(failed)} check(s) failed"
            (QMessageBox.information if not failed else QMessageBox.warning)(self, title, lines)

        self.workspace.ctx.long("Verifying the engagement file", lambda db, task: verify(db, task), show)

    def show_help(self) -> None:
        HelpWindow(self.menuBar(), self).show()

    def about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"{APP_NAME} {__version__}\nAudit fieldwork for combined SOC 2 + ISO/IEC 42001 examinations.",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_engagement()
        store = settings()
        store.setValue("geometry", self.saveGeometry())
        store.sync()
        super().closeEvent(event)


def opened_message(db: Engagement) -> str:
    """What the status bar says about a file just opened: its encryption, why it cannot change if so, and where
    the copy from before an upgrade is kept (said here, since this message replaces any said before it)."""
    message = f"Opened {db.path.name}" + ("" if db.encrypted else " — this file is NOT encrypted")
    if db.read_only == OPENED_READ_ONLY:
        message += " — read-only"
    elif db.read_only:
        message += f" — read-only: {db.read_only}"
    if db.took_over is not None:
        message += f" — {db.took_over.person} had it open and stopped without closing it"
    if db.backup is not None:
        message += f" — upgraded; the previous version is kept as {db.backup.name}"
    return message
