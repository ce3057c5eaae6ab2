"""The report and the workbook say when controls changed during the period and what each test covered."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from fieldwork.app.domain.over_time import ControlDates, TestRound, TestTiming
from fieldwork.app.domain.records import ControlInput, DeviationInput, SampleItemInput, TestPlan
from fieldwork.app.domain.vocabulary import Conclusion, Method, SampleResult, TestKind
from fieldwork.app.exports.dataset import ReportData, gather
from fieldwork.app.exports.report.build import build_report
from fieldwork.app.exports.report.model import Audience, ReportOptions
from fieldwork.app.exports.workbook import write_workbook
from fieldwork.app.services import controls, deviations, testing
from fieldwork.app.services.control_dates import set_control_dates
from fieldwork.app.services.engagement import create_engagement
from fieldwork.app.services.test_windows import set_test_timing
from fieldwork.app.tasks import Task
from tests.conftest import TEAM, type2_details
from tests.report_reading import render_docx
from tests.sampling_helpers import assess_population

PLAN = TestPlan(TestKind.OPERATING, "Inspected each item", (Method.INSPECTION,))


def _test(db: object, ref: str, timing: TestTiming | None = None) -> testing.ControlTest:
    made = testing.add_test(db, ref, PLAN)  # type: ignore[arg-type]
    return set_test_timing(db, made.id, timing) if timing else made  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    """A replaced control, one implemented mid-period, an interim/update pair, a remediation retest, and a key
    control tested at interim only."""
    db, _ = create_engagement(tmp_path_factory.mktemp("over") / "o.fieldwork", type2_details(), TEAM)
    try:
        old = controls.create_control(db, ControlInput("Manual escalation of overdue training"), ["CC1.4"])
        new = controls.create_control(db, ControlInput("LMS escalates overdue training"), ["CC1.4"])
        set_control_dates(db, new.id, ControlDates(date(2026, 4, 9), replaces=old.ref))
        late = controls.create_control(db, ControlInput("Interview summaries reviewed"), ["CC6.2"])
        set_control_dates(db, late.id, ControlDates(effective_from=date(2026, 7, 1)))
        _test(db, late.ref)
        pair = controls.create_control(db, ControlInput("Access provisioning"), ["CC6.1"])
        _test(db, pair.ref, TestTiming(TestRound.INTERIM, window_end=date(2026, 9, 30)))
        _test(db, pair.ref, TestTiming(TestRound.UPDATE))
        fixed = controls.create_control(db, ControlInput("Backups monitored"), ["A1.2"])
        first = _test(db, fixed.ref)
        item = SampleItemInput("BKP-1", date(2026, 3, 2), SampleResult.DEVIATION, deviation_text="Failure missed")
        found = testing.add_sample_items(db, first.id, [item])
        deviations.add_deviation(
            db, first.id, DeviationInput("A failed backup was not followed up", sample_items=(found[0].id,))
        )
        retest = _test(db, fixed.ref, TestTiming(TestRound.REMEDIATION, window_start=date(2026, 6, 1)))
        fine = SampleItemInput("BKP-9", date(2026, 8, 3), SampleResult.NO_EXCEPTION)
        testing.add_sample_items(db, retest.id, [fine])
        assess_population(db, retest.id)
        testing.conclude(db, retest.id, Conclusion.NO_EXCEPTIONS)
        partial = controls.create_control(db, ControlInput("Vulnerabilities remediated"), ["CC7.1"])
        _test(db, partial.ref, TestTiming(TestRound.INTERIM, window_end=date(2026, 6, 30)))
        return gather(db)
    finally:
        db.close()


def _entry(text: str, title: str, length: int = 1200) -> str:
    start = text.index(title)
    return text[start : start + length]


def test_the_report_says_when_controls_changed_and_what_each_test_covered(changed: ReportData) -> None:
    client = render_docx(build_report(changed, Task(), ReportOptions(Audience.CLIENT)))
    assert "Replaced C-001 on 2026-04-09." in _entry(client, "C-002 LMS escalates overdue training")
    assert "In operation until 2026-04-08; replaced by C-002." in _entry(client, "C-001 Manual escalation")
    late = _entry(client, "C-003 Interview summaries reviewed")
    assert "Implemented on 2026-07-01." in late and "Tested from 2026-07-01 to 2026-12-31." in late
    pair = _entry(client, "C-004 Access provisioning")
    assert "Test of operating effectiveness (interim) Tested from 2026-01-01 to 2026-09-30." in pair
    assert "Test of operating effectiveness (update) Tested from 2026-10-01" in pair
    assert "Not tested" not in pair, "the pair covers the period"


def test_a_remediation_retest_is_reported_beside_the_exception_it_follows(changed: ReportData) -> None:
    client = render_docx(build_report(changed, Task(), ReportOptions(Audience.CLIENT)))
    fixed = _entry(client, "C-005 Backups monitored")
    assert "Test of operating effectiveness: Exceptions noted A failed backup was not followed up" in fixed
    assert "Test of operating effectiveness (remediation retest): No exceptions noted" in fixed
    assert fixed.index("Exceptions noted") < fixed.index("(remediation retest): No exceptions noted")


def test_a_key_control_tested_over_part_of_its_time_is_flagged_in_both_exports(
    changed: ReportData, tmp_path: Path
) -> None:
    internal = render_docx(build_report(changed, Task(), ReportOptions(Audience.INTERNAL)))
    assert "[Not tested from 2026-07-01 to 2026-12-31]" in _entry(internal, "C-006 Vulnerabilities remediated")
    target = tmp_path / "w.xlsx"
    write_workbook(changed, target, Task())
    sheet = openpyxl.load_workbook(target, read_only=True)["Controls"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    by_ref = {row[0]: dict(zip(header, row, strict=False)) for row in rows[1:]}
    assert by_ref["C-006"]["Untested part of the period"] == "Not tested from 2026-07-01 to 2026-12-31"
    assert by_ref["C-002"]["Replaces"] == "C-001"
    assert str(by_ref["C-003"]["In operation from"])[:10] == "2026-07-01"
    tests = list(openpyxl.load_workbook(target, read_only=True)["Tests"].iter_rows(values_only=True))
    rounds = {row[0]: row[tests[0].index("Round")] for row in tests[1:]}
    assert rounds["C-004.T1"] == "Interim" and rounds["C-005.T2"] == "Remediation retest"


def test_the_demo_shows_a_replacement_a_mid_period_implementation_and_an_interim_update_pair(demo: object) -> None:
    data = gather(demo)  # type: ignore[arg-type]
    text = render_docx(build_report(data, Task(), ReportOptions(Audience.CLIENT)))
    assert "Replaced C-080 on 2026-04-09." in _entry(text, "C-081 Monthly review of overdue training")
    assert "In operation until 2026-04-08; replaced by C-081." in _entry(text, "C-080 Monthly review of training")
    assert "Implemented on 2026-03-17." in _entry(text, "C-082 Interview summaries confirmed")
    assert "Implemented on 2025-10-09." in _entry(text, "C-004 AI Governance Committee")
    access = _entry(text, "C-054 Access provisioned on approved requests", 3000)
    assert "(interim) Tested from 2025-10-01 to 2026-06-30." in access
    assert "(update) Tested from 2026-07-01 to 2026-09-30." in access
    training = text[text.index("C-014 Security and responsible AI awareness training") :][:4000]
    assert "Exceptions noted" in training and "(remediation retest): No exceptions noted" in training
    period = data.details.period
    assert period is not None
    tests = {test.ref: test for test in data.tests}
    items = [item for item in data.sample_items if item.test_id in {tests["C-004.T2"].id, tests["C-054.T3"].id}]
    assert items and all(item.item_date and item.item_date >= date(2025, 10, 9) for item in items)
    from fieldwork.app.domain.timeline import coverage_gaps

    assert coverage_gaps(data.controls, data.tests, period) == {}, "every key control is tested over its time"
