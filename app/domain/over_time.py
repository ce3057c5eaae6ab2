"""Controls and tests over time (JUDGEMENTS.md section 8): spans of days, test rounds, and what they imply.

A control may be in operation for part of the period (implemented during it, withdrawn, or replaced by
another); a test covers a window of the period, by default the whole period while its control was in
operation. Interim testing is followed by update testing of the rest of the period; a remediated control
can be retested, and the retest stands beside the test that found the exception, never over it. These are
pure rules: the services gather the dates, the screens and the exports word them the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from fieldwork.app.domain.vocabulary import Labelled

ONE_DAY = timedelta(days=1)


class TestRound(Labelled):
    """Which part of the work a test of operating effectiveness is (none: the period in one test)."""

    INTERIM = "interim", "Interim"
    UPDATE = "update", "Update"  # the rest of the period, after an interim test
    REMEDIATION = "remediation_retest", "Remediation retest"


@dataclass(frozen=True)
class Span:
    """The days from `start` to `end`, both included; empty when `end` comes before `start`."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return max(0, (self.end - self.start).days + 1)

    @property
    def empty(self) -> bool:
        return self.end < self.start

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end

    def within(self, other: Span) -> bool:
        return other.start <= self.start and self.end <= other.end

    def meet(self, start: date | None, end: date | None) -> Span:
        """This span cut to the days from `start` to `end` (either may be open)."""
        return Span(max(self.start, start or self.start), min(self.end, end or self.end))


@dataclass(frozen=True)
class ControlDates:
    """When a control was in operation (None: throughout the period) and the control it replaced.

    `replaces` is the replaced control's reference or id; the replacement dates from `effective_from`."""

    effective_from: date | None = None
    effective_to: date | None = None
    replaces: str | UUID | None = None


@dataclass(frozen=True)
class TestTiming:
    """A test's round and its own window (None: the period, while the control was in operation)."""

    round: TestRound | None = None
    window_start: date | None = None
    window_end: date | None = None


def covered_window(period: Span | None, control: Span | None, start: date | None, end: date | None) -> Span | None:
    """The days a test covers: its own window, else the period while its control was in operation; always
    within both. None for an examination as of a date (Type 1), which has no period."""
    if period is None:
        return None
    covered = control if control is not None else period
    return covered.meet(start, end)


def in_operation(period: Span | None, effective_from: date | None, effective_to: date | None) -> Span | None:
    """The part of the period a control was in operation (None without a period)."""
    return None if period is None else period.meet(effective_from, effective_to)


def uncovered(needed: Span, covered: Iterable[Span]) -> list[Span]:
    """The parts of `needed` that no span in `covered` reaches, in order."""
    gaps: list[Span] = []
    cursor = needed.start
    for span in sorted((s for s in covered if not s.empty), key=lambda s: s.start):
        if span.start > cursor:
            gaps.append(Span(cursor, min(span.start - ONE_DAY, needed.end)))
        cursor = max(cursor, span.end + ONE_DAY)
        if cursor > needed.end:
            break
    if cursor <= needed.end:
        gaps.append(Span(cursor, needed.end))
    return [gap for gap in gaps if not gap.empty]


def untested(needed: Span | None, windows: Iterable[Span | None]) -> list[Span]:
    """What a key control's tests of operating effectiveness leave untested of its time in the period.

    Nothing is said of a control with no such test: it is flagged as awaiting one elsewhere."""
    spans = [window for window in windows if window is not None]
    if needed is None or needed.empty or not spans:
        return []
    return uncovered(needed, spans)


def started_during(period: Span | None, effective_from: date | None) -> bool:
    return period is not None and effective_from is not None and period.start < effective_from <= period.end


def ended_during(period: Span | None, effective_to: date | None) -> bool:
    return period is not None and effective_to is not None and period.start <= effective_to < period.end
