"""Roll forward: next period's engagement from the open one, asked for in one dialog.

The dialog only gathers the choices (the period, the new file, its passphrase, whether documents come too); the
roll-forward itself runs off the GUI thread with a progress dialog and Cancel (`MainWindow.roll_forward`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from fieldwork.app.domain.records import EngagementDetails
from fieldwork.app.domain.vocabulary import ReportType
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.engagement import validate_details
from fieldwork.app.services.roll_forward import NewPeriod, rolled_details
from fieldwork.ui.date_fields import DateField
from fieldwork.ui.dialogs.foot import dialog_foot
from fieldwork.ui.dialogs.passphrase import NewPassphraseFields
from fieldwork.ui.widgets import note


@dataclass(frozen=True)
class RollChoice:
    period: NewPeriod
    path: Path
    #: None: the open engagement's own passphrase (or, for a plain one, a plain new file).
    passphrase: str | None
    with_evidence: bool
    remember: bool


def next_period(details: EngagementDetails) -> NewPeriod:
    """The period after the open one, as long as it: what the dialog offers first."""
    if details.report_type is ReportType.TYPE1 and details.as_of_date:
        return NewPeriod(ReportType.TYPE1, as_of=_a_year_on(details.as_of_date))
    start, end = details.period_start or date.today(), details.period_end or date.today()
    return NewPeriod(ReportType.TYPE2, end + timedelta(days=1), end + timedelta(days=1) + (end - start))


def _a_year_on(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _field(value: date | None) -> DateField:
    field = DateField()
    field.load(value or date.today())
    return field


class RollForwardDialog(QDialog):
    """`choice` holds the answers once accepted."""

    def __init__(self, source: Path, encrypted: bool, details: EngagementDetails, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Roll forward: {source.name}")
        self.details, self.encrypted = details, encrypted
        self.choice: RollChoice | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(
            note(
                "A new engagement for the next period, starting from this one: the team, tickmarks, the description "
                "of the system (each section marked to update), the controls and their links, the test plans, the "
                "SoA, the PBC list (reopened, due dates moved) and the ISO findings still open, to follow up. "
                "No samples, results or conclusions. This file is read only and stays exactly as it is."
            )
        )
        offered = next_period(details)
        form = QFormLayout()
        self.type1 = QRadioButton("SOC 2 Type &1 as of")
        self.type2 = QRadioButton("SOC 2 Type &2 from")
        group = QButtonGroup(self)
        group.addButton(self.type1)
        group.addButton(self.type2)
        (self.type1 if offered.report_type is ReportType.TYPE1 else self.type2).setChecked(True)
        self.as_of, self.start, self.end = _field(offered.as_of), _field(offered.start), _field(offered.end)
        form.addRow(self.type1, self.as_of)
        period = QHBoxLayout()
        period.addWidget(self.start)
        period.addWidget(note("to"))
        period.addWidget(self.end)
        form.addRow(self.type2, period)
        self.path = QLineEdit(str(source.with_name(f"{source.stem} - next period to {offered.last_day}.fieldwork")))
        browse = QPushButton("&Browse...")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        label = QLabel("New &file")
        label.setBuddy(self.path)
        form.addRow(label, where)
        self.evidence = QCheckBox("Copy the documents linked to controls (policies, charters), marked prior-period")
        form.addRow("", self.evidence)
        layout.addLayout(form)
        self.new_passphrase = QCheckBox(
            "Encrypt it with a new passphrase" if encrypted else "Encrypt it with a passphrase (recommended)"
        )
        self.new_passphrase.setChecked(not encrypted)
        layout.addWidget(self.new_passphrase)
        if encrypted:
            layout.addWidget(note("Otherwise it is encrypted with this engagement's passphrase."))
        self.fields = NewPassphraseFields()
        layout.addWidget(self.fields)
        self.remember = QCheckBox("Remember the passphrase in this computer's keychain")
        self.remember.setChecked(True)
        layout.addWidget(self.remember)
        self.new_passphrase.toggled.connect(self.fields.setEnabled)
        self.fields.setEnabled(self.new_passphrase.isChecked())
        self.type1.toggled.connect(self._type_chosen)
        self._type_chosen()
        layout.addStretch()
        self.error, self.buttons = dialog_foot(self, layout.addWidget, self._accept)
        self.resize(720, self.sizeHint().height())

    def _type_chosen(self) -> None:
        type1 = self.type1.isChecked()
        self.as_of.setEnabled(type1)
        for field in (self.start, self.end):
            field.setEnabled(not type1)

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "New engagement", self.path.text(), "Engagements (*.fieldwork)")
        if chosen:
            self.path.setText(chosen)

    def _period(self) -> NewPeriod:
        if self.type1.isChecked():
            return NewPeriod(ReportType.TYPE1, as_of=self.as_of.value())
        return NewPeriod(ReportType.TYPE2, self.start.value(), self.end.value())

    def _accept(self) -> None:
        try:
            period = self._period()
            validate_details(rolled_details(self.details, period))
            path = Path(self.path.text().strip())
            if not self.path.text().strip() or path.exists():
                raise ValidationError("Choose a new file for the next period's engagement (it must not exist yet).")
            passphrase = self.fields.value() if self.new_passphrase.isChecked() else None
        except ValidationError as exc:
            self.error.setText(exc.message)
            return
        self.choice = RollChoice(period, path, passphrase, self.evidence.isChecked(), self.remember.isChecked())
        self.accept()
