"""The settings page's subservice lists: the organizations (each with its method and its own SOC report as reviewed)
and the CUECs and CSOCs with the criteria they support (`JUDGEMENTS.md` section 5).

No organization listed is the "none" state: the report then has no subservice wording at all. Edits save through the
page (`SettingsView.write`), so a refusal is said at the top of the page as on the other tabs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget

from fieldwork.app.domain.subservice import (
    ComplementaryControl,
    ComplementaryKind,
    SocReportReview,
    Subservice,
    SubserviceOrganization,
)
from fieldwork.app.domain.vocabulary import Opinion, ReportType, SubserviceTreatment
from fieldwork.app.engagement import Engagement
from fieldwork.app.services import subservice as subservice_service
from fieldwork.ui.delegates import ChoiceDelegate, DateDelegate
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.tables import make_table
from fieldwork.ui.views.settings_lists import Page, entry_row, selected_row
from fieldwork.ui.widgets import ChoiceBox, note

NONE_NOTE = (
    "List each subservice organization the system uses. None listed means none: the report then has no subservice "
    "wording. Edit a cell in the table (F2 or double-click); controls an inclusive organization performs are "
    "references separated by commas (C-010, C-011)."
)
COMPLEMENTARY_NOTE = (
    "CUECs (the user entities') and CSOCs (a subservice organization's), each with the trust services criteria it "
    "supports (CC6.1, CC6.4): Section IV lists it under each."
)
METHOD, REPORT_TYPE, REPORT_START, REPORT_END, OPINION, REVIEWED = 2, 5, 6, 7, 8, 10


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _codes(text: Any) -> tuple[str, ...]:
    return tuple(part.strip() for part in str(text).replace(";", ",").split(",") if part.strip())


def cleared(*fields: QLineEdit) -> None:
    """After an entry is added: its fields empty, the first one ready for the next."""
    for field in fields:
        field.clear()
    fields[0].setFocus()


def remove_selected(
    page: Page, table: QTableView, name: Callable[[Any], str], remove: Callable[[Engagement, Any], None]
) -> None:
    """Remove the record on the table's current row (an organization or a complementary control)."""
    row = selected_row(table)
    model = table.model()
    if row < 0 or not isinstance(model, RowTableModel):
        return
    found = model.rows[row]
    key = found.id
    if key is not None:
        page.write(f"Removed {name(found)}", lambda db: remove(db, key))


