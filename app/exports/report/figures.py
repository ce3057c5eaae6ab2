"""What the report derives from a `ReportData`, indexed once so building it stays linear at any scale.

Nothing here queries the engagement file: every figure comes from the snapshot the services
gathered, so the report agrees with the screens and the workbook. Which tests a report examines
is `ReportData.in_examination` (a Type 1 report leaves operating-effectiveness work out).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from fieldwork.app.domain.ids import ControlId, TestId
from fieldwork.app.domain.judgements import CriterionConclusion, RequirementConclusion
from fieldwork.app.domain.records import Control, ControlTest, Deviation, EvidenceFile, Requirement
from fieldwork.app.domain.vocabulary import (
    Conclusion,
    Framework,
    RequirementKind,
    SampleResult,
    Status,
)
from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.report.model import DRAFT_OPTIONS, Audience, ReportOptions

#: Where a reference to an item ends and a detail begins in an evidence link ("C-001.T2 #3", "C-001.T2/3").
REF_SEPARATORS = re.compile(r"[\s#/:]")
#: How a SOC 2 report states a test that found nothing to test in the period.
NOT_OPERATED = (
    "No tests of operating effectiveness were performed: the circumstances that warrant the operation of the "
    "control did not occur during the period."
)
ANNEX_KINDS = (RequirementKind.ANNEX_OBJECTIVE, RequirementKind.ANNEX_SUB_OBJECTIVE, RequirementKind.ANNEX_CONTROL)
#: Where Section IV-A describes the controls that serve no trust services criterion in scope.
ISO_ONLY_CONTROLS = "Controls that serve only ISO/IEC 42001 requirements"


@dataclass(frozen=True)
class Note:
    """A line of result text: `flagged` when the draft still lacks something (shown as a gap),
    `exception` for a deviation's text, which is printed exactly as recorded."""

    text: str
    flagged: bool = False
    exception: bool = False


