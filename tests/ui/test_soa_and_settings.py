"""The Statement of Applicability and the engagement settings, edited the way an auditor does."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from fieldwork.app.domain.vocabulary import DESCRIPTION_HEADINGS, ImplementationStatus, ReportType, Role
from fieldwork.app.services import engagement as engagement_service
from fieldwork.app.services.soa import list_soa
from fieldwork.ui.context import Target
from fieldwork.ui.views.settings import SettingsView
from fieldwork.ui.views.soa import IMPLEMENTATION, JUSTIFICATION, SoaView
from fieldwork.ui.workspace import Workspace

INCLUDED = 2
CHECK = Qt.ItemDataRole.CheckStateRole
UNCHECKED = Qt.CheckState.Unchecked.value


def soa_view(workspace: Workspace) -> SoaView:
    workspace.open_target(Target("soa"))
    view = workspace.views["soa"]
    assert isinstance(view, SoaView)
    return view


def settings_view(workspace: Workspace) -> SettingsView:
    workspace.open_target(Target("settings"))
    view = workspace.views["settings"]
    assert isinstance(view, SettingsView)
    return view


def saved_line(workspace: Workspace, code: str):  # type: ignore[no-untyped-def]
    return next(line for line in list_soa(workspace.db) if line.annex_code == code)


# -- Statement of Applicability ----------------------------------------------------------------------


def test_excluding_a_control_with_its_justification_is_saved(workspace: Workspace, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    view = soa_view(workspace)
    model = view.model
    qtmodeltester.check(model)
    assert model.rowCount() == 38
    row = model.row_of("A.10.4")
    assert row >= 0 and model.index(row, INCLUDED).data(CHECK) == Qt.CheckState.Checked

    reason = "The organization has no customers that use its AI systems."
    assert model.setData(model.index(row, JUSTIFICATION), reason)
    assert model.setData(model.index(row, INCLUDED), UNCHECKED, CHECK)

    line = saved_line(workspace, "A.10.4")
    assert not line.included and line.justification == reason
    assert model.index(row, INCLUDED).data(CHECK) == Qt.CheckState.Unchecked
    assert "37 included" in view.summary.text() and "1 excluded" in view.summary.text()
    assert view.problem.text() == ""
    qtmodeltester.check(model)


def test_an_exclusion_without_a_justification_is_refused_and_undone(workspace: Workspace, qtbot: QtBot) -> None:
    view = soa_view(workspace)
    model = view.model
    row = model.row_of("A.5.2")
    with qtbot.assertNotEmitted(workspace.ctx.runner.user_error):  # said once, beside the table
        model.setData(model.index(row, INCLUDED), UNCHECKED, CHECK)

    assert "needs a justification" in view.problem.text()
    assert saved_line(workspace, "A.5.2").included
    assert model.index(row, INCLUDED).data(CHECK) == Qt.CheckState.Checked, "the table shows what is saved"
    assert view.table.currentIndex() == model.index(row, JUSTIFICATION), "the keyboard waits where the reason goes"


def test_implementation_status_is_chosen_in_the_cell(workspace: Workspace, qtbot: QtBot) -> None:
    view = soa_view(workspace)
    model, table = view.model, view.table
    row = model.row_of("A.6.2.2")
    index = model.index(row, IMPLEMENTATION)
    assert index.data() == "Not assessed"

    table.setCurrentIndex(index)
    table.edit(index)
    editor = table.viewport().findChild(QComboBox)
    assert editor is not None
    editor.hidePopup()
    editor.setCurrentIndex(editor.findText(ImplementationStatus.PARTIAL.label))
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next turn of the event loop

    qtbot.waitUntil(lambda: saved_line(workspace, "A.6.2.2").implementation_status is not None)
    assert saved_line(workspace, "A.6.2.2").implementation_status is ImplementationStatus.PARTIAL
    assert model.index(row, IMPLEMENTATION).data() == "Partially implemented"

    assert model.setData(index, None)
    assert saved_line(workspace, "A.6.2.2").implementation_status is None


def test_the_table_keeps_its_place_when_it_reloads_after_an_edit(workspace: Workspace) -> None:
    view = soa_view(workspace)
    model, table = view.model, view.table
    row = 30
    table.setCurrentIndex(model.index(row, JUSTIFICATION))
    table.scrollTo(model.index(row, JUSTIFICATION))
    scrolled = table.verticalScrollBar().value()
    assert model.setData(model.index(row, JUSTIFICATION), "Needed for the platform's customers.")

    assert saved_line(workspace, model.rows[row].annex_code).justification == "Needed for the platform's customers."
    assert table.currentIndex() == model.index(row, JUSTIFICATION)
    assert table.verticalScrollBar().value() == scrolled


def test_implementing_controls_show_and_double_click_opens_the_annex_control(
    demo_workspace: Workspace, qtbot: QtBot
) -> None:
    view = soa_view(demo_workspace)
    model = view.model
    row = next(i for i, line in enumerate(model.rows) if line.controls)
    line = model.rows[row]
    assert model.index(row, 5).data() == ", ".join(line.controls)
    assert f"Result: {line.status.label}" in model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)

    view.table.setCurrentIndex(model.index(row, INCLUDED))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert demo_workspace.current == Target("soa"), "Enter on an editable cell does not leave the page"

    cell = view.table.visualRect(model.index(row, 0)).center()
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)  # a double-click starts as a click
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert demo_workspace.current == Target("requirement", line.annex_code)


# -- Engagement settings -------------------------------------------------------------------------------


def test_the_client_and_a_short_period_are_saved_with_a_warning(workspace: Workspace, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    view = settings_view(workspace)
    assert view.client.text() == "Acme Analytics"
    view.client.setText("Acme Analytics, Inc.")
    view.client.editingFinished.emit()
    assert engagement_service.get_details(workspace.db).client == "Acme Analytics, Inc."

    view.end.setDate(QDate(2026, 2, 14))  # picked while the field has no focus: saved at once
    details = engagement_service.get_details(workspace.db)
    assert details.period_end == date(2026, 2, 14) and details.period_start == date(2026, 1, 1)
    assert "45 days" in view.warnings.text()
    assert view.problem.text() == ""
    for model in (view.team.model, view.tickmarks.model):
        qtmodeltester.check(model)


def test_a_period_that_ends_before_it_starts_is_refused_and_the_form_reloads(workspace: Workspace) -> None:
    view = settings_view(workspace)
    view.end.setDate(QDate(2025, 6, 30))
    assert "before it starts" in view.problem.text()
    assert engagement_service.get_details(workspace.db).period_end == date(2026, 12, 31)
    assert view.end.value() == date(2026, 12, 31), "the field shows what is saved"


def test_type_1_shows_an_as_of_date_and_categories_and_options_are_saved(workspace: Workspace) -> None:
    view = settings_view(workspace)
    assert not view.categories["Security"].isEnabled() and view.categories["Security"].isChecked()
    view.categories["Privacy"].setChecked(True)
    assert "Privacy" in engagement_service.get_details(workspace.db).tsc_categories

    view.report_type.load(ReportType.TYPE1)
    view.report_type.activated.emit(view.report_type.currentIndex())
    details = engagement_service.get_details(workspace.db)
    assert details.report_type is ReportType.TYPE1 and details.as_of_date == date(2026, 12, 31)
    assert view.form.isRowVisible(view.as_of) and not view.form.isRowVisible(view.start)

    view.released.is_set.setChecked(True)
    view.released.picker.setDate(QDate(2027, 2, 15))
    assert engagement_service.get_details(workspace.db).report_release_date == date(2027, 2, 15)
    view.released.is_set.setChecked(False)
    assert engagement_service.get_details(workspace.db).report_release_date is None


def test_a_team_member_is_added_edited_and_removed(workspace: Workspace, qtbot: QtBot) -> None:
    view = settings_view(workspace)
    team = view.team
    view.tabs.setCurrentWidget(team)
    team.name.setText("Mira Okafor")
    team.role.load(Role.PARTNER)
    qtbot.mouseClick(team.add, Qt.MouseButton.LeftButton)

    added = [m for m in engagement_service.list_team(workspace.db) if m.name == "Mira Okafor"]
    assert [(m.initials, m.role) for m in added] == [("MO", Role.PARTNER)]
    assert team.name.text() == "", "the form is ready for the next person"
    row = team.model.row_of(added[0].id)
    assert team.model.setData(team.model.index(row, 2), Role.MANAGER)
    assert next(m for m in engagement_service.list_team(workspace.db) if m.id == added[0].id).role is Role.MANAGER

    team.name.setText("Someone Else")
    team.initials.setText("DR")  # already Dana Reyes's
    qtbot.mouseClick(team.add, Qt.MouseButton.LeftButton)
    assert "already used" in view.problem.text()

    team.table.setCurrentIndex(team.model.index(row, 0))
    qtbot.mouseClick(team.remove, Qt.MouseButton.LeftButton)
    assert added[0].id not in {m.id for m in engagement_service.list_team(workspace.db)}
    assert team.model.rowCount() == 2


def test_a_tickmark_is_added_and_its_meaning_edited(workspace: Workspace, qtbot: QtBot) -> None:
    view = settings_view(workspace)
    marks = view.tickmarks
    marks.symbol.setText("t")
    marks.meaning.setText("Traced to the population listing")
    qtbot.mouseClick(marks.add, Qt.MouseButton.LeftButton)
    assert ("t", "Traced to the population listing") in {
        (m.symbol, m.meaning) for m in engagement_service.list_tickmarks(workspace.db)
    }

    row = marks.model.row_of("t")
    assert marks.model.setData(marks.model.index(row, 1), "Traced to the listing and back")
    saved = {m.symbol: m.meaning for m in engagement_service.list_tickmarks(workspace.db)}
    assert saved["t"] == "Traced to the listing and back"

    marks.symbol.setText("a")
    marks.meaning.setText("Something else")
    qtbot.mouseClick(marks.add, Qt.MouseButton.LeftButton)
    assert "already exists" in view.problem.text()
    assert {m.symbol: m.meaning for m in engagement_service.list_tickmarks(workspace.db)}["a"] == saved["a"]


def test_a_description_section_is_saved_when_the_auditor_moves_on(workspace: Workspace) -> None:
    view = settings_view(workspace)
    panel = view.description
    view.tabs.setCurrentWidget(panel)
    panel.headings.setCurrentRow(2)
    assert panel.code == "DC3"
    panel.editor.setPlainText("The platform runs on managed Kubernetes in two regions.")
    panel.headings.setCurrentRow(3)  # moving to the next heading commits the one left

    texts = engagement_service.system_description(workspace.db)
    assert texts["DC3"] == "The platform runs on managed Kubernetes in two regions."
    assert texts["DC4"] == "" and panel.code == "DC4"
    panel.headings.setCurrentRow(2)
    assert panel.editor.toPlainText() == texts["DC3"]
    assert panel.headings.count() == len(DESCRIPTION_HEADINGS)


def _mnemonics(widget: QWidget) -> list[str]:
    texts = [w.text() for w in widget.findChildren(QWidget) if isinstance(w, QLabel | QAbstractButton)]
    return [t[t.index("&") + 1].lower() for t in texts if "&" in t]


def test_mnemonics_on_each_tab_do_not_clash_with_the_tabs_or_the_menus(workspace: Workspace) -> None:
    view = settings_view(workspace)
    tabs: QTabWidget = view.tabs
    bar = [tabs.tabText(i) for i in range(tabs.count())]
    menus = ["f", "e", "g", "h"]  # File, Edit, Go, Help
    shared = [t[t.index("&") + 1].lower() for t in bar] + menus
    for i in range(tabs.count()):
        keys = shared + _mnemonics(tabs.widget(i))
        assert len(keys) == len(set(keys)), f"{tabs.tabText(i)}: {sorted(keys)}"
