"""The settings page's subservice lists, used as an auditor does: organizations added and edited in the table,
CUECs and CSOCs added with their criteria, a refusal said at the top of the page."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from fieldwork.app.domain.records import ControlInput
from fieldwork.app.domain.subservice import ComplementaryKind
from fieldwork.app.domain.vocabulary import Opinion, ReportType, SubserviceTreatment
from fieldwork.app.services import controls
from fieldwork.app.services.subservice import list_subservice
from fieldwork.ui.views.settings_subservice import METHOD, OPINION, REPORT_TYPE, REVIEWED
from fieldwork.ui.workspace import Workspace
from tests.ui.test_soa_and_settings import CHECK, settings_view

ASSERTION, PERFORMS = 3, 4


def test_an_inclusive_organization_is_added_edited_and_its_controls_marked(workspace: Workspace, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    controls.create_control(workspace.db, ControlInput("Identity provider MFA"), ["CC6.1"])
    panel = settings_view(workspace).subservice.organizations
    assert panel.model.rowCount() == 0, "a new engagement has none"
    panel.name.setText("Okta, Inc.")
    panel.services.setText("identity")
    panel.add.click()
    model = panel.model
    assert [o.name for o in model.rows] == ["Okta, Inc."] and panel.name.text() == ""

    model.setData(model.index(0, METHOD), SubserviceTreatment.INCLUSIVE)
    model.setData(model.index(0, ASSERTION), Qt.CheckState.Checked.value, CHECK)
    model.setData(model.index(0, PERFORMS), "c-001")
    model.setData(model.index(0, REPORT_TYPE), ReportType.TYPE1)
    model.setData(model.index(0, OPINION), Opinion.QUALIFIED)
    model.setData(model.index(0, REVIEWED), date(2026, 10, 1))

    (saved,) = list_subservice(workspace.db).organizations
    assert saved.method is SubserviceTreatment.INCLUSIVE and saved.assertion_received
    assert saved.controls == ("C-001",)
    assert saved.report.report_type is ReportType.TYPE1 and saved.report.opinion is Opinion.QUALIFIED
    assert saved.report.reviewed_on == date(2026, 10, 1)
    assert model.data(model.index(0, PERFORMS)) == "C-001"
    qtmodeltester.check(model)


def test_a_csoc_names_its_organization_and_keeps_it_from_being_removed(workspace: Workspace, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    view = settings_view(workspace)
    organizations, complementary = view.subservice.organizations, view.subservice.complementary
    organizations.name.setText("Amazon Web Services, Inc.")
    organizations.add.click()
    complementary.kind.load(ComplementaryKind.CSOC)
    complementary.kind.chosen.emit(ComplementaryKind.CSOC)
    assert complementary.organization.currentText() == "Amazon Web Services, Inc."
    complementary.text.setText("AWS restricts physical access to data centers.")
    complementary.criteria.setText("CC6.4")
    complementary.add.click()
    complementary.kind.load(ComplementaryKind.CUEC)
    complementary.kind.chosen.emit(ComplementaryKind.CUEC)
    complementary.text.setText("User entities review their users' access.")
    complementary.criteria.setText("CC6.2, CC6.3")
    complementary.add.click()

    rows = [(c.ref, c.organization, c.criteria) for c in complementary.model.rows]
    assert rows == [
        ("CUEC-01", "", ("CC6.2", "CC6.3")),
        ("CSOC-01", "Amazon Web Services, Inc.", ("CC6.4",)),
    ]
    complementary.criteria.setText("XX9.9")
    complementary.text.setText("Another")
    complementary.add.click()
    assert "Not a trust services criterion: XX9.9." in view.problem.text()

    organizations.table.setCurrentIndex(organizations.model.index(0, 0))
    organizations.remove.click()
    assert "CSOC-01 names this subservice organization" in view.problem.text()
    assert len(list_subservice(workspace.db).organizations) == 1
    qtmodeltester.check(complementary.model)
