"""The client copy is the examination report alone; the internal copy keeps the workpaper detail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fieldwork.app.exports.dataset import ReportData, gather
from fieldwork.app.exports.docx_report import write_docx
from fieldwork.app.exports.pdf_report import write_report
from fieldwork.app.exports.report.model import Audience
from fieldwork.app.storage.engagement_file import open_engagement
from tests.report_reading import written_copies

FINGERPRINT = re.compile(r"\b[0-9a-f]{64}\b")
#: Half a SHA-256, as the PDF prints one per line (so a fingerprint is never cut at the column's edge).
HALF_FINGERPRINT = re.compile(r"\b[0-9a-f]{32}")
#: What only the engagement team needs: if any of it is in the client copy, workpaper detail leaked.
INTERNAL_ONLY = (
    "Engagement ID",
    "Evidence index",
    "Evidence examined",
    "workpapers: Tests row",
    "Progress of the work",
    "findings register",
    "sample items have a result",
    "Fairness re-performed from",
)


@pytest.fixture(scope="module")
def copies(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[Audience, str], str]:
    """The demo's report in both copies, each as PDF and Word, read back as text."""
    db = open_engagement(demo_template)
    try:
        data: ReportData = gather(db)
    finally:
        db.close()
    texts = written_copies(data, tmp_path_factory.mktemp("copies"), write_report, write_docx)
    texts[Audience.INTERNAL, "seeds"] = " ".join(str(t.seed) for t in data.tests if t.seed is not None)
    return texts


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_the_client_copy_has_no_fingerprint_seed_file_id_or_work_in_progress(
    copies: dict[tuple[Audience, str], str], kind: str
) -> None:
    client, internal = copies[Audience.CLIENT, kind], copies[Audience.INTERNAL, kind]
    seeds = copies[Audience.INTERNAL, "seeds"].split()
    assert seeds, "the demo draws seeded samples"

    assert not FINGERPRINT.search(client) and not HALF_FINGERPRINT.search(client)
    assert "seed" not in client.lower() and not any(re.search(rf"\b{seed}\b", client) for seed in seeds)
    assert "demo.fieldwork" not in client and not re.search(r"\bC-\d+\.T\d+\b", client)  # no workpaper refs
    for detail in INTERNAL_ONLY:
        assert detail not in client, detail
    assert "Client copy: the examination report only" in client

    # the internal copy (the default for drafts) keeps all of it
    assert HALF_FINGERPRINT.search(internal) and "(seed " in internal and "demo.fieldwork" in internal
    for detail in INTERNAL_ONLY:
        assert detail in internal, detail
    assert "Internal copy: with the workpaper detail" in internal


def test_both_copies_state_the_same_results(copies: dict[tuple[Audience, str], str]) -> None:
    """Leaving workpaper detail out changes no result: the same exceptions, word for word, in both."""
    client, internal = copies[Audience.CLIENT, "pdf"], copies[Audience.INTERNAL, "pdf"]
    assert client.count("No exceptions noted") == internal.count("No exceptions noted") > 0
    assert client.count("Exceptions noted") == internal.count("Exceptions noted") > 0