class OrganizationsPanel(QWidget):
    """The subservice organizations, edited in the table and added from the line under it."""

    def __init__(self, page: Page, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.model = RowTableModel[SubserviceOrganization](self._columns(), key=lambda o: o.id)
        # Long services or exceptions are read in full in their tooltip: rows stay two lines high.
        self.table = make_table(self.model, stretch=None, editable=True, row_lines=2)
        self.table.setItemDelegateForColumn(METHOD, ChoiceDelegate(SubserviceTreatment, parent=self.table))
        none_reviewed = ChoiceDelegate(ReportType, none_label="None reviewed", parent=self.table)
        self.table.setItemDelegateForColumn(REPORT_TYPE, none_reviewed)
        self.table.setItemDelegateForColumn(
            OPINION, ChoiceDelegate(Opinion, none_label="Not recorded", parent=self.table)
        )
        for column in (REPORT_START, REPORT_END, REVIEWED):
            self.table.setItemDelegateForColumn(column, DateDelegate(self.table))
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Amazon Web Services, Inc.")
        self.services = QLineEdit()
        self.services.setPlaceholderText("What it provides to the system")
        self.method = ChoiceBox(SubserviceTreatment)
        self.add = QPushButton("A&dd organization")
        self.add.clicked.connect(self.add_organization)
        self.name.returnPressed.connect(self.add_organization)
        self.remove = QPushButton("Remove selected organi&zation")
        self.remove.clicked.connect(self.remove_organization)
        layout = QVBoxLayout(self)
        layout.addWidget(note(NONE_NOTE))
        layout.addWidget(self.table, 1)
        fields = [("N&ame", self.name, 3), ("&Services", self.services, 4), ("Me&thod", self.method, 0)]
        layout.addLayout(entry_row(fields, self.add, self.remove))

    def _columns(self) -> list[Column[SubserviceOrganization]]:
        def edit(**change: Any) -> Any:
            return lambda o, value: self._save(o, **{name: convert(value) for name, convert in change.items()})

        def report(name: str, convert: Any = lambda v: v) -> Any:
            return lambda o, value: self._save(o, report=replace(o.report, **{name: convert(value)}))

        return [
            Column("Subservice organization", lambda o: o.name, edit=edit(name=str), width=220),
            Column("Services", lambda o: o.services, edit=edit(services=str), tooltip=lambda o: o.services, width=320),
            Column(
                "Method",
                lambda o: o.method.label,
                edit=edit(method=SubserviceTreatment),
                edit_value=lambda o: o.method,
            ),
            Column(
                "Assertion received",
                lambda o: "",
                edit=lambda o, on: self._save(o, assertion_received=bool(on)),
                check=lambda o: o.assertion_received,
                tooltip=lambda o: "Inclusive method: its own assertion accompanies the report",
            ),
            Column("Controls it performs", lambda o: ", ".join(o.controls), edit=self._set_controls),
            Column(
                "Its SOC report",
                lambda o: o.report.report_type.label if o.report.report_type else "None reviewed",
                edit=report("report_type", lambda v: ReportType(v) if v else None),
                edit_value=lambda o: o.report.report_type,
            ),
            Column("From", lambda o: _day(o.report.start), edit=report("start"), edit_value=lambda o: o.report.start),
            Column("To or as of", lambda o: _day(o.report.end), edit=report("end"), edit_value=lambda o: o.report.end),
            Column(
                "Its opinion",
                lambda o: o.report.opinion.label if o.report.opinion else "",
                edit=report("opinion", lambda v: Opinion(v) if v else None),
                edit_value=lambda o: o.report.opinion,
            ),
            Column(
                "Exceptions in it",
                lambda o: o.report.exceptions,
                edit=report("exceptions", str),
                tooltip=lambda o: o.report.exceptions,
                width=260,
            ),
            Column(
                "Reviewed on",
                lambda o: _day(o.report.reviewed_on),
                edit=report("reviewed_on"),
                edit_value=lambda o: o.report.reviewed_on,
            ),
            Column(
                "Bridge letter",
                lambda o: "",
                edit=lambda o, on: self._save(o, report=replace(o.report, bridge_letter=bool(on))),
                check=lambda o: o.report.bridge_letter,
            ),
        ]

    def show_organizations(self, organizations: tuple[SubserviceOrganization, ...]) -> None:
        self.model.set_rows(organizations)

    def _save(self, organization: SubserviceOrganization, **change: Any) -> None:
        wanted = replace(organization, **change)
        if wanted != organization:
            self.page.write(wanted.name, lambda db: subservice_service.update_organization(db, wanted))

    def _set_controls(self, organization: SubserviceOrganization, text: Any) -> None:
        refs, key = _codes(text), organization.id
        if refs != organization.controls and key is not None:
            label = f"Controls {organization.name} performs"
            self.page.write(label, lambda db: subservice_service.set_performed_controls(db, key, refs))

    def add_organization(self) -> None:
        method = SubserviceTreatment(self.method.value() or SubserviceTreatment.CARVE_OUT)
        found = SubserviceOrganization(self.name.text(), self.services.text(), method, report=SocReportReview())
        self.page.write(
            f"Added {found.name.strip() or 'a subservice organization'}",
            lambda db: subservice_service.add_organization(db, found),
            self._added,
        )

    def _added(self, _key: object) -> None:
        cleared(self.name, self.services)

    def remove_organization(self) -> None:
        remove_selected(self.page, self.table, lambda o: o.name, subservice_service.remove_organization)


class ComplementaryPanel(QWidget):
    """The CUECs and CSOCs: text, the organization a CSOC expects to perform it, the criteria it supports."""

    def __init__(self, page: Page, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.organizations: tuple[SubserviceOrganization, ...] = ()
        self.model = RowTableModel[ComplementaryControl](
            [
                Column("Reference", lambda c: c.ref),
                Column("Kind", lambda c: c.kind.short, tooltip=lambda c: c.kind.label),
                Column(
                    "Control",
                    lambda c: c.text,
                    edit=lambda c, text: self._save(replace(c, text=str(text))),
                    tooltip=lambda c: c.text,
                    width=420,
                ),
                Column("Performed by", lambda c: c.organization or "User entities", edit=self._set_organization),
                Column(
                    "Criteria it supports",
                    lambda c: ", ".join(c.criteria),
                    edit=lambda c, text: self._save(replace(c, criteria=_codes(text))),
                ),
            ],
            key=lambda c: c.id,
        )
        self.table = make_table(self.model, stretch=2, editable=True)
        self.kind = ChoiceBox(ComplementaryKind)
        for row, kind in enumerate(ComplementaryKind):  # the short name fits the entry line; the full one as tip
            self.kind.setItemText(row, kind.short)
            self.kind.setItemData(row, kind.label, Qt.ItemDataRole.ToolTipRole)
        self.kind.chosen.connect(lambda _kind: self._offer_organizations())
        self.organization = QComboBox()
        self.text = QLineEdit()
        self.text.setPlaceholderText("What the user entities (CUEC) or the organization (CSOC) are assumed to do")
        self.criteria = QLineEdit()
        self.criteria.setPlaceholderText("CC6.1, CC6.4")
        self.add = QPushButton("Add CUEC or CSOC to the &list")
        self.add.clicked.connect(self.add_complementary)
        self.remove = QPushButton("Remo&ve selected control")
        self.remove.clicked.connect(self.remove_complementary)
        layout = QVBoxLayout(self)
        layout.addWidget(note(COMPLEMENTARY_NOTE))
        layout.addWidget(self.table, 1)
        fields = [
            ("K&ind", self.kind, 0),
            ("Te&xt", self.text, 5),
            ("&Organization", self.organization, 2),
            ("&Criteria", self.criteria, 1),
        ]
        layout.addLayout(entry_row(fields, self.add, self.remove))

    def show_subservice(self, subservice: Subservice) -> None:
        self.organizations = subservice.organizations
        self.model.set_rows(subservice.complementary)
        self._offer_organizations()

    def _offer_organizations(self) -> None:
        """A CSOC is some organization's; a CUEC the user entities'."""
        csoc = self.kind.value() is ComplementaryKind.CSOC
        chosen = self.organization.currentText()
        self.organization.clear()
        for found in self.organizations if csoc else ():
            self.organization.addItem(found.name, found.id)
        if not csoc:
            self.organization.addItem("User entities", None)
        self.organization.setCurrentIndex(max(self.organization.findText(chosen), 0))
        self.organization.setEnabled(csoc)

    def _organization_named(self, name: str) -> SubserviceOrganization | None:
        return next((o for o in self.organizations if o.name.casefold() == name.strip().casefold()), None)

    def _set_organization(self, found: ComplementaryControl, text: Any) -> None:
        named = self._organization_named(str(text))
        if found.kind is ComplementaryKind.CSOC and named is None:
            self.page.refuse(f"There is no subservice organization named {text}.")
            return
        self._save(replace(found, organization_id=named.id if named else None))

    def _save(self, wanted: ComplementaryControl) -> None:
        if wanted not in self.model.rows:
            self.page.write(wanted.ref, lambda db: subservice_service.update_complementary(db, wanted))

    def add_complementary(self) -> None:
        kind = ComplementaryKind(self.kind.value() or ComplementaryKind.CUEC)
        organization = (
            self.organization.currentData(Qt.ItemDataRole.UserRole) if kind is ComplementaryKind.CSOC else None
        )
        found = ComplementaryControl(kind, self.text.text(), _codes(self.criteria.text()), organization_id=organization)
        self.page.write(
            f"Added a {kind.short}", lambda db: subservice_service.add_complementary(db, found), self._added
        )

    def _added(self, _key: object) -> None:
        cleared(self.text, self.criteria)

    def remove_complementary(self) -> None:
        remove_selected(self.page, self.table, lambda c: c.ref, subservice_service.remove_complementary)


class SubservicePanel(QSplitter):
    """Both lists on one tab: the organizations above the complementary controls that name them."""

    def __init__(self, page: Page, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.organizations = OrganizationsPanel(page)
        self.complementary = ComplementaryPanel(page)
        self.addWidget(self.organizations)
        self.addWidget(self.complementary)
        self.setStretchFactor(1, 2)  # organizations are few; the complementary controls many

    def show_subservice(self, subservice: Subservice) -> None:
        self.organizations.show_organizations(subservice.organizations)
        self.complementary.show_subservice(subservice)
