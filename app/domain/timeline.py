"""What a control's and a test's dates mean, worded once for the screens, the report and the workbook.

"Implemented on 2026-03-17", "Replaced C-012 on 2026-04-09", "Tested from 2026-03-17 to 2026-09-30": the
report says these, and warns when the tests of a key control leave part of its time in the period untested.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from fieldwork.app.domain.ids import ControlId
from fieldwork.app.domain.over_time import Span, ended_during, in_operation, started_during, untested
from fieldwork.app.domain.records import Control, ControlTest
from fieldwork.app.domain.vocabulary import TestKind


def control_notes(control: Control, period: Span | None) -> list[str]:
    """How the control's time in the period differs from the whole period, in the report's words."""
    notes = []
    start, end = control.effective_from, control.effective_to
    if control.replaces_ref and start is not None:
        notes.append(f"Replaced {control.replaces_ref} on {start.isoformat()}")
    elif started_during(period, start):
        assert start is not None
        notes.append(f"Implemented on {start.isoformat()}")
    if ended_during(period, end):
        assert end is not None
        replaced = f"; replaced by {control.replaced_by_ref}" if control.replaced_by_ref else ""
        notes.append(f"In operation until {end.isoformat()}{replaced}")
    return notes


def window_note(test: ControlTest, period: Span | None) -> str:
    """ "Tested from ... to ..." for a test of operating effectiveness that covers less than the whole period."""
    window = test.window
    if test.kind is not TestKind.OPERATING or window is None or period is None or window == period:
        return ""
    if window.empty:
        return "Covers no day of the period"
    return f"Tested from {window.start.isoformat()} to {window.end.isoformat()}"


def test_title(test: ControlTest) -> str:
    """The test's kind, with its round when it has one: "Test of operating effectiveness (interim)"."""
    return f"{test.kind.label} ({test.round.label.lower()})" if test.round else test.kind.label


def coverage_gaps(
    controls: Iterable[Control], tests: Iterable[ControlTest], period: Span | None
) -> dict[ControlId, list[Span]]:
    """Per key control, the days of its time in the period that its tests of operating effectiveness leave
    untested (controls without a gap are left out)."""
    windows: dict[ControlId, list[Span | None]] = defaultdict(list)
    for test in tests:
        if test.kind is TestKind.OPERATING:
            windows[test.control_id].append(test.window)
    gaps = {}
    for control in controls:
        if control.is_key:
            found = untested(in_operation(period, control.effective_from, control.effective_to), windows[control.id])
            if found:
                gaps[control.id] = found
    return gaps


def gap_text(gaps: Iterable[Span]) -> str:
    """ "Not tested from 2026-01-01 to 2026-02-28; ..." """
    return "; ".join(f"Not tested from {gap.start.isoformat()} to {gap.end.isoformat()}" for gap in gaps)
