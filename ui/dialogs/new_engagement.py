"""The New engagement wizard: client, system, type and period, scope, team, passphrase, file, and a summary of
all of it before the file is created."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from fieldwork.app.domain.records import EngagementDetails, TeamMember
from fieldwork.app.domain.vocabulary import TSC_CATEGORIES, ReportType, Role
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.engagement import normalized, validate_details
from fieldwork.ui.date_fields import DateField
from fieldwork.ui.desktop import documents_folder
from fieldwork.ui.dialogs.passphrase import NewPassphraseFields
from fieldwork.ui.views.editing import problem_note
from fieldwork.ui.widgets import ChoiceBox, note


def _date_field(value: date) -> DateField:
    field = DateField()
    field.load(value)
    return field


class _Page(QWizardPage):
    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.error = problem_note()


class NewEngagementWizard(QWizard):
    """Collects an engagement's details; `details`, `team`, `passphrase` and `path` hold the answers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New engagement")
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.details: EngagementDetails | None = None
        self.team: list[TeamMember] = []
        self.passphrase: str | None = None
        self.remember = True
        self.path: Path | None = None
        self.addPage(self._client_page())
        self.addPage(self._period_page())
        self.addPage(self._scope_page())
        self.addPage(self._team_page())
        self.addPage(self._protection_page())
        self.addPage(self._file_page())
        self.addPage(self._summary_page())
        self.resize(640, 480)

    # -- pages -------------------------------------------------------------------------------------

    def _client_page(self) -> QWizardPage:
        page = _Page("Client and system", "Who is examined, and which system the report covers.")
        form = QFormLayout(page)
        self.client = QLineEdit()
        self.system = QLineEdit()
        form.addRow("Service &organization", self.client)
        form.addRow("&System", self.system)
        page.registerField("client*", self.client)
        page.registerField("system*", self.system)
        return page

    def _period_page(self) -> QWizardPage:
        page = _Page("Type and period", "Type 1 reports on design as of a date; Type 2 on operation through a period.")
        layout = QVBoxLayout(page)
        self.type1 = QRadioButton("SOC 2 Type &1 (as of a date)")
        self.type2 = QRadioButton("SOC 2 Type &2 (throughout a period)")
        self.type2.setChecked(True)
        group = QButtonGroup(page)
        group.addButton(self.type1)
        group.addButton(self.type2)
        today = date.today()
        self.as_of = _date_field(today)
        self.start = _date_field(date(today.year - 1, today.month, 1))
        self.end = _date_field(date(today.year, today.month, 1) - timedelta(days=1))
        form = QFormLayout()
        form.addRow(self.type1)
        form.addRow("&As of", self.as_of)
        form.addRow(self.type2)
        form.addRow("Period &start", self.start)
        form.addRow("Period &end", self.end)
        layout.addLayout(form)
        self.period_note = note()
        layout.addWidget(self.period_note)
        layout.addWidget(page.error)
        for edit in (self.as_of, self.start, self.end):
            edit.dateChanged.connect(self._check_period)
        self.type1.toggled.connect(self._check_period)
        page.validatePage = self._period_ok  # type: ignore[method-assign]
        self._period_page_widget = page
        return page

    def _scope_page(self) -> QWizardPage:
        page = _Page("Scope", "Security is always in scope; add the other Trust Services categories examined.")
        layout = QVBoxLayout(page)
        self.categories: dict[str, QCheckBox] = {}
        for category in TSC_CATEGORIES:
            box = QCheckBox(category)
            if category == "Security":
                box.setChecked(True)
                box.setEnabled(False)
            self.categories[category] = box
            layout.addWidget(box)
        layout.addWidget(QLabel("ISO/IEC 42001 scope of the AI management system:"))
        self.iso_scope = QPlainTextEdit()
        self.iso_scope.setTabChangesFocus(True)
        layout.addWidget(self.iso_scope)
        return page

    def _team_page(self) -> QWizardPage:
        page = _Page("Team", "The people on the engagement (name, initials, role).")
        layout = QVBoxLayout(page)
        self.team_table = QTableWidget(0, 3)
        self.team_table.setHorizontalHeaderLabels(["Name", "Initials", "Role"])
        self.team_table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.team_table)
        row = QHBoxLayout()
        add = QPushButton("&Add person")
        add.clicked.connect(self.add_person)
        remove = QPushButton("&Remove")
        remove.clicked.connect(lambda: self.team_table.removeRow(self.team_table.currentRow()))
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch()
        layout.addLayout(row)
        layout.addWidget(page.error)
        page.validatePage = lambda: self._team_ok(page)  # type: ignore[method-assign]
        return page

    def add_person(self) -> None:
        """A new row of the team, its role chosen from the roles Fieldwork knows (staff first)."""
        row = self.team_table.rowCount()
        self.team_table.insertRow(row)
        role = ChoiceBox(Role)
        role.load(Role.STAFF)
        self.team_table.setCellWidget(row, 2, role)
        self.team_table.setCurrentCell(row, 0)

    def _summary_page(self) -> QWizardPage:
        page = _Page("Summary", "Check what the engagement will hold; Back changes it, Finish creates the file.")
        layout = QVBoxLayout(page)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.summary)
        layout.addStretch()
        page.initializePage = self._summarize  # type: ignore[method-assign]
        return page

    def _summarize(self) -> None:
        details = self.details or self.collect()
        team = "<br>".join(f"{escape(m.name)} ({escape(m.initials)}), {m.role.label}" for m in self.team)
        protection = (
            "<b>NOT encrypted</b>: anyone with the file can read it"
            if self.passphrase is None
            else "Encrypted" + (", passphrase kept in this computer's keychain" if self.remember else "")
        )
        rows = [
            ("Service organization", escape(details.client)),
            ("System", escape(details.system_name)),
            ("Report", f"{details.report_type.label}, {details.period_label}"),
            ("Trust Services categories", ", ".join(details.tsc_categories)),
            ("ISO/IEC 42001 scope", escape(details.iso_scope) or "(not stated yet)"),
            ("Team", team or "Nobody yet: add the team in the engagement's settings."),
            ("File", f"{escape(str(self.path))}<br>{protection}"),
        ]
        self.summary.setText(
            "<table cellspacing='6'>"
            + "".join(f"<tr><td valign='top'><b>{k}</b></td><td>{v}</td></tr>" for k, v in rows)
            + "</table>"
        )

    def _protection_page(self) -> QWizardPage:
        page = _Page(
            "Passphrase",
            "The engagement file is encrypted. Fieldwork remembers the passphrase in this computer's keychain; "
            "on another computer you type it.",
        )
        layout = QVBoxLayout(page)
        self.passphrase_fields = NewPassphraseFields()
        layout.addWidget(self.passphrase_fields)
        self.remember_box = QCheckBox("Remember it in this computer's keychain")
        self.remember_box.setChecked(True)
        layout.addWidget(self.remember_box)
        self.unencrypted = QCheckBox("Create an UNENCRYPTED file (not recommended: anyone with the file can read it)")
        self.unencrypted.toggled.connect(self.passphrase_fields.setDisabled)
        layout.addWidget(self.unencrypted)
        layout.addWidget(page.error)
        page.validatePage = lambda: self._protection_ok(page)  # type: ignore[method-assign]
        return page

    def _file_page(self) -> QWizardPage:
        page = _Page("File", "Where to keep the engagement file.")
        layout = QHBoxLayout(page)
        self.file_field = QLineEdit()
        browse = QPushButton("&Browse...")
        browse.clicked.connect(self._browse)
        layout.addWidget(self.file_field)
        layout.addWidget(browse)
        page.initializePage = self._suggest_file  # type: ignore[method-assign]
        page.validatePage = lambda: self._file_ok(page)  # type: ignore[method-assign]
        outer = QVBoxLayout()
        outer.addWidget(page.error)
        layout.addLayout(outer)
        return page

    # -- checks ------------------------------------------------------------------------------------

    def collect(self) -> EngagementDetails:
        type1 = self.type1.isChecked()
        return normalized(
            EngagementDetails(
                client=self.client.text(),
                system_name=self.system.text(),
                report_type=ReportType.TYPE1 if type1 else ReportType.TYPE2,
                as_of_date=self.as_of.value() if type1 else None,
                period_start=None if type1 else self.start.value(),
                period_end=None if type1 else self.end.value(),
                tsc_categories=tuple(c for c, box in self.categories.items() if box.isChecked()),
                iso_scope=self.iso_scope.toPlainText(),
            )
        )

    def _check_period(self) -> bool:
        type1 = self.type1.isChecked()
        self.as_of.setEnabled(type1)
        self.start.setEnabled(not type1)
        self.end.setEnabled(not type1)
        try:
            warnings = validate_details(self.collect())
        except ValidationError as exc:
            self._period_page_widget.error.setText(exc.message)
            self.period_note.setText("")
            return False
        self._period_page_widget.error.setText("")
        self.period_note.setText(" ".join(warnings))
        return True

    def _period_ok(self) -> bool:
        return self._check_period()

    def _team_ok(self, page: _Page) -> bool:
        team = []
        for row in range(self.team_table.rowCount()):
            cells = [self.team_table.item(row, col) for col in range(2)]
            name, initials = (cell.text().strip() if cell else "" for cell in cells)
            if not (name or initials):
                continue
            box = self.team_table.cellWidget(row, 2)
            role = box.value() if isinstance(box, ChoiceBox) else None
            try:
                team.append(TeamMember(name, initials or "".join(p[0] for p in name.split()), Role(role or Role.STAFF)))
            except ValueError as exc:
                page.error.setText(f"Row {row + 1}: {exc}")
                return False
        self.team = team
        page.error.setText("")
        return True

    def _protection_ok(self, page: _Page) -> bool:
        if self.unencrypted.isChecked():
            self.passphrase = None
            return True
        try:
            self.passphrase = self.passphrase_fields.value()
        except ValidationError as exc:
            page.error.setText(exc.message)
            return False
        self.remember = self.remember_box.isChecked()
        page.error.setText("")
        return True

    def _suggest_file(self) -> None:
        if self.file_field.text():
            return
        name = re.sub(r"[^\w\- ]+", "", self.client.text()).strip() or "Engagement"
        self.file_field.setText(str(documents_folder() / f"{name}.fieldwork"))

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Engagement file", self.file_field.text(), "Engagements (*.fieldwork)"
        )
        if chosen:
            self.file_field.setText(chosen if chosen.endswith(".fieldwork") else chosen + ".fieldwork")

    def _file_ok(self, page: _Page) -> bool:
        path = Path(self.file_field.text().strip()).expanduser()
        if not self.file_field.text().strip():
            page.error.setText("Choose where to save the engagement file.")
            return False
        if path.exists():
            page.error.setText(f"{path.name} already exists; choose another name.")
            return False
        if not path.parent.is_dir():
            page.error.setText(f"The folder {path.parent} does not exist.")
            return False
        self.path = path
        self.details = self.collect()
        return True
