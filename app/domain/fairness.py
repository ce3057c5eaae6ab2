"""Records of a fairness re-performance: selection rates per group and the four-fifths comparison.

The auditor re-performs the client's fairness review of an AI system's decisions (a hiring model's
screening, say) from the decisions themselves. The figures are exact counts and ratios; what they
mean, and when they are too few to mean much, travels with them as sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from fieldwork.app.domain.ids import FairnessResultId, TestId

#: The four-fifths rule (US Uniform Guidelines on Employee Selection Procedures, 29 CFR 1607.4(D)): a group
#: selected at less than four fifths of the rate of the most selected group shows evidence of adverse impact.
FOUR_FIFTHS = Fraction(4, 5)

#: A group is "small" when fewer than this many favourable, or unfavourable, decisions would be expected in it at
#: the overall selection rate. Below it a chi-square test of the difference is unreliable (Cochran's rule: every
#: expected count in the table at least 5) and one decision either way moves the group's ratio by a lot.
MIN_EXPECTED = 5


@dataclass(frozen=True)
class GroupRate:
    """One group's line in the table."""

    group: str
    decisions: int
    favourable: int
    #: favourable / decisions, exact.
    selection_rate: Fraction
    #: This group's rate over the most selected group's rate, exact.
    impact_ratio: Fraction
    small: bool

    @property
    def below_four_fifths(self) -> bool:
        return self.impact_ratio < FOUR_FIFTHS


@dataclass(frozen=True)
class FairnessFigures:
    """What a decisions file shows, by group: everything but who ran it and for which test."""

    source_name: str
    sheet: str | None
    sha256: str
    group_column: str
    outcome_column: str
    #: The outcome values counted as favourable, as the file spells them.
    favourable: tuple[str, ...]
    #: How favourable was decided, in one sentence.
    rule: str
    #: Every outcome value found, as the file spells it, most frequent first.
    outcomes: tuple[str, ...]
    decisions: int
    #: Rows without a group or without an outcome: not counted.
    left_out: int
    #: Highest selection rate first; the first is the reference group.
    groups: tuple[GroupRate, ...]
    caveats: tuple[str, ...]

    @property
    def reference(self) -> GroupRate:
        return self.groups[0]

    @property
    def below_four_fifths(self) -> tuple[GroupRate, ...]:
        return tuple(group for group in self.groups if group.below_four_fifths)


@dataclass(frozen=True)
class FairnessResult:
    """A re-performance for a test: the figures, the test, who ran it and when."""

    test_ref: str
    computed_by: str
    computed_at: str
    figures: FairnessFigures


@dataclass(frozen=True)
class StoredFairnessResult:
    """A re-performance as stored with its test (`fairness_result`), read back exactly: the figures are rebuilt
    from the counts, so no rate or ratio is ever rounded in storage."""

    id: FairnessResultId
    test_id: TestId
    result: FairnessResult
