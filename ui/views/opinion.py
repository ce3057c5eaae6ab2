"""The opinion worksheet: the opinion recorded per area beside the file's proposal, what does not support it,
every matter the opinion weighs (each opening what it names), and the misstatements of the description.

Description misstatements are kept here rather than on the settings page beside the DC sections: they are
judgements that bear on the opinion on the description, and the auditor weighs them with the other matters.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QFrame, QSplitter, QTabWidget, QVBoxLayout, QWidget

from fieldwork.app.domain.judgements import Misstatement, OpinionArea
from fieldwork.app.domain.vocabulary import DESCRIPTION_HEADINGS, Opinion, Status
from fieldwork.app.pages.opinion import MatterLine, Opens, OpinionPage, load_opinion_page
from fieldwork.app.services import misstatements as misstatement_service
from fieldwork.app.services.deleting import what_goes_with_misstatement
from fieldwork.app.services.signables import OPINION_KEY, ItemType
from fieldwork.ui.context import UiContext
from fieldwork.ui.dialogs.confirm_delete import confirm_delete
from fieldwork.ui.dialogs.misstatement import MisstatementDialog
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.review_strip import ReviewStrip
from fieldwork.ui.side_by_side import SideBySide
from fieldwork.ui.status_style import COLOURS
from fieldwork.ui.tables import make_table, selected_rows
from fieldwork.ui.views.base import DetailView
from fieldwork.ui.views.opinion_area import TITLES, AreaEditor
from fieldwork.ui.widgets import button_row, heading, note

#: The matter column's least width (about 35 characters).
MATTER_WIDTH = 220

SHORT_AREAS = {OpinionArea.DESCRIPTION: "description", OpinionArea.DESIGN: "design", OpinionArea.OPERATION: "operation"}


def _bears_on(line: MatterLine) -> str:
    areas = ", ".join(SHORT_AREAS[a] for a in line.areas) or "(findings register)"
    return f"{areas} · {line.framework.label}" if line.framework else areas


def _yes(value: bool) -> str:
    return "Yes" if value else "No"


class ReasonsPanel(QFrame):
    """Whether the file supports the opinion recorded; when it does not, why, in a panel that cannot be missed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = note()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.text)

    def show_page(self, page: OpinionPage) -> None:
        worksheet = page.worksheet
        if worksheet.supported:
            self.setStyleSheet(f"ReasonsPanel {{ border-left: 4px solid {COLOURS[Status.CONCLUDED]}; }}")
            self.text.setText("✓ The file supports the opinion recorded.")
            return
        self.setStyleSheet(
            f"ReasonsPanel {{ border: 1px solid {COLOURS[Status.EXCEPTIONS]}; "
            f"border-left: 6px solid {COLOURS[Status.EXCEPTIONS]}; background: #fce8e6; }}"
        )
        items = "".join(f"<li>{escape(reason)}</li>" for reason in worksheet.reasons)
        self.text.setText(
            f"<b style='color:{COLOURS[Status.EXCEPTIONS]}'>⚠ The file does not support the opinion recorded "
            f"({len(worksheet.reasons)}):</b><ul style='margin:0'>{items}</ul>"
        )


