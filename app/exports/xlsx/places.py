"""The sheets' names and where each control, test and evidence file lands, so rows can link to each other.

The Controls, Tests and Evidence sheets list `ReportData.controls`, `.tests` and `.evidence` in the order given,
one row each under the header; the row numbers here rely on that and on nothing else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from fieldwork.app.domain.ids import ControlId, TestId
from fieldwork.app.domain.records import ControlTest
from fieldwork.app.domain.vocabulary import Framework
from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.xlsx.table import FileLink, joined, location, row_numbers

INDEX = "Index"
CONTROLS = "Controls"
TESTS = "Tests"
SAMPLES = "Samples"
EXCEPTIONS = "Exceptions"
SOA = "SoA"
COVERAGE = "Coverage"
EVIDENCE = "Evidence"
REVIEW_NOTES = "Review notes"
AUDIT_TRAIL = "Audit trail"
CONCLUSIONS = "Conclusions"
FINDINGS = "Findings and corrective actions"
OPINION = "Opinion worksheet"
SIGNOFFS = "Sign-offs"
WORKPAPERS = "Engagement workpapers"
IPE = "IPE assessments"
AI_SYSTEMS = "AI systems"
AI_ASSESSMENTS = "AI impact assessments"
AI_COVERAGE = "AI coverage"
FAIRNESS = "Fairness re-performance"
SUBSERVICE = "Subservice organizations"
COMPLEMENTARY = "CUECs and CSOCs"


@dataclass(frozen=True)
class Places:
    control_rows: dict[ControlId, int]
    test_rows: dict[TestId, int]
    evidence_rows: dict[str, int]
    #: An item reference as evidence names it ("C-001", "C-001.T2", "C-001.T2 #3") to the evidence files.
    evidence_for: dict[str, tuple[str, ...]]
    tests_by_control: dict[ControlId, tuple[ControlTest, ...]]
    iso_codes: frozenset[str]
    #: In a review pack, each evidence file's copy beside the workbook (reference to relative path).
    files: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, data: ReportData, files: Mapping[str, str] | None = None) -> Places:
        evidence_for: dict[str, list[str]] = defaultdict(list)
        for found in data.evidence:
            for used in found.used_by:
                evidence_for[used].append(found.ref)
        tests_by_control: dict[ControlId, list[ControlTest]] = defaultdict(list)
        for test in data.tests:
            tests_by_control[test.control_id].append(test)
        return cls(
            control_rows=row_numbers(data.controls, lambda c: c.id),
            test_rows=row_numbers(data.tests, lambda t: t.id),
            evidence_rows=row_numbers(data.evidence, lambda e: e.ref),
            evidence_for={used: tuple(refs) for used, refs in evidence_for.items()},
            tests_by_control={cid: tuple(tests) for cid, tests in tests_by_control.items()},
            iso_codes=frozenset(r.code for r in data.requirements if r.framework is Framework.ISO42001),
            files=files or {},
        )

    def split(self, codes: tuple[str, ...]) -> tuple[str, str]:
        """SOC 2 criteria and ISO/IEC 42001 requirements, each as one cell's text.

        Every ISO/IEC 42001 requirement is in scope, so a code not among them is a SOC 2 criterion."""
        iso = [code for code in codes if code in self.iso_codes]
        soc2 = [code for code in codes if code not in self.iso_codes]
        return joined(soc2), joined(iso)

    def evidence(self, item: str) -> tuple[str, str | FileLink | None]:
        """The evidence references for an item, and a link to the first one: its copy in a review pack, else its row
        on the Evidence sheet."""
        refs = self.evidence_for.get(item, ())
        if not refs:
            return "", None
        return joined(refs), self.file(refs[0]) or location(EVIDENCE, self.evidence_rows[refs[0]])

    def file(self, ref: str) -> FileLink | None:
        """The link to an evidence file's copy in a review pack (None in a workbook alone)."""
        path = self.files.get(ref)
        return FileLink(path) if path is not None else None
