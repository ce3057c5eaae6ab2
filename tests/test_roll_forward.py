"""Rolling an engagement forward: next period's file keeps the plan and none of the results; the old file is
read only and never changed."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest

from fieldwork.app.cli.main import main
from fieldwork.app.domain.judgements import SETTLED
from fieldwork.app.domain.over_time import Span
from fieldwork.app.domain.subservice import SocReportReview
from fieldwork.app.domain.vocabulary import ReportType
from fieldwork.app.errors import WrongPassphrase
from fieldwork.app.services import controls, testing
from fieldwork.app.services.deviations import list_deviations
from fieldwork.app.services.engagement import (
    file_facts,
    get_details,
    read_sections_to_update,
    set_description_section,
    system_description,
)
from fieldwork.app.services.evidence import list_evidence
from fieldwork.app.services.findings import list_findings
from fieldwork.app.services.judged import read_judgements
from fieldwork.app.services.pbc import list_pbc_requests
from fieldwork.app.services.roll_forward import NewPeriod, roll_forward
from fieldwork.app.services.subservice import list_subservice, read_subservice
from fieldwork.app.storage.engagement_file import EngagementFile, open_engagement
from fieldwork.app.storage.read_only import open_read_only
from fieldwork.app.tasks import Cancelled, Task
from tests.conftest import PASSPHRASE

NEXT = NewPeriod(ReportType.TYPE2, date(2026, 10, 1), date(2027, 9, 30))
PLAN = ("ref", "control_ref", "kind", "procedure", "methods", "population")
CONTROL = ("ref", "title", "description", "owner", "frequency", "nature", "control_type", "is_key", "requirements")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rolled(source: Path, target: Path, passphrase: str | None = None, **options: object) -> EngagementFile:
    with open_read_only(source, passphrase) as old:
        db, _done = roll_forward(old, target, NEXT, passphrase, **options)  # type: ignore[arg-type]
    return db


@pytest.fixture(scope="module")
def demo_and_next(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("rolled")
    source = folder / "demo.fieldwork"
    source.write_bytes(demo_template.read_bytes())
    rolled(source, folder / "next.fieldwork", with_evidence=True).close()
    return source, folder / "next.fieldwork"


def test_a_roll_forward_of_the_demo_keeps_every_control_link_and_plan_and_none_of_the_results(
    demo_and_next: tuple[Path, Path],
) -> None:
    source, target = demo_and_next
    old, new = open_engagement(source), open_engagement(target)
    try:
        ended = {c.ref for c in controls.list_controls(old) if c.effective_to and c.effective_to < NEXT.start}
        assert ended == {"C-080"}, "the control replaced in the prior period"
        kept = [c for c in controls.list_controls(old) if c.ref not in ended]
        assert [tuple(getattr(c, f) for f in CONTROL) for c in controls.list_controls(new)] == [
            tuple(getattr(c, f) for f in CONTROL) for c in kept
        ]
        plans = [t for t in testing.list_tests(old) if t.control_ref not in ended and t.ref != "C-014.T3"]
        assert [tuple(getattr(t, f) for f in PLAN) for t in testing.list_tests(new)] == [
            tuple(getattr(t, f) for f in PLAN) for t in plans
        ], "every plan but the prior period's remediation retest"
        tests = testing.list_tests(new)
        assert all(t.items_total == 0 and t.conclusion is None and t.sample_size is None for t in tests)
        assert list_deviations(new) == []
        with new.reading() as conn:
            judged = read_judgements(conn)
        assert {c.conclusion.value for c in judged.conclusions} == {"not_concluded", "excluded"}, "excluded: the SoA"
        by_old = {c.id: c for c in controls.list_controls(old)}
        assert all(by_old[c.predecessor_id].ref == c.ref for c in controls.list_controls(new)), "linked to last year"
        assert {c.ref: c.id for c in controls.list_controls(new)}.keys().isdisjoint(by_old.values()), "new UUIDs"
    finally:
        old.close()
        new.close()


def test_the_old_file_is_unchanged_byte_for_byte_and_named_in_the_new_one(demo_template: Path, tmp_path: Path) -> None:
    source = tmp_path / "old.fieldwork"
    source.write_bytes(demo_template.read_bytes())
    before = sha256(source)
    db = rolled(source, tmp_path / "new.fieldwork")
    try:
        facts = file_facts(db)
        old_id = open_engagement(source)  # only to read its id, after the comparison below
    finally:
        db.close()
    assert sha256(source) == before
    try:
        assert facts.rolled_from_sha256 == before
        assert facts.rolled_from_engagement_id == file_facts(old_id).engagement_id
    finally:
        old_id.close()


def test_the_period_moves_the_pbc_list_windows_and_follow_ups(demo_and_next: tuple[Path, Path]) -> None:
    source, target = demo_and_next
    old, new = open_engagement(source), open_engagement(target)
    try:
        assert get_details(new).period == Span(NEXT.start, NEXT.end)  # type: ignore[arg-type]
        shift = timedelta(days=365)
        before = {r.ref: r for r in list_pbc_requests(old)}
        for request in list_pbc_requests(new):
            assert request.status == "open" and request.received_date is None and request.evidence_count == 0
            assert request.due_date == before[request.ref].due_date + shift  # type: ignore[operator]
        interim, update = testing.get_test(new, "C-054.T2"), testing.get_test(new, "C-054.T3")
        assert interim.window == Span(date(2026, 10, 1), date(2027, 6, 30))
        assert update.window == Span(date(2027, 7, 1), date(2027, 9, 30))
        open_before = {f.ref for f in list_findings(old) if f.status not in SETTLED}
        carried = list_findings(new)
        assert {f.ref for f in carried} == open_before and all(f.prior_period for f in carried)
        assert {f.corrective_action for f in carried} <= {f.corrective_action for f in list_findings(old)}
    finally:
        old.close()
        new.close()


def test_the_description_is_marked_to_update_until_edited(demo_and_next: tuple[Path, Path], tmp_path: Path) -> None:
    _source, target = demo_and_next
    copy = tmp_path / "copy.fieldwork"
    copy.write_bytes(target.read_bytes())
    db = open_engagement(copy)
    try:
        texts = system_description(db)
        with db.reading() as conn:
            assert read_sections_to_update(conn) == {code for code, text in texts.items() if text}
        set_description_section(db, "DC9", "No significant changes so far in the period.")
        with db.reading() as conn:
            assert "DC9" not in read_sections_to_update(conn) and "DC1" in read_sections_to_update(conn)
    finally:
        db.close()


def test_documents_linked_to_controls_come_only_when_asked(demo_and_next: tuple[Path, Path], tmp_path: Path) -> None:
    source, target = demo_and_next
    old, new = open_engagement(source), open_engagement(target)
    try:
        linked = {e.sha256 for e in list_evidence(old) if any(u.startswith("C-") and "." not in u for u in e.used_by)}
        brought = list_evidence(new)
        assert linked and {e.sha256 for e in brought} == linked
        assert all(e.prior_period and e.pbc_ref is None for e in brought)
    finally:
        old.close()
        new.close()
    without = rolled(source, tmp_path / "plain.fieldwork")
    try:
        assert list_evidence(without) == []
    finally:
        without.close()


def test_encrypted_in_encrypted_out_and_a_wrong_passphrase_is_refused(demo_template: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain.fieldwork"
    plain.write_bytes(demo_template.read_bytes())
    secret = tmp_path / "secret"
    secret.write_text(PASSPHRASE)
    assert main(["roll-forward", str(plain), str(tmp_path / "enc.fieldwork"), "--type2", "2026-10-01", "2027-09-30",
                 "--new-passphrase-file", str(secret)]) == 0  # fmt: skip
    encrypted = tmp_path / "enc.fieldwork"
    before = sha256(encrypted)
    with pytest.raises(WrongPassphrase):
        open_read_only(encrypted, "not the passphrase")
    again = rolled(encrypted, tmp_path / "again.fieldwork", PASSPHRASE)
    assert again.encrypted
    again.close()
    open_engagement(tmp_path / "again.fieldwork", PASSPHRASE).close()
    assert sha256(encrypted) == before
    code = main(["roll-forward", str(encrypted), str(tmp_path / "x.fieldwork"), "--type1", "2027-09-30",
                 "--passphrase-file", str(secret), "--unencrypted"])  # fmt: skip
    assert code != 0 and not (tmp_path / "x.fieldwork").exists()


def test_a_cancel_leaves_no_new_file(demo_template: Path, tmp_path: Path) -> None:
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled), open_read_only(demo_template) as old:
        roll_forward(old, tmp_path / "never.fieldwork", NEXT, None, task=task)
    assert list(tmp_path.iterdir()) == []


def test_a_file_from_an_earlier_revision_rolls_forward_untouched(tmp_path: Path) -> None:
    from tests.test_migrations import make_old_file

    source = tmp_path / "0007.fieldwork"
    make_old_file(source, "0007", None)
    before = sha256(source)
    with open_read_only(source) as old:
        db, done = roll_forward(old, tmp_path / "next.fieldwork", NEXT, None)
    try:
        assert [c.ref for c in controls.list_controls(db)] == ["C-001"] and done.source_sha256 == before
        assert [t.ref for t in testing.list_tests(db)] == ["C-001.T1"]
    finally:
        db.close()
    assert sha256(source) == before and sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == [
        "0007.fieldwork",
        "next.fieldwork",
    ], "no backup or copy is left beside it"


def test_the_findings_report_marks_a_finding_to_follow_up(demo_and_next: tuple[Path, Path]) -> None:
    from fieldwork.app.exports.dataset import gather
    from fieldwork.app.exports.report.build import build_report
    from fieldwork.app.exports.report.findings_report import build_findings_report
    from tests.report_reading import render_docx

    _source, target = demo_and_next
    db = open_engagement(target)
    try:
        data = gather(db)
    finally:
        db.close()
    for build in (build_report, build_findings_report):  # the internal copy's appendix and the findings report
        text = render_docx(build(data, Task()))
        assert "Raised In the prior period; its corrective action is followed up in this one" in text


def test_subservice_organizations_and_complementary_controls_come_without_last_periods_review(
    demo_and_next: tuple[Path, Path],
) -> None:
    source, target = demo_and_next
    with open_read_only(source) as old, old.snapshot() as (conn, _digest):
        before = read_subservice(conn)
    db = open_engagement(target)
    try:
        after = list_subservice(db)
    finally:
        db.close()
    assert [(o.name, o.services, o.method) for o in after.organizations] == [
        (o.name, o.services, o.method) for o in before.organizations
    ]
    assert before.organizations[0].report.reviewed_on is not None
    assert all(o.report == SocReportReview() for o in after.organizations), "this period's report is still to review"
    kept = [(c.ref, c.kind, c.text, c.criteria, c.organization) for c in after.complementary]
    assert kept == [(c.ref, c.kind, c.text, c.criteria, c.organization) for c in before.complementary]
    assert len(kept) == 14