class OpinionView(DetailView):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.page: OpinionPage | None = None
        self.dialog: MisstatementDialog | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Opinion worksheet"))
        self.summary = note()
        layout.addWidget(self.summary)
        self.review = ReviewStrip(ctx)
        layout.addWidget(self.review)
        self.reasons = ReasonsPanel()
        layout.addWidget(self.reasons)
        self.areas = {area: AreaEditor(ctx, area) for area in OpinionArea}
        # The three areas side by side need ~630 px: on half a screen they are tabs.
        areas = SideBySide([(TITLES[area].replace("&", ""), editor) for area, editor in self.areas.items()])
        self.area_panes = areas
        self.tabs = QTabWidget()
        self.tabs.addTab(self._matters_tab(), "")
        self.tabs.addTab(self._misstatements_tab(), "")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(areas)
        split.addWidget(self.tabs)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)

    def _matters_tab(self) -> QWidget:
        self.matters = RowTableModel[MatterLine](
            [
                Column("Kind", lambda m: m.kind.label),
                Column("Matter", lambda m: m.text, tooltip=lambda m: m.text),
                Column("Bears on", _bears_on),
            ],
            key=lambda m: (m.kind, m.text),
        )
        # The matter is what is read: on half a screen it keeps its width and the table scrolls sideways.
        self.matter_table = make_table(self.matters, stretch=1, row_lines=2, stretch_at_least=MATTER_WIDTH)
        self.matter_table.activated.connect(self._open_matter)
        return self.matter_table

    def _misstatements_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        self.misstatements = RowTableModel[Misstatement](
            [
                Column("Ref", lambda m: m.ref),
                Column("Section", lambda m: f"{m.section} {DESCRIPTION_HEADINGS.get(m.section, '')}"),
                Column("What is misstated", lambda m: m.description, tooltip=lambda m: m.description),
                Column("Material", lambda m: _yes(m.material)),
                Column("Corrected", lambda m: _yes(m.corrected)),
            ],
            key=lambda m: m.id,
        )
        self.misstatement_table = make_table(self.misstatements, stretch=2)
        self.misstatement_table.activated.connect(lambda index: self.edit(self.misstatements.row(index)))
        layout.addWidget(self.misstatement_table)
        actions, _buttons = button_row(
            [("&Add misstatement...", lambda: self.edit(None)), ("Ed&it...", self.edit_selected)],
            trailing=[("De&lete...", self.delete_selected)],
        )
        layout.addLayout(actions)
        return tab

    # -- loading --------------------------------------------------------------------------------------

    def load(self) -> None:
        self.ctx.read("Loading the opinion worksheet", load_opinion_page, self._show)
        self.review.show_item(ItemType.OPINION, OPINION_KEY)

    def _show(self, page: OpinionPage) -> None:
        self.page = page
        worksheet = page.worksheet
        recorded, proposed = worksheet.overall_recorded, worksheet.overall_proposed
        colour = COLOURS[Status.EXCEPTIONS if proposed is not Opinion.UNMODIFIED else Status.CONCLUDED]
        self.summary.setText(
            f"{page.report_type.label} · opinion recorded: <b>{recorded.label}</b> · "
            f"the file proposes: <b style='color:{colour}'>{proposed.label}</b>. "
            "Each area is judged separately, for the SOC 2 criteria and the ISO/IEC 42001 requirements."
        )
        self.reasons.show_page(page)
        shown = {row.recorded.area: row for row in page.areas}
        for index, (area, editor) in enumerate(self.areas.items()):
            # A Type 1 report gives no opinion on operating effectiveness.
            self.area_panes.show_panel(index, area in shown)
            if area in shown:
                editor.show_row(shown[area])
        self.matters.set_rows(page.matters)
        self.misstatements.set_rows(page.misstatements)
        self.tabs.setTabText(0, f"&Matters the opinion weighs ({len(page.matters)})")
        self.tabs.setTabText(1, f"Description misstatemen&ts ({len(page.misstatements)})")

    # -- matters ---------------------------------------------------------------------------------------

    def _open_matter(self, index: QModelIndex) -> None:
        line = self.matters.row(index)
        if line.opens is Opens.MISSTATEMENT:
            row = self.misstatements.row_of(line.key)
            self.tabs.setCurrentIndex(1)
            if row >= 0:
                self.misstatement_table.selectRow(row)
        elif line.target is not None:
            self.ctx.open(line.target)

    # -- misstatements ---------------------------------------------------------------------------------

    def edit(self, existing: Misstatement | None) -> None:
        self.dialog = MisstatementDialog(self.ctx, existing, self)
        self.dialog.open()

    def _selected(self) -> Misstatement | None:
        rows = selected_rows(self.misstatement_table)
        return self.misstatements.rows[rows[0]] if rows else None

    def edit_selected(self) -> None:
        if chosen := self._selected():
            self.edit(chosen)

    def delete_selected(self) -> None:
        chosen = self._selected()
        if chosen is not None:
            confirm_delete(
                self.ctx,
                self,
                "Delete misstatement",
                f"Delete {chosen.ref}: {chosen.description}?",
                lambda db: what_goes_with_misstatement(db, chosen.id),
                lambda: self.ctx.write(
                    f"Deleted {chosen.ref}", lambda db: misstatement_service.delete_misstatement(db, chosen.id)
                ),
            )