class ReportFigures:
    """Lookups built once: a control is shown under every criterion it serves, so at scale the
    same questions are asked thousands of times and a scan of `ReportData` each time would be quadratic."""

    def __init__(self, data: ReportData, options: ReportOptions = DRAFT_OPTIONS) -> None:
        self.data = data
        self.options = options
        self.internal = options.audience is Audience.INTERNAL
        self.type2 = data.type2
        self.requirements = {r.code: r for r in data.requirements}
        self.children: dict[str, list[str]] = defaultdict(list)
        for requirement in data.requirements:
            if requirement.parent:
                self.children[requirement.parent].append(requirement.code)
        self.controls_by_code: dict[str, list[Control]] = defaultdict(list)
        for control in data.controls:
            for code in control.requirements:
                self.controls_by_code[code].append(control)
        self.tests_by_control: dict[ControlId, list[ControlTest]] = defaultdict(list)
        for test in data.tests:
            if data.in_examination(test):
                self.tests_by_control[test.control_id].append(test)
        shown = {test.id for tests in self.tests_by_control.values() for test in tests}
        self.deviations = list(data.reported_deviations)
        self.deviations_by_test: dict[TestId, list[Deviation]] = defaultdict(list)
        self.deviations_by_code: dict[str, list[Deviation]] = defaultdict(list)
        for found in self.deviations:
            self.deviations_by_test[found.test_id].append(found)
            for code in found.requirements:
                self.deviations_by_code[code].append(found)
        self.outside_examination = [d for d in data.deviations if d.test_id not in shown]
        self.item_deviations = self._item_deviations(data, shown)
        self.evidence_by_control = self._evidence_by_control(data)
        # what a finding names (every exception recorded, not only those this report examines; evidence files)
        self.deviation_by_id = {found.id: found for found in data.deviations}
        self.evidence_by_id = {e.id: e for e in data.evidence}
        self.described_under = self._described_under()
        self.conclusions = {c.code: c for c in data.conclusions}

    def _item_deviations(self, data: ReportData, shown: set[TestId]) -> dict[TestId, list[str]]:
        """Deviation texts recorded on sample items that no deviation record repeats word for word."""
        recorded = {(d.test_id, d.description) for d in data.deviations}
        texts: dict[TestId, list[str]] = defaultdict(list)
        for item in data.sample_items:
            text = item.deviation_text
            listed = (item.test_id, text) in recorded or text in texts[item.test_id]
            if item.test_id in shown and item.result is SampleResult.DEVIATION and text and not listed:
                texts[item.test_id].append(text)
        return texts

    def _evidence_by_control(self, data: ReportData) -> dict[ControlId, list[EvidenceFile]]:
        """Evidence by the control it supports, directly or through one of the control's tests or samples."""
        owners: dict[str, ControlId] = {control.ref: control.id for control in data.controls}
        owners.update({test.ref: test.control_id for test in data.tests})
        found: dict[ControlId, list[EvidenceFile]] = defaultdict(list)
        for evidence in data.evidence:
            for control_id in {_owner(entry, owners) for entry in evidence.used_by}:
                if control_id is not None:
                    found[control_id].append(evidence)
        return found

    def _described_under(self) -> dict[ControlId, str]:
        """Where each control is described with its tests and results: the first trust services criterion in scope
        it serves (Section IV, in report order), or none (then Section IV-A describes it)."""
        placed: dict[ControlId, str] = {}
        for category in self.data.details.tsc_categories:
            for criteria in self.criteria(category).values():
                for criterion in criteria:
                    for control in self.controls_by_code.get(criterion.code, []):
                        placed.setdefault(control.id, criterion.code)
        return placed

    # --- scope ---------------------------------------------------------------------------------

    def criteria(self, category: str) -> dict[str, list[Requirement]]:
        """The SOC 2 criteria of one category in catalog order, by group (CC1, CC2, ...)."""
        groups: dict[str, list[Requirement]] = defaultdict(list)
        for requirement in self.data.requirements:
            if requirement.framework is Framework.SOC2 and requirement.category == category:
                groups[requirement.group or category].append(requirement)
        return groups

    def iso_tops(self, kind: RequirementKind) -> list[Requirement]:
        """Clauses or Annex A objectives, in catalog order."""
        return [
            r
            for r in self.data.requirements
            if r.framework is Framework.ISO42001 and r.parent is None and r.kind is kind
        ]

    def iso_tree(self, kind: RequirementKind) -> list[Requirement]:
        """Clauses (or Annex A objectives) each followed by everything under it, in tree order: A.6.1.2 comes under
        A.6.1, whatever order the catalog lists the lines in."""
        return [
            self.requirements[code] for top in self.iso_tops(kind) for code in (top.code, *self.descendants(top.code))
        ]

    def depth(self, code: str) -> int:
        """How far below its clause or Annex A objective a requirement sits (a clause is 0)."""
        requirement = self.requirements.get(code)
        return 0 if requirement is None or requirement.parent is None else 1 + self.depth(requirement.parent)

    def descendants(self, code: str) -> list[str]:
        return [d for child in self.children[code] for d in (child, *self.descendants(child))]

    def affected(self, found: Deviation) -> tuple[list[str], list[str]]:
        """The in-scope SOC 2 criteria and ISO/IEC 42001 requirements an exception bears on."""
        codes = [self.requirements[c] for c in found.requirements if c in self.requirements]
        soc2 = [r.code for r in codes if r.framework is Framework.SOC2]
        return soc2, [r.code for r in codes if r.framework is Framework.ISO42001]

    def iso_only_controls(self) -> list[Control]:
        """Controls no trust services criterion in scope lists: Section IV-A describes them, once."""
        return [c for c in self.data.controls if c.id not in self.described_under and self._serves_iso(c)]

    def _serves_iso(self, control: Control) -> bool:
        known = self.requirements
        return any(code in known and known[code].framework is Framework.ISO42001 for code in control.requirements)

    # --- results -------------------------------------------------------------------------------

    def result(self, test: ControlTest) -> list[Note]:
        """A test's result as the report states it: the conclusion, or each deviation exactly as recorded."""
        texts = [d.description for d in self.deviations_by_test[test.id]] + self.item_deviations[test.id]
        if texts:
            return [Note(text, exception=True) for text in texts]
        if test.conclusion is Conclusion.NO_EXCEPTIONS:
            return [Note(Conclusion.NO_EXCEPTIONS.label)]
        if test.conclusion is Conclusion.NOT_OPERATED:
            return [Note(NOT_OPERATED)]
        if test.conclusion is Conclusion.EXCEPTIONS:
            return [Note("Exceptions noted, but no deviation is recorded", flagged=True)]
        if not self.internal:  # how far the work has got is for the engagement team
            return [Note("Not concluded", flagged=True)]
        progress = f"{test.items_with_result} of {test.items_total} sample items have a result"
        return [Note(f"Not concluded ({progress})" if test.items_total else "Not concluded", flagged=True)]

    def iso_result(self, code: str) -> Note:
        """The results of tests for an ISO/IEC 42001 requirement, in the attestation's words (its controls' tests and
        those of the requirements under it). Certification grades are not results: see `grade`."""
        state = self.data.statuses.get(code)
        if state is not None and state.status is Status.EXCLUDED:
            return Note("Excluded in the Statement of Applicability")
        if state is None or state.gap:
            return Note("No control mapped", flagged=True)
        if self.exceptions_for(code):
            return Note(Conclusion.EXCEPTIONS.label)
        if state.status is Status.CONCLUDED:
            return Note(Conclusion.NO_EXCEPTIONS.label)
        detail = f" ({state.status.label.lower()})" if self.internal else ""
        return Note(f"Not concluded{detail}", flagged=True)

    def exceptions_for(self, code: str) -> list[Deviation]:
        return [d for c in (code, *self.descendants(code)) for d in self.deviations_by_code[c]]

    def conclusion(self, code: str) -> RequirementConclusion | None:
        """The auditor's recorded conclusion on a requirement (None while not concluded)."""
        found = self.conclusions.get(code)
        return None if found is None or found.conclusion is CriterionConclusion.NOT_CONCLUDED else found


def _owner(entry: str, owners: dict[str, ControlId]) -> ControlId | None:
    """The control behind an evidence link such as "C-001", "C-001.T2" or "C-001.T2 #3"."""
    key = entry.strip()
    while key:
        if key in owners:
            return owners[key]
        cut = max((m.start() for m in REF_SEPARATORS.finditer(key)), default=key.rfind("."))
        key = key[:cut].strip() if cut > 0 else ""
    return None
