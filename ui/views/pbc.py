"""The PBC list: what was asked of the client, by when, and what came back.

Requests are edited in the table (or in a dialog, which can also clear a due date); each edit sends the
whole request, so the service judges it as the user sees it. Evidence attached in answer to a request marks
it received. Overdue is the service's judgement of today, shown, never stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QFileDialog, QVBoxLayout, QWidget

from fieldwork.app.domain.records import PbcRequest
from fieldwork.app.domain.vocabulary import Status
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import FieldworkError
from fieldwork.app.services import pbc as pbc_service
from fieldwork.app.services.deleting import what_goes_with_request
from fieldwork.app.services.pbc import PbcRequestInput, PbcStatus
from fieldwork.ui.context import Target, UiContext
from fieldwork.ui.delegates import ChoiceDelegate, DateDelegate
from fieldwork.ui.desktop import offer_to_open
from fieldwork.ui.dialogs.confirm_delete import confirm_delete
from fieldwork.ui.dialogs.pbc_request import PbcRequestDialog
from fieldwork.ui.evidence_actions import attach, choose_files
from fieldwork.ui.evidence_drop import FileDrop
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.status_style import COLOURS, icon
from fieldwork.ui.tables import make_table, selected_rows
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.views.editing import problem_note
from fieldwork.ui.widgets import button_row, heading, note

DUE, STATUS, RECEIVED = 3, 4, 5
OVERDUE_SHADE = "#fce8e6"


def _input(request: PbcRequest) -> PbcRequestInput:
    status = PbcStatus(request.status)
    return PbcRequestInput(request.request, request.requested_of, request.due_date, status, request.received_date)


def _status_label(request: PbcRequest) -> str:
    return "Overdue" if request.overdue else PbcStatus(request.status).label


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


#: The request column's least width (about 40 characters).
REQUEST_WIDTH = 240


class PbcView(DetailView):
    shows = pbc_service.SHOWS

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.wanted: UUID | None = None  # a request to select once loaded (opened from where a file is used)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("PBC requests"))
        self.summary = note()
        self.problem = problem_note()
        layout.addWidget(self.summary)
        layout.addWidget(self.problem)
        self.model = RowTableModel[PbcRequest](
            [
                Column("Ref", lambda r: r.ref),
                Column("Request", lambda r: r.request, edit=lambda r, v: self.save(r, request=str(v)), width=360),
                Column("Requested of", lambda r: r.requested_of, edit=lambda r, v: self.save(r, requested_of=str(v))),
                Column(
                    "Due",
                    lambda r: _day(r.due_date),
                    edit=lambda r, v: self.save(r, due_date=v),
                    edit_value=lambda r: r.due_date,
                ),
                Column(
                    "Status",
                    _status_label,
                    edit=lambda r, v: self.save(r, status=PbcStatus(v)),
                    edit_value=lambda r: PbcStatus(r.status),
                    icon=lambda r: icon(Status.EXCEPTIONS) if r.overdue else None,
                ),
                Column(
                    "Received",
                    lambda r: _day(r.received_date),
                    # A received date says the request was answered: setting one on an open request receives it.
                    edit=lambda r, v: self.save(r, status=PbcStatus.RECEIVED, received_date=v),
                    edit_value=lambda r: r.received_date,
                ),
                Column("Files", lambda r: r.evidence_count or ""),
            ],
            key=lambda r: r.id,
            highlight=lambda r: OVERDUE_SHADE if r.overdue else None,
        )
        # The request is what is read: on half a screen it keeps a readable width and the table scrolls sideways.
        self.table = make_table(self.model, stretch=1, editable=True, stretch_at_least=REQUEST_WIDTH)
        for column in (DUE, RECEIVED):
            self.table.setItemDelegateForColumn(column, DateDelegate(self.table))
        self.table.setItemDelegateForColumn(STATUS, ChoiceDelegate(PbcStatus, parent=self.table))
        self.table.activated.connect(self._activated)
        layout.addWidget(self.table, 1)

        actions, _buttons = button_row(
            [
                ("&New request...", self.add_request),
                ("Ed&it...", self.edit_selected),
                ("Attach evidence in &answer...", self.attach_in_answer),
                ("E&xport for the client (Excel)...", self.export),
            ],
            trailing=[("&Delete...", self.delete_selected)],
        )
        layout.addLayout(actions)
        FileDrop(self, lambda paths, _row: attach(self.ctx, self, paths))
        FileDrop(self.table, self._dropped)

    # -- loading --------------------------------------------------------------------------------------

    def show_target(self, target: Target) -> None:
        self.wanted = target.key if isinstance(target.key, UUID) else None
        super().show_target(target)

    def load(self) -> None:
        self.ctx.read("Loading the PBC list", pbc_service.list_pbc_requests, self._show)

    def _show(self, requests: list[PbcRequest]) -> None:
        self.model.set_rows(requests)
        if self.wanted is not None and (row := self.model.row_of(self.wanted)) >= 0:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        self.wanted = None
        received = sum(r.status == PbcStatus.RECEIVED for r in requests)
        overdue = sum(r.overdue for r in requests)
        late = f", <b style='color: {COLOURS[Status.EXCEPTIONS]}'>{overdue} overdue</b>" if overdue else ""
        self.summary.setText(
            f"{len(requests)} request(s): {received} received, {len(requests) - received} open{late}. "
            "Edit in the table (F2 or double-click); drop files on a request to attach them in answer."
        )

    # -- editing --------------------------------------------------------------------------------------

    def save(self, existing: PbcRequest, **change: Any) -> None:
        values = replace(_input(existing), **change)
        if values == _input(existing):
            return
        self._write(f"{existing.ref} updated", lambda db: pbc_service.update_request(db, existing.id, values))

    def _write(self, label: str, work: Callable[[Engagement], Any]) -> None:
        """Save; a refusal is said above the table and stays there until the next save goes through."""
        self.ctx.write(label, work, lambda _: self.problem.setText(""), on_error=self._refused)

    def _refused(self, exc: BaseException) -> None:
        self.problem.setText(exc.message if isinstance(exc, FieldworkError) else "")
        self.load()

    def _activated(self, index: QModelIndex) -> None:
        """Read-only cells open the request in a dialog; on editable ones Enter and double-click edit."""
        if not self.model.flags(index) & Qt.ItemFlag.ItemIsEditable:
            self.edit(self.model.row(index))

    def _selected(self) -> PbcRequest | None:
        rows = selected_rows(self.table)
        return self.model.rows[rows[0]] if rows else None

    def add_request(self) -> None:
        dialog = PbcRequestDialog(parent=self)
        if dialog.exec():
            values = dialog.values()
            self._write("New PBC request", lambda db: pbc_service.create_request(db, values))

    def edit_selected(self) -> None:
        if chosen := self._selected():
            self.edit(chosen)

    def edit(self, request: PbcRequest) -> None:
        dialog = PbcRequestDialog(request, parent=self)
        if dialog.exec():
            values = dialog.values()
            self._write(f"{request.ref} updated", lambda db: pbc_service.update_request(db, request.id, values))

    def delete_selected(self) -> None:
        chosen = self._selected()
        if chosen is not None:
            confirm_delete(
                self.ctx,
                self,
                "Delete PBC request",
                f"Delete {chosen.ref}: {chosen.request}?",
                lambda db: what_goes_with_request(db, chosen.id),
                lambda: self._write(f"Deleted {chosen.ref}", lambda db: pbc_service.delete_request(db, chosen.id)),
            )

    # -- evidence and export --------------------------------------------------------------------------

    def attach_in_answer(self) -> None:
        chosen = self._selected()
        if chosen is None:
            self.ctx.runner.status("Select the request the files answer first.")
            return
        attach(self.ctx, self, choose_files(self), place=chosen.ref, request_id=chosen.id)

    def _dropped(self, paths: list[Path], row: int) -> None:
        """Files dropped on a request answer it; dropped below the rows, the user says which (if any)."""
        request = self.model.rows[row] if row >= 0 else None
        attach(self.ctx, self, paths, place=request.ref if request else "", request_id=request.id if request else None)

    def export(self) -> None:
        default = self.ctx.db.path.with_name(f"{self.ctx.db.path.stem} PBC list.xlsx")
        chosen, _ = QFileDialog.getSaveFileName(self, "Export the PBC list", str(default), "Excel workbook (*.xlsx)")
        if not chosen:
            return
        target = Path(chosen).with_suffix(".xlsx")
        self.ctx.long(
            f"Exporting the PBC list to {target.name}",
            lambda db, task: _export(db, target),
            lambda _count: offer_to_open(self, target),
        )


def _export(db: Engagement, target: Path) -> int:
    from fieldwork.app.exports.pbc_list import export_pbc_list  # openpyxl loads only when a list is exported

    return export_pbc_list(db, target)
