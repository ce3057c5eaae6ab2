"""The engagement workpapers by index: where each stands, what finalizing will check, the engagement's stage, and
adding a workpaper (from a template the engagement lacks, or the auditor's own)."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QMessageBox, QVBoxLayout, QWidget

from fieldwork.app.domain.workpapers import Workpaper, WorkpaperFields, WorkpaperKind
from fieldwork.app.errors import FieldworkError
from fieldwork.app.pages.workpapers import WorkpapersPage, load_workpapers_page
from fieldwork.app.services import workpapers as service
from fieldwork.ui.context import Page, Target, UiContext
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.status_style import icon
from fieldwork.ui.tables import make_table
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.views.editing import NoteLine
from fieldwork.ui.widgets import button_row, heading, note


class WorkpapersView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.page: WorkpapersPage | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Engagement workpapers"))
        self.stage = note()
        self.completion = note()
        self.problems = NoteLine()
        layout.addWidget(self.stage)
        layout.addWidget(self.completion)
        self.model = RowTableModel[Workpaper](
            [
                Column("Ref", lambda w: w.ref, icon=lambda w: icon(w.progress)),
                Column("Title", lambda w: w.title, width=280),
                Column("Kind", lambda w: w.kind.label),
                Column("Completion item", lambda w: "Yes" if w.fields.completion_item else ""),
                Column("Still needed", lambda w: "; ".join(w.missing) or w.state),
            ],
            key=lambda w: w.id,
        )
        self.table = make_table(self.model)
        self.table.doubleClicked.connect(lambda index: ctx.open(Target(Page.WORKPAPER, self.model.row(index).id)))
        layout.addWidget(self.table, 1)
        row, buttons = button_row([("&New workpaper...", self.new), ("Add from &templates...", self.add_templates)])
        self.template_button = buttons[1]
        layout.addLayout(row)
        layout.addWidget(self.problems)

    def load(self) -> None:
        self.ctx.read("Loading the workpapers", load_workpapers_page, self._show)

    def _show(self, page: WorkpapersPage) -> None:
        self.page = page
        self.stage.setText(f"Engagement stage: <b>{page.stage.stage.label}</b>, from the file: {page.stage.reason}")
        done = len(page.completion) - page.open_items
        self.completion.setText(
            f"Completion items: <b>{done} of {len(page.completion)} complete</b>. Finalizing checks each one."
        )
        self.model.set_rows(page.workpapers)
        self.template_button.setEnabled(bool(page.templates))
        self.template_button.setToolTip(
            "\n".join(f"{t.fields.ref} {t.fields.title}" for t in page.templates) or "Every template is in the file."
        )
        left_out = "".join(f"<li>{problem}</li>" for problem in page.problems)
        where = f"Your firm's own workpaper templates go in {page.firm_folder}."
        self.problems.setText(f"Templates left out:<ul>{left_out}</ul>{where}" if left_out else where)

    def new(self) -> None:
        ref, ok = QInputDialog.getText(self, "New workpaper", "Index reference (like D-100):")
        if not ok or not ref.strip():
            return
        title, ok = QInputDialog.getText(self, "New workpaper", f"Title of {ref.strip().upper()}:")
        if ok and title.strip():
            fields = WorkpaperFields(ref, title, WorkpaperKind.MEMO)
            self.ctx.write(
                f"{ref.strip().upper()} added",
                lambda db: service.create_workpaper(db, fields),
                lambda made: self.ctx.open(Target(Page.WORKPAPER, made.id)),
                on_error=self._refused,
            )

    def add_templates(self) -> None:
        if self.page is None or not self.page.templates:
            return
        templates = self.page.templates
        listed = "\n".join(f"{t.fields.ref}  {t.fields.title}" for t in templates)
        question = f"Add these workpapers from the templates?\n\n{listed}"
        if QMessageBox.question(self, "Add from templates", question) == QMessageBox.StandardButton.Yes:
            self.ctx.write(
                f"{len(templates)} workpaper(s) added",
                lambda db: service.add_from_templates(db, templates),
                on_error=self._refused,
            )

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, FieldworkError):
            QMessageBox.warning(self, "Workpapers", exc.message)
