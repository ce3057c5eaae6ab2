"""A requirement: what it asks, the controls that serve it, its crosswalk links, and its conclusion."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.records import Control, ControlInput, Mapping, Requirement, RequirementStatus
from app.domain.vocabulary import Framework, Status
from app.errors import NotFoundError
from app.services import controls as control_service
from app.services import requirements as requirement_service
from app.services.engagement import read_details
from app.services.status import control_statuses, read_requirement_statuses
from app.storage.engagement_file import EngagementFile
from ui.context import Target, UiContext
from ui.models.table import Column, RowTableModel
from ui.status_style import icon
from ui.tables import make_table
from ui.views.base import DetailView
from ui.widgets import heading, note


@dataclass(frozen=True)
class Related:
    code: str
    title: str
    relationship: str
    rationale: str
    status: Status


@dataclass(frozen=True)
class RequirementPage:
    requirement: Requirement
    state: RequirementStatus | None
    controls: list[Control]
    control_status: dict[int, Status]
    related: list[Related]
    all_controls: list[Control]


def load_page(db: EngagementFile, code: str) -> RequirementPage:
    """Everything the page shows, read in one transaction."""
    with db.reading() as conn:
        details = read_details(conn)
        scope = requirement_service.read_scope(conn)
        by_code = {r.code: r for r in scope}
        if code not in by_code:
            raise NotFoundError(f"{code} is not in the scope of this engagement.")
        statuses = read_requirement_statuses(conn, scope, details.report_type)
        everything = control_service.read_controls(conn)
        links = [m for m in requirement_service.read_mappings(conn) if code in (m.iso_code, m.soc2_code)]
        by_control = control_statuses(conn, details.report_type)
    related = []
    for link in links:
        other = link.soc2_code if link.iso_code == code else link.iso_code
        if other in by_code:
            state = statuses.get(other)
            status = state.status if state else Status.NOT_STARTED
            related.append(Related(other, by_code[other].title, _relationship(link, code), link.rationale, status))
    return RequirementPage(
        by_code[code],
        statuses.get(code),
        [c for c in everything if code in c.requirements],
        by_control,
        related,
        everything,
    )


def _relationship(link: Mapping, code: str) -> str:
    """Read the relationship from this requirement's side (the crosswalk stores it ISO-first)."""
    if link.iso_code == code or link.relationship.value in ("equal", "intersect"):
        return link.relationship.label
    return {"subset": "Superset", "superset": "Subset"}[link.relationship.value]


class RequirementView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.page: RequirementPage | None = None
        layout = QVBoxLayout(self)
        self.title = heading("")
        self.kind = note()
        self.description = note()
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.conclusion = note()
        layout.addWidget(self.title)
        layout.addWidget(self.kind)
        layout.addWidget(self.description)
        layout.addWidget(self.conclusion)

        layout.addWidget(heading("Controls that serve it"))
        self.controls = RowTableModel[Control](
            [
                Column("Control", lambda c: c.ref, icon=lambda c: icon(self._control_status(c))),
                Column("Title", lambda c: c.title, tooltip=lambda c: c.description),
                Column("Owner", lambda c: c.owner),
                Column("Frequency", lambda c: c.frequency.label),
            ],
            key=lambda c: c.id,
        )
        self.control_table = make_table(self.controls, stretch=1)
        self.control_table.doubleClicked.connect(lambda index: ctx.open(Target("control", self.controls.row(index).id)))
        layout.addWidget(self.control_table, 2)
        buttons = QHBoxLayout()
        self.new_control = QPushButton("&New control for this requirement")
        self.new_control.clicked.connect(self.create_control)
        self.link_control = QPushButton("&Link an existing control...")
        self.link_control.clicked.connect(self.link_existing)
        buttons.addWidget(self.new_control)
        buttons.addWidget(self.link_control)
        buttons.addStretch()
        layout.addLayout(buttons)

        self.related_heading = heading("Related requirements (crosswalk)")
        layout.addWidget(self.related_heading)
        self.related = RowTableModel[Related](
            [
                Column("Requirement", lambda r: r.code, icon=lambda r: icon(r.status)),
                Column("Title", lambda r: r.title),
                Column("Relationship", lambda r: r.relationship),
                Column("Rationale", lambda r: r.rationale, tooltip=lambda r: r.rationale),
            ],
            key=lambda r: r.code,
        )
        self.related_table = make_table(self.related)
        self.related_table.activated.connect(
            lambda index: ctx.open(Target("requirement", self.related.row(index).code))
        )
        self.related_table.doubleClicked.connect(
            lambda index: ctx.open(Target("requirement", self.related.row(index).code))
        )
        layout.addWidget(self.related_table, 2)

    def _control_status(self, control: Control) -> Status:
        return self.page.control_status.get(control.id, Status.NOT_STARTED) if self.page else Status.NOT_STARTED

    def load(self) -> None:
        assert self.target is not None
        code = str(self.target.key)
        self.ctx.read(f"Loading {code}", lambda db: load_page(db, code), self._show)

    def _show(self, page: RequirementPage) -> None:
        self.page = page
        req = page.requirement
        self.title.setText(f"{req.code}  {req.title}")
        where = req.category or ("ISO/IEC 42001" if req.framework is Framework.ISO42001 else "")
        self.kind.setText(f"{req.framework.label} · {req.kind.label}{' · ' + where if where else ''}")
        self.description.setText(req.description)
        self.conclusion.setText(self._conclusion_text(page))
        self.controls.set_rows(page.controls)
        self.related.set_rows(page.related)
        other = "ISO/IEC 42001" if req.framework is Framework.SOC2 else "SOC 2"
        self.related_heading.setText(f"Related {other} requirements (crosswalk)")

    def _conclusion_text(self, page: RequirementPage) -> str:
        state = page.state
        if state is None:
            return "Not in the scope of this engagement."
        if state.status is Status.EXCLUDED:
            return "Excluded in the Statement of Applicability."
        gap = "  No control serves this requirement yet." if state.gap else ""
        awaiting = f"  {state.awaiting_note}." if state.awaiting_note else ""
        return (
            f"<b>Conclusion: {state.status.label}</b> — {state.controls} control(s), {state.tests} test(s): "
            f"{state.tests_concluded} concluded, {state.tests_with_exceptions} with exceptions.{gap}{awaiting}"
        )

    def create_control(self) -> None:
        if self.page is None:
            return
        req = self.page.requirement
        title, ok = QInputDialog.getText(self, "New control", f"Title of the control that serves {req.code}:")
        if ok and title.strip():
            self.ctx.write(
                f"New control for {req.code}",
                lambda db: control_service.create_control(db, ControlInput(title.strip()), [req.code]),
                lambda made: self.ctx.open(Target("control", made.id)),
            )

    def link_existing(self) -> None:
        if self.page is None:
            return
        req = self.page.requirement
        candidates = [c for c in self.page.all_controls if req.code not in c.requirements]
        if not candidates:
            self.ctx.runner.status("Every control is already linked to this requirement.")
            return
        labels = [f"{c.ref}  {c.title}" for c in candidates]
        choice, ok = QInputDialog.getItem(self, "Link a control", f"Control that serves {req.code}:", labels, 0, False)
        if ok:
            chosen = candidates[labels.index(choice)]
            self.ctx.write(
                f"Link {chosen.ref} to {req.code}",
                lambda db: control_service.link_requirement(db, chosen.id, req.code),
            )
