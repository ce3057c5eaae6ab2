"""The lists kept in the engagement settings: the team, the tickmark legend, the description of the system.

Each panel saves through its page (`SettingsView.write`), so every refusal is said in the
same place, at the top of the page, whichever tab it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fieldwork.app.domain.records import TeamMember, Tickmark
from fieldwork.app.domain.vocabulary import DESCRIPTION_HEADINGS, Role
from fieldwork.app.engagement import Engagement
from fieldwork.app.services import engagement as engagement_service
from fieldwork.app.services.signables import ItemType
from fieldwork.ui.delegates import ChoiceDelegate
from fieldwork.ui.flow_row import FlowRow, labelled
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.review_strip import ReviewStrip
from fieldwork.ui.tables import make_table
from fieldwork.ui.widgets import ChoiceBox, CommitTextEdit, note


class Page(Protocol):
    def write(
        self, label: str, work: Callable[[Engagement], Any], on_done: Callable[[Any], None] | None = None
    ) -> None: ...

    def refuse(self, message: str) -> None: ...


def selected_row(table: QTableView) -> int:
    index = table.currentIndex()
    return index.row() if index.isValid() else -1


def entry_row(fields: Sequence[tuple[str, QWidget, int]], add: QPushButton, remove: QPushButton) -> FlowRow:
    """One line under the table to add an entry: labelled fields (with their share of the width), then the buttons;
    on a narrow page it wraps, each label staying with its field."""
    row = FlowRow()
    for text, field, stretch in fields:
        row.addWidget(labelled(text, field), stretch)
    row.addWidget(add)
    row.addSpacing(24)
    row.addWidget(remove)
    return row


class TeamPanel(QWidget):
    """The people on the engagement: edited in the table, added from one line under it without leaving the tab."""

    def __init__(self, page: Page, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.model = RowTableModel[TeamMember](
            [
                Column("Name", lambda m: m.name, edit=lambda m, text: self._update(m, name=str(text)), width=320),
                Column("Initials", lambda m: m.initials, edit=lambda m, text: self._update(m, initials=str(text))),
                Column(
                    "Role",
                    lambda m: m.role.label,
                    edit=lambda m, role: self._update(m, role=Role(role)),
                    edit_value=lambda m: m.role,
                ),
            ],
            key=lambda m: m.id,
        )
        self.table = make_table(self.model, stretch=None, editable=True)
        self.table.setItemDelegateForColumn(2, ChoiceDelegate(Role, parent=self.table))
        self.name = QLineEdit()
        self.name.setPlaceholderText("Full name")
        self.initials = QLineEdit()
        self.initials.setPlaceholderText("From the name if empty")
        self.role = ChoiceBox(Role)
        self.add = QPushButton("A&dd to the team")
        self.add.clicked.connect(self.add_member)
        self.name.returnPressed.connect(self.add_member)
        self.initials.returnPressed.connect(self.add_member)
        self.remove = QPushButton("Remo&ve selected person")
        self.remove.clicked.connect(self.remove_member)

        layout = QVBoxLayout(self)
        layout.addWidget(note("Edit a name, initials or role in the table (F2 or double-click)."))
        layout.addWidget(self.table, 1)
        fields = [("N&ame", self.name, 3), ("&Initials", self.initials, 2), ("R&ole", self.role, 0)]
        layout.addLayout(entry_row(fields, self.add, self.remove))

    def show_team(self, team: Sequence[TeamMember]) -> None:
        self.model.set_rows(team)

    def _update(self, member: TeamMember, **change: Any) -> None:
        wanted = replace(member, **change)
        if wanted != member:
            self.page.write(
                f"Team member {wanted.initials}", lambda db: engagement_service.update_team_member(db, wanted)
            )

    def add_member(self) -> None:
        name = self.name.text().strip()
        initials = self.initials.text().strip() or "".join(part[0] for part in name.split()).upper()
        member = TeamMember(name, initials, Role(self.role.value() or Role.STAFF))
        self.page.write(
            f"Added {name or 'a team member'}", lambda db: engagement_service.add_team_member(db, member), self._added
        )

    def _added(self, _member_id: int) -> None:
        self.name.clear()
        self.initials.clear()
        self.name.setFocus()

    def remove_member(self) -> None:
        row = selected_row(self.table)
        if row < 0:
            return
        member = self.model.rows[row]
        member_id = member.id or 0
        self.page.write(f"Removed {member.name}", lambda db: engagement_service.remove_team_member(db, member_id))


class TickmarkPanel(QWidget):
    """The legend of the symbols used on sample items; the symbol is the key, its meaning is edited."""

    def __init__(self, page: Page, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.model = RowTableModel[Tickmark](
            [
                Column("Symbol", lambda t: t.symbol),
                Column("Meaning", lambda t: t.meaning, edit=self._set_meaning, tooltip=lambda t: t.meaning),
            ],
            key=lambda t: t.symbol,
        )
        self.table = make_table(self.model, stretch=1, editable=True)
        self.symbol = QLineEdit()
        self.symbol.setMaxLength(8)
        self.symbol.setPlaceholderText("e.g. a or ✓")
        self.meaning = QLineEdit()
        self.meaning.setPlaceholderText("What the auditor did and found when this mark is used")
        self.add = QPushButton("&Add tickmark")
        self.add.clicked.connect(self.add_tickmark)
        self.meaning.returnPressed.connect(self.add_tickmark)
        self.remove = QPushButton("Remo&ve selected tickmark")
        self.remove.clicked.connect(self.remove_tickmark)

        layout = QVBoxLayout(self)
        layout.addWidget(note("Sample items use these symbols. Edit a meaning in the table (F2 or double-click)."))
        layout.addWidget(self.table, 1)
        fields = [("S&ymbol", self.symbol, 1), ("Mean&ing", self.meaning, 6)]
        layout.addLayout(entry_row(fields, self.add, self.remove))

    def show_tickmarks(self, marks: Sequence[Tickmark]) -> None:
        self.model.set_rows(marks)

    def _set_meaning(self, mark: Tickmark, text: Any) -> None:
        wanted = Tickmark(mark.symbol, str(text))
        if wanted != mark:
            self.page.write(f"Tickmark {mark.symbol}", lambda db: engagement_service.set_tickmark(db, wanted))

    def add_tickmark(self) -> None:
        mark = Tickmark(self.symbol.text().strip(), self.meaning.text().strip())
        if self.model.row_of(mark.symbol) >= 0:
            # set_tickmark would quietly replace the meaning; adding should not.
            self.table.setCurrentIndex(self.model.index(self.model.row_of(mark.symbol), 1))
            self.page.refuse(f"Tickmark {mark.symbol} already exists; edit its meaning in the table.")
            return
        self.page.write(
            f"Added tickmark {mark.symbol}", lambda db: engagement_service.set_tickmark(db, mark), self._added
        )

    def _added(self, _result: None) -> None:
        self.symbol.clear()
        self.meaning.clear()
        self.symbol.setFocus()

    def remove_tickmark(self) -> None:
        row = selected_row(self.table)
        if row >= 0:
            symbol = self.model.rows[row].symbol
            self.page.write(f"Removed tickmark {symbol}", lambda db: engagement_service.remove_tickmark(db, symbol))


#: How a section carried forward from the prior period is marked until it is edited.
TO_UPDATE = "⟳ to update"
CARRIED = "Carried forward from the prior period: update it for this period (the mark goes once it is edited)."


class DescriptionPanel(QWidget):
    """The client's description of the system under the DC 200 headings: pick a heading, write its text."""

    def __init__(self, page: Page, review: ReviewStrip | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.review = review
        self.texts: dict[str, str] = dict.fromkeys(DESCRIPTION_HEADINGS, "")
        self.to_update: frozenset[str] = frozenset()
        self.headings = QListWidget()
        self.headings.setWordWrap(True)
        self.headings.setSpacing(3)  # wrapped headings read as separate entries
        for code, title in DESCRIPTION_HEADINGS.items():
            item = QListWidgetItem(f"{code}  {title}")
            item.setData(Qt.ItemDataRole.UserRole, code)
            self.headings.addItem(item)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.editor = CommitTextEdit()
        self.editor.committed.connect(self._save)
        self.still_right = QPushButton("&Still right for this period")
        self.still_right.setToolTip("Keep the text as it is and remove the mark carried forward from the prior period")
        self.still_right.clicked.connect(lambda: self._save(self.editor.toPlainText()))
        self.code = ""

        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        label = QLabel("Hea&dings (DC 200)")
        label.setBuddy(self.headings)
        column.addWidget(label)
        column.addWidget(self.headings)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.title)
        if review is not None:
            column.addWidget(review)
        column.addWidget(self.still_right, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.editor)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(note("The description the service organization gives of its system, saved per heading."))
        layout.addWidget(split, 1)
        self.headings.currentRowChanged.connect(self._choose)
        self.headings.setCurrentRow(0)

    def show_description(self, texts: dict[str, str], to_update: frozenset[str] = frozenset()) -> None:
        """The texts, each heading carried forward from the prior period marked until its text is edited."""
        self.texts, self.to_update = dict(texts), to_update
        for row in range(self.headings.count()):
            item = self.headings.item(row)
            code = item.data(Qt.ItemDataRole.UserRole)
            marked = code in to_update
            item.setText(f"{code}  {DESCRIPTION_HEADINGS[code]}" + (f"  {TO_UPDATE}" if marked else ""))
            item.setToolTip(CARRIED if marked else "" if self.texts.get(code) else "Not written yet")
            item.setForeground(self.palette().text() if self.texts.get(code) else self.palette().placeholderText())
        self._title()
        if not self.editor.hasFocus():
            self.editor.load(self.texts.get(self.code, ""))
        self._show_review()

    def _show_review(self) -> None:
        """The heading's sign-offs, read once the page shows (not while it is being built)."""
        if self.review is not None and self.code and self.isVisible():
            self.review.show_item(ItemType.DESCRIPTION, self.code)

    def choose(self, code: str) -> None:
        """Show a heading (opened from a review note or a changed item)."""
        self.headings.setCurrentRow(list(DESCRIPTION_HEADINGS).index(code))

    def _title(self) -> None:
        carried = self.code in self.to_update
        marked = f"<br><i>{CARRIED}</i>" if carried else ""
        self.title.setText(f"<b>{self.code}  {DESCRIPTION_HEADINGS[self.code]}</b>{marked}")
        self.still_right.setVisible(carried)

    def _choose(self, row: int) -> None:
        self.editor.flush()  # saves the heading being left, under its own code
        self.code = self.headings.item(row).data(Qt.ItemDataRole.UserRole)
        self._title()
        self.editor.load(self.texts.get(self.code, ""))
        self._show_review()

    def _save(self, text: str) -> None:
        code = self.code
        self.texts[code] = text
        self.page.write(
            f"{code} of the description", lambda db: engagement_service.set_description_section(db, code, text)
        )
