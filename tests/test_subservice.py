"""Subservice organizations and complementary controls as records (`JUDGEMENTS.md` section 5): what the services
refuse, and what the report says for none, carve-out and inclusive (assertion received or missing), read back as
text from the Word and PDF renderings of the same content."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from fieldwork.app.domain.records import ControlInput
from fieldwork.app.domain.subservice import (
    ComplementaryControl,
    ComplementaryKind,
    SocReportReview,
    SubserviceOrganization,
)
from fieldwork.app.domain.vocabulary import Opinion, ReportType, SubserviceTreatment
from fieldwork.app.errors import ValidationError
from fieldwork.app.exports.dataset import gather
from fieldwork.app.exports.report.build import build_report
from fieldwork.app.services import controls
from fieldwork.app.services.history import list_history
from fieldwork.app.services.subservice import (
    add_complementary,
    add_organization,
    list_subservice,
    remove_complementary,
    remove_organization,
    set_performed_controls,
    update_complementary,
    update_organization,
)
from fieldwork.app.storage.engagement_file import EngagementFile
from fieldwork.app.tasks import Task
from tests.report_reading import flat, front, render_docx, render_pdf

AWS = SubserviceOrganization("Amazon Web Services, Inc.", "hosting", SubserviceTreatment.CARVE_OUT)
OKTA = SubserviceOrganization("Okta, Inc.", "identity", SubserviceTreatment.INCLUSIVE)
CUEC_TEXT = "User entities review their users' access quarterly."
CSOC_TEXT = "AWS restricts physical access to data centers."


def _sections(db: EngagementFile) -> tuple[str, str, str]:
    """The cover, Section I and Section II as the Word document reads."""
    text = render_docx(front(gather(db)))
    one = text.rindex("Section I: Independent service auditor's report")
    two = text.rindex("Section II: Management's assertion")
    return text[: text.index("Contents")], text[one:two], text[two:]


def _csoc(organization: object) -> ComplementaryControl:
    return ComplementaryControl(ComplementaryKind.CSOC, CSOC_TEXT, ("CC6.4",), organization_id=organization)  # type: ignore[arg-type]


# -- the services' rules -----------------------------------------------------------------------------------------


def test_each_change_is_checked_and_recorded(engagement: EngagementFile) -> None:
    aws = add_organization(engagement, AWS)
    with pytest.raises(ValidationError, match="already a subservice organization named"):
        add_organization(engagement, replace(AWS, services="other"))
    with pytest.raises(ValidationError, match="needs a name"):
        add_organization(engagement, SubserviceOrganization("  "))
    backwards = SocReportReview(ReportType.TYPE2, date(2026, 6, 30), date(2026, 1, 1))
    with pytest.raises(ValidationError, match="ends before it starts"):
        update_organization(engagement, replace(AWS, id=aws, report=backwards))
    update_organization(engagement, replace(AWS, id=aws, services="hosting and storage"))
    with pytest.raises(ValidationError, match="names the subservice organization"):
        add_complementary(engagement, _csoc(None))
    with pytest.raises(ValidationError, match="names no subservice organization"):
        add_complementary(engagement, ComplementaryControl(ComplementaryKind.CUEC, CUEC_TEXT, organization_id=aws))
    with pytest.raises(ValidationError, match=r"Not a trust services criterion: A\.9\.4"):
        add_complementary(engagement, ComplementaryControl(ComplementaryKind.CUEC, CUEC_TEXT, ("CC6.2", "A.9.4")))
    with pytest.raises(ValidationError, match="Only an inclusive subservice organization"):
        set_performed_controls(engagement, aws, ["C-001"])

    csoc = add_complementary(engagement, _csoc(aws))
    with pytest.raises(ValidationError, match="CSOC-01 names this subservice organization"):
        remove_organization(engagement, aws)
    (found,) = list_subservice(engagement).complementary
    update_complementary(engagement, replace(found, criteria=("cc6.4", "A1.2")))
    assert list_subservice(engagement).complementary[0].criteria == ("CC6.4", "A1.2")
    remove_complementary(engagement, csoc)
    remove_organization(engagement, aws)
    assert list_subservice(engagement).organizations == ()
    recorded = [(entry.action, entry.item_type) for entry in list_history(engagement)]
    for action in ("create", "update", "delete"):
        assert (action, "subservice_organization") in recorded
    assert ("create", "complementary_control") in recorded and ("delete", "complementary_control") in recorded
    assert ("create", "complementary_requirement") in recorded and ("delete", "complementary_requirement") in recorded


def test_references_count_each_kind_apart_and_are_never_given_again(engagement: EngagementFile) -> None:
    aws = add_organization(engagement, AWS)
    first = add_complementary(engagement, ComplementaryControl(ComplementaryKind.CUEC, CUEC_TEXT, ("CC6.2",)))
    add_complementary(engagement, _csoc(aws))
    remove_complementary(engagement, first)
    add_complementary(engagement, ComplementaryControl(ComplementaryKind.CUEC, "Another", ("CC6.3",)))
    assert [c.ref for c in list_subservice(engagement).complementary] == ["CUEC-02", "CSOC-01"]


# -- the report's wording, from the records -----------------------------------------------------------------------


def test_none_is_a_real_state_with_no_subservice_wording_at_all(engagement: EngagementFile) -> None:
    cover, one, two = _sections(engagement)
    assert "Subservice organizations None" in cover
    assert "subservice" not in (one + two).lower()
    assert "complementary user entity" not in one + two, "no CUEC recorded: no CUEC paragraph"


def test_a_carved_out_organization_brings_the_csoc_caveat_and_its_name(engagement: EngagementFile) -> None:
    aws = add_organization(engagement, AWS)
    add_complementary(engagement, _csoc(aws))
    add_complementary(engagement, ComplementaryControl(ComplementaryKind.CUEC, CUEC_TEXT, ("CC6.2",)))
    cover, one, two = _sections(engagement)
    assert "Subservice organizations Carve-out method (1)" in cover
    assert "(the carve-out method)" in one and "(the carve-out method)" in two
    assert "Amazon Web Services, Inc. (hosting)" in one
    assert "complementary subservice organization controls" in one
    assert "complementary user entity controls" in one and "complementary user entity controls" in two


def test_an_inclusive_organization_is_named_with_its_assertion_received_or_missing(engagement: EngagementFile) -> None:
    okta = add_organization(engagement, OKTA)
    add_organization(engagement, SubserviceOrganization("Stripe, Inc.", "payments", SubserviceTreatment.INCLUSIVE))
    update_organization(engagement, replace(OKTA, id=okta, assertion_received=True))
    cover, one, two = _sections(engagement)
    assert "Subservice organizations Inclusive method (2)" in cover
    assert "(the inclusive method)" in one and "(the inclusive method)" in two
    assert "complementary subservice organization" not in (one + two).lower(), "no CSOC caveat"
    assert "Okta, Inc. has provided an assertion about the controls it performs" in one
    assert "Stripe, Inc. has not provided the assertion" in one and "[MISSING: subservice assertion]" in one
    assert "Okta, Inc. has not provided" not in one


def test_section_iv_lists_the_complementary_controls_and_who_performs_a_control_under_each_criterion(
    engagement: EngagementFile, tmp_path: Path
) -> None:
    made = controls.create_control(engagement, ControlInput("Multi-factor authentication enforced"), ["CC6.1"])
    aws = add_organization(engagement, AWS)
    okta = add_organization(engagement, OKTA)
    set_performed_controls(engagement, okta, [made.ref])
    add_complementary(engagement, _csoc(aws))
    add_complementary(engagement, ComplementaryControl(ComplementaryKind.CUEC, CUEC_TEXT, ("CC6.2", "CC6.3")))
    report = build_report(gather(engagement), Task())
    performed = "Performed by Okta, Inc., a subservice organization (inclusive method)."
    for text in (flat(render_docx(report)), render_pdf(report, tmp_path / "report.pdf")):
        four = text[text.rindex("Section IV: Trust services criteria") : text.rindex("Section IV-A")]
        under = {code: four[four.index(f"{code} ") : four.index(f"{after} ")] for code, after in _NEXT.items()}
        assert performed in under["CC6.1"]
        for code in ("CC6.2", "CC6.3"):
            listed = under[code][under[code].index("Complementary user entity controls this criterion depends on:") :]
            assert f"CUEC-01 {CUEC_TEXT}" in listed
        csocs = under["CC6.4"][under["CC6.4"].index("Complementary subservice organization controls this criterion") :]
        assert f"CSOC-01 Amazon Web Services, Inc.: {CSOC_TEXT}" in csocs
        assert "CUEC-01" not in under["CC6.4"] and "CSOC-01" not in under["CC6.3"]

    update_organization(engagement, replace(OKTA, id=okta, method=SubserviceTreatment.CARVE_OUT))
    carved = flat(render_docx(build_report(gather(engagement), Task())))
    assert performed not in carved, "a carved-out organization performs no control in the examination"


_NEXT = {"CC6.1": "CC6.2", "CC6.2": "CC6.3", "CC6.3": "CC6.4", "CC6.4": "CC6.5"}


def test_its_soc_report_review_is_kept_as_entered(engagement: EngagementFile) -> None:
    review = SocReportReview(
        ReportType.TYPE1, date(2026, 1, 1), date(2026, 3, 31), Opinion.QUALIFIED, "One", date(2026, 5, 2), True
    )
    key = add_organization(engagement, replace(AWS, report=review))
    (found,) = list_subservice(engagement).organizations
    assert found.id == key and found.report == replace(review, start=None), "a Type 1 report has a date, no period"
    assert found.report.period_label == "As of 2026-03-31"
