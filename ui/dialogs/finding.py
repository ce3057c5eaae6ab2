"""Raise or edit an ISO/IEC 42001 finding and follow its corrective action (clause 10.2).

On the left the finding as it is written: kind, requirement(s), statement, objective evidence, the deviations
it came from (none for a finding no test found). On the right its life cycle: status, correction, root cause,
corrective action, owner and due date, then who verified the action was effective, when, and on what. Fields
a kind or a status does not use are hidden or greyed; what a status still needs is the service's to say.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from fieldwork.app.domain.judgements import Finding, FindingInput, FindingKind, FindingStatus
from fieldwork.app.engagement import Engagement
from fieldwork.app.pages.findings import FindingsPage
from fieldwork.app.services import findings as finding_service
from fieldwork.ui.context import UiContext
from fieldwork.ui.date_fields import OptionalDateField
from fieldwork.ui.dialogs.saving import SavingDialog
from fieldwork.ui.pick_list import PickList
from fieldwork.ui.widgets import ChoiceBox, note

#: What a due date starts from when the auditor sets one: a usual time to correct a nonconformity.
CORRECTION_TIME = timedelta(days=60)
#: From this status on, the corrective action has been implemented and can be verified.
VERIFIABLE = list(FindingStatus)[list(FindingStatus).index(FindingStatus.IMPLEMENTED) :]


def _text(value: str, placeholder: str = "", lines: int = 3) -> QPlainTextEdit:
    edit = QPlainTextEdit(value)
    edit.setTabChangesFocus(True)
    edit.setPlaceholderText(placeholder)
    edit.setMinimumHeight(lines * edit.fontMetrics().lineSpacing() + 12)
    return edit


def _row(form: QFormLayout, text: str, field: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(field)
    form.addRow(label, field)
    return label


class FindingDialog(SavingDialog):
    def __init__(
        self, ctx: UiContext, page: FindingsPage, existing: Finding | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent)
        self.existing = existing
        self.setWindowTitle(f"Finding {existing.ref}" if existing else "New finding")
        columns = QHBoxLayout()
        columns.addWidget(self._finding_group(page, existing), 1)
        columns.addWidget(self._action_group(existing), 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        self.add_foot(layout.addWidget)
        self.kind.currentIndexChanged.connect(lambda _index: self._follow_choices())
        self.status.currentIndexChanged.connect(lambda _index: self._follow_choices())
        self._follow_choices()
        self.resize(1040, 660)

    def _finding_group(self, page: FindingsPage, existing: Finding | None) -> QGroupBox:
        group = QGroupBox("The finding")
        form = QFormLayout(group)
        self.kind = ChoiceBox(FindingKind)
        self.kind.load(existing.kind if existing else FindingKind.MINOR)
        self.requirements = PickList("Filter by code or title (e.g. 9.3, A.6.2)", rows=6)
        self.requirements.set_choices(page.requirements, set(existing.requirements) if existing else set())
        self.statement = _text(
            existing.statement if existing else "",
            "What does not conform, and to what: e.g. No management review of the AIMS was held in the period.",
        )
        self.objective = _text(existing.objective_evidence if existing else "", "What was seen: records, dates, counts")
        self.deviations = PickList("Filter deviations by reference (C-021.T2.D1)", rows=3)
        self.deviations.set_choices(page.deviations, set(existing.deviation_ids) if existing else set())
        _row(form, "&Kind", self.kind)
        _row(form, "&Requirements", self.requirements)
        _row(form, "&Statement", self.statement)
        _row(form, "&Objective evidence", self.objective)
        _row(form, "Source &deviations", self.deviations)
        return group

    def _action_group(self, existing: Finding | None) -> QGroupBox:
        group = QGroupBox("Corrective action (clause 10.2)")
        form = QFormLayout(group)
        self.status = ChoiceBox(FindingStatus)
        self.status.load(existing.status if existing else FindingStatus.OPEN)
        self.correction = _text(existing.correction if existing else "", "What was done at once to contain it", 2)
        self.root_cause = _text(existing.root_cause if existing else "", lines=2)
        self.action = _text(existing.corrective_action if existing else "", "What removes the cause", 2)
        self.owner = QLineEdit(existing.owner if existing else "")
        self.due = OptionalDateField()
        self.due.load(existing.due_date if existing else None, date.today() + CORRECTION_TIME)
        self.verified_by = QLineEdit(existing.verified_by if existing else "")
        self.verified_on = OptionalDateField()
        self.verified_on.load(existing.verified_on if existing else None, date.today())
        self.verification = _text(existing.verification if existing else "", "What showed the action works", 2)
        _row(form, "S&tatus", self.status)
        self.no_action = note("An observation or an opportunity for improvement has no corrective action to follow.")
        form.addRow(self.no_action)
        self.corrective_rows = [
            _row(form, "&Correction", self.correction),
            _row(form, "Root ca&use", self.root_cause),
            _row(form, "Corrective &action", self.action),
            _row(form, "O&wner", self.owner),
            _row(form, "Due dat&e", self.due),
        ]
        self.verification_rows = [
            _row(form, "&Verified by", self.verified_by),
            _row(form, "Verified o&n", self.verified_on),
            _row(form, "E&ffectiveness shown by", self.verification),
        ]
        self.form = form
        return group

    def _kind(self) -> FindingKind:
        return FindingKind(self.kind.value() or FindingKind.MINOR)

    def _status(self) -> FindingStatus:
        return FindingStatus(self.status.value() or FindingStatus.OPEN)

    def _follow_choices(self) -> None:
        """Show the life cycle a nonconformity follows; an observation or OFI is only open or closed."""
        nonconformity = self._kind().nonconformity
        for status in FindingStatus:
            self.status.offer(status, nonconformity or status in (FindingStatus.OPEN, FindingStatus.CLOSED))
        for label in self.corrective_rows + self.verification_rows:
            self.form.setRowVisible(label, nonconformity)
        self.form.setRowVisible(self.no_action, not nonconformity)
        verifiable = self._status() in VERIFIABLE
        for field in (self.verified_by, self.verified_on, self.verification):
            field.setEnabled(verifiable)

    def values(self) -> FindingInput:
        nonconformity = self._kind().nonconformity
        return FindingInput(
            kind=self._kind(),
            statement=self.statement.toPlainText(),
            requirements=tuple(self.requirements.chosen()),
            objective_evidence=self.objective.toPlainText(),
            deviations=tuple(self.deviations.chosen()),
            correction=self.correction.toPlainText() if nonconformity else "",
            root_cause=self.root_cause.toPlainText() if nonconformity else "",
            corrective_action=self.action.toPlainText() if nonconformity else "",
            owner=self.owner.text() if nonconformity else "",
            due_date=self.due.value() if nonconformity else None,
            status=self._status(),
            verified_by=self.verified_by.text() if nonconformity else "",
            verified_on=self.verified_on.value() if nonconformity else None,
            verification=self.verification.toPlainText() if nonconformity else "",
            closed_on=self.existing.closed_on if self.existing else None,
        )

    def change(self) -> tuple[str, Callable[[Engagement], Any]]:
        values = self.values()
        if self.existing is None:
            return "New finding", lambda db: finding_service.create_finding(db, values)
        key, ref = self.existing.id, self.existing.ref
        return f"{ref} updated", lambda db: finding_service.update_finding(db, key, values)
