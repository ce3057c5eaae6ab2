"""One engagement workpaper: its index reference and title, the checklist with answers, the memo text, what the file
says beside it, the requirements and controls it links, and its evidence; marked complete when nothing is missing.

Every field saves when left; a refusal (a reference already taken, a date after the report release date) is said
above the tabs and the page reloads from the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.domain.workpapers import Answer, ChecklistItem, WorkpaperFields, WorkpaperKind
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import FieldworkError
from fieldwork.app.pages.workpapers import WorkpaperPage, load_workpaper_page
from fieldwork.app.services import workpapers as service
from fieldwork.ui.context import Page, Target, UiContext
from fieldwork.ui.date_fields import OptionalDateField
from fieldwork.ui.delegates import ChoiceDelegate
from fieldwork.ui.evidence_drop import FileDrop
from fieldwork.ui.evidence_panel import EvidencePanel
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.review_strip import ReviewStrip
from fieldwork.ui.status_style import icon
from fieldwork.ui.tables import make_table, selected_rows
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.views.editing import problem_note
from fieldwork.ui.widgets import ChoiceBox, CommitLineEdit, CommitTextEdit, button_row, heading, note

#: Shown for an answer not given yet, in the table and its editor.
NOT_ANSWERED = "(not answered)"


def state_text(page: WorkpaperPage) -> str:
    """Complete, or what keeps it from being complete, as the reviewer reads it first."""
    found = page.workpaper
    if found.complete:
        return f"<b>Complete</b> (marked {found.completed_at[:10] if found.completed_at else ''})."
    if not found.missing:
        return "Nothing is missing: <b>mark it complete</b> when the work is done."
    points = "".join(f"<li>{point}</li>" for point in found.missing)
    marked = " It was marked complete, and no longer is:" if found.completed_at else ""
    return f"<b>Not complete.</b>{marked}<ul style='margin: 0'>{points}</ul>"


class WorkpaperView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.page: WorkpaperPage | None = None
        outer = QVBoxLayout(self)
        self.title = heading("")
        self.state = note()
        self.problem = problem_note()
        outer.addWidget(self.title)
        self.review = ReviewStrip(ctx)
        outer.addWidget(self.review)
        outer.addWidget(self.state)
        outer.addWidget(self.problem)
        outer.addLayout(self._header())
        self.tabs = QTabWidget()
        self.tabs.addTab(self._checklist_tab(), "Checkli&st")
        self.tabs.addTab(self._text_tab(), "&Text")
        self.tabs.addTab(self._links_tab(), "&Links and evidence")
        outer.addWidget(self.tabs, 1)
        row, buttons = button_row(
            [("Mar&k complete", lambda: self.mark(True)), ("Reo&pen", lambda: self.mark(False))],
            [("Delete workpaper...", self.delete)],
        )
        self.complete_button, self.reopen_button, _delete = buttons
        outer.addLayout(row)
        FileDrop(self, lambda paths, _row: self.evidence.attach(paths))

    # -- panels ---------------------------------------------------------------------------------------

    def _header(self) -> QVBoxLayout:
        """Two lines: what the workpaper is, then its date and signer where its template asks for them."""
        self.ref = CommitLineEdit()
        self.ref.setMaximumWidth(90)
        self.name = CommitLineEdit()
        self.kind = ChoiceBox(WorkpaperKind)
        self.completion = QCheckBox("Completion item (finalizing &checks it)")
        self.date_label = QLabel()
        self.dated = OptionalDateField()
        self.signed_by = CommitLineEdit()
        self.signed_by.setPlaceholderText("who signed")
        self.signer_title = CommitLineEdit()
        self.signer_title.setPlaceholderText("their title")
        self.signed_label = QLabel("Si&gned by")
        self.signed_label.setBuddy(self.signed_by)
        first = QHBoxLayout()
        for label, widget, stretch in (
            ("&Ref", self.ref, 0),
            ("T&itle", self.name, 1),
            ("Kin&d", self.kind, 0),
            ("", self.completion, 0),
        ):
            if label:
                caption = QLabel(label)
                caption.setBuddy(widget)
                first.addWidget(caption)
            first.addWidget(widget, stretch)
        second = QHBoxLayout()
        second.addWidget(self.date_label)
        second.addWidget(self.dated)
        second.addSpacing(24)
        second.addWidget(self.signed_label)
        second.addWidget(self.signed_by, 1)
        second.addWidget(self.signer_title, 1)
        second.addStretch()
        header = QVBoxLayout()
        header.addLayout(first)
        header.addLayout(second)
        for field in (self.ref, self.name, self.signed_by, self.signer_title):
            field.committed.connect(lambda _text: self.save())
        self.kind.chosen.connect(lambda _kind: self.save())
        self.completion.toggled.connect(lambda _on: self.save())
        self.dated.committed.connect(lambda _date: self.save())
        return header

    def _checklist_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.items = RowTableModel[ChecklistItem](
            [
                Column("#", lambda i: i.seq),
                Column("Item", lambda i: i.prompt, tooltip=lambda i: i.prompt),
                Column(
                    "Answer",
                    lambda i: i.answer.label if i.answer else NOT_ANSWERED,
                    edit=lambda i, v: self.answer(i, v, i.note),
                    edit_value=lambda i: i.answer,
                    icon=lambda i: icon_for(i),
                ),
                Column(
                    "Note",
                    lambda i: i.note,
                    edit=lambda i, v: self.answer(i, i.answer, str(v)),
                    tooltip=lambda i: i.note,
                    width=260,
                ),
            ],
            key=lambda i: i.id,
        )
        self.item_table = make_table(self.items, stretch=1, editable=True)
        self.item_table.setItemDelegateForColumn(2, ChoiceDelegate(Answer, NOT_ANSWERED, self.item_table))
        layout.addWidget(self.item_table)
        row, buttons = button_row(
            [
                ("&Add item...", self.add_item),
                ("Remove item", self.remove_item),
                ("Add a line per team &member", self.add_member_lines),
            ]
        )
        self.member_button = buttons[2]
        layout.addLayout(row)
        return tab

    def _text_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.body = CommitTextEdit()
        self.body.setPlaceholderText("The memo, or the instructions above the checklist.")
        self.body.committed.connect(lambda _text: self.save())
        layout.addWidget(self.body, 3)
        self.shown_heading = QLabel("<b>From the file</b> (kept up to date: not part of the text)")
        self.shown = QTextBrowser()  # scrolls: the memo keeps its room however much the file says
        layout.addWidget(self.shown_heading)
        layout.addWidget(self.shown, 2)
        return tab

    def _links_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        form = QFormLayout()
        self.requirements = CommitLineEdit()
        self.requirements.setPlaceholderText("criteria and requirements, e.g. CC3.2, 6.1.2, A.5.2")
        self.controls = CommitLineEdit()
        self.controls.setPlaceholderText("controls, e.g. C-017, C-021")
        for label, field in (("Re&quirements", self.requirements), ("C&ontrols", self.controls)):
            form.addRow(label, field)
            field.committed.connect(lambda _text: self.save_links())
        layout.addLayout(form)
        self.evidence = EvidencePanel(self.ctx, "Drop files on this page to attach them to the workpaper.")
        layout.addWidget(self.evidence, 1)
        return tab

    # -- loading --------------------------------------------------------------------------------------

    def load(self) -> None:
        assert self.target is not None
        workpaper_id = self.target.key
        self.ctx.read("Loading the workpaper", lambda db: load_workpaper_page(db, workpaper_id), self._show)

    def _show(self, page: WorkpaperPage) -> None:
        opened = self.page is None or self.page.workpaper.id != page.workpaper.id
        self.page = page
        self.review.show_review(page.review)
        found, fields, shape = page.workpaper, page.workpaper.fields, page.workpaper.shape
        self.title.setText(f"{found.ref}  {found.title}")
        self.state.setText(state_text(page))
        self.ref.load(fields.ref)
        self.name.load(fields.title)
        self.kind.load(fields.kind)
        self.completion.blockSignals(True)
        self.completion.setChecked(fields.completion_item)
        self.completion.blockSignals(False)
        self.date_label.setText(shape.date_label or "Date")
        self.dated.load(fields.dated, fields.dated or date.today())
        for widget in (self.date_label, self.dated):  # a date only where the template asks one (or one was set)
            widget.setVisible(bool(shape.date_label) or fields.dated is not None)
        for widget in (self.signed_label, self.signed_by, self.signer_title):
            widget.setVisible(shape.asks_signer)
        self.signed_by.load(fields.signed_by)
        self.signer_title.load(fields.signer_title)
        self.items.set_rows(found.items)
        self.member_button.setVisible(bool(shape.member_statement))
        self.body.load(fields.body)
        self.shown_heading.setVisible(bool(page.shown))
        self.shown.setVisible(bool(page.shown))
        self.shown.setPlainText("\n".join(page.shown))
        self.requirements.load(", ".join(found.requirements))
        self.controls.load(", ".join(found.controls))
        self.evidence.show_files(list(page.evidence), page.target, found.ref)
        self.complete_button.setEnabled(not found.completed_at)
        self.reopen_button.setEnabled(bool(found.completed_at))
        answered = f" ({found.answered} of {len(found.items)})" if found.items else ""
        self.tabs.setTabText(0, f"Checkli&st{answered}")
        self.tabs.setTabText(1, "&Text and what the file says" if page.shown else "&Text")
        links = len(found.requirements) + len(found.controls)
        self.tabs.setTabText(2, f"&Links and evidence ({links} links, {len(page.evidence)} files)")
        if opened:  # a memo opens on its text, the others on their checklist
            self.tabs.setCurrentIndex(1 if found.kind is WorkpaperKind.MEMO else 0)

    # -- saving ---------------------------------------------------------------------------------------

    def _fields(self) -> WorkpaperFields:
        assert self.page is not None
        kind = self.kind.value()
        return replace(
            self.page.workpaper.fields,
            ref=self.ref.text(),
            title=self.name.text(),
            kind=WorkpaperKind(kind) if kind else self.page.workpaper.kind,
            body=self.body.toPlainText(),
            completion_item=self.completion.isChecked(),
            dated=self.dated.value(),
            signed_by=self.signed_by.text(),
            signer_title=self.signer_title.text(),
        )

    def save(self) -> None:
        if self.page is None:
            return
        fields, workpaper_id = self._fields(), self.page.workpaper.id
        if fields != self.page.workpaper.fields:
            self.write(f"{fields.ref.strip()} saved", lambda db: service.update_workpaper(db, workpaper_id, fields))

    def save_links(self) -> None:
        if self.page is None:
            return
        page = self.page
        codes = [code.strip() for code in self.requirements.text().split(",") if code.strip()]
        refs = [ref.strip().upper() for ref in self.controls.text().split(",") if ref.strip()]
        unknown = [ref for ref in refs if ref not in page.controls]
        if unknown:
            self._refused(FieldworkError(f"There is no control {', '.join(unknown)} in this engagement."))
            return
        ids = [page.controls[ref] for ref in refs]
        workpaper_id = page.workpaper.id
        self.write("Links saved", lambda db: service.set_links(db, workpaper_id, codes, ids))

    def answer(self, item: ChecklistItem, answer: Any, note_text: str) -> None:
        chosen = Answer(answer) if answer else None
        if chosen == item.answer and note_text.strip() == item.note:
            return
        self.write(f"Item {item.seq} answered", lambda db: service.answer_item(db, item.id, chosen, note_text))

    def add_item(self) -> None:
        if self.page is None:
            return
        prompt, ok = QInputDialog.getMultiLineText(self, "Add item", "The question or statement to answer:")
        if ok and prompt.strip():
            workpaper_id = self.page.workpaper.id
            self.write("Item added", lambda db: service.add_item(db, workpaper_id, prompt))

    def remove_item(self) -> None:
        rows = selected_rows(self.item_table)
        if not rows:
            return
        item = self.items.rows[rows[0]]
        answer = QMessageBox.question(self, "Remove item", f"Remove item {item.seq}?\n{item.prompt}")
        if answer == QMessageBox.StandardButton.Yes:
            self.write(f"Item {item.seq} removed", lambda db: service.remove_item(db, item.id))

    def add_member_lines(self) -> None:
        if self.page is not None:
            workpaper_id = self.page.workpaper.id
            self.write("Team members' lines added", lambda db: service.add_member_lines(db, workpaper_id))

    def mark(self, complete: bool) -> None:
        if self.page is not None:
            workpaper_id, ref = self.page.workpaper.id, self.page.workpaper.ref
            label = f"{ref} marked complete" if complete else f"{ref} reopened"
            self.write(label, lambda db: service.mark_complete(db, workpaper_id, complete))

    def delete(self) -> None:
        if self.page is None:
            return
        found = self.page.workpaper
        question = f"Delete {found.ref} {found.title}? Its evidence files stay in the library."
        if QMessageBox.question(self, "Delete workpaper", question) == QMessageBox.StandardButton.Yes:
            self.ctx.write(f"{found.ref} deleted", lambda db: service.delete_workpaper(db, found.id))
            self.ctx.open(Target(Page.WORKPAPERS))

    def write(self, label: str, work: Callable[[Engagement], Any]) -> None:
        """Every save on this page: a refusal is said above the tabs and the page reloads from the file."""
        self.ctx.write(label, work, lambda _result: self.problem.setText(""), on_error=self._refused)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, FieldworkError):
            self.problem.setText(exc.message)
            self.ctx.runner.status(exc.message)
        self.load()


def icon_for(item: ChecklistItem) -> QIcon | None:
    """A "No" stands out: it needs its note."""
    return icon(Status.EXCEPTIONS) if item.answer is Answer.NO else None
