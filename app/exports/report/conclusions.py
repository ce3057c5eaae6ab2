"""A requirement's conclusion as the report states it, under a criterion (Section IV) or a requirement (IV-A)."""

from __future__ import annotations

from fieldwork.app.exports.report.figures import ReportFigures
from fieldwork.app.exports.report.model import Para, Run, Text, gap


def labelled(label: str, value: Text) -> Text:
    """ "Label: value" with the label muted."""
    return (Run(f"{label}: ", muted=True), *((Run(value, bold=True),) if isinstance(value, str) else value))


def conclusion_text(figures: ReportFigures, code: str) -> Text:
    """The auditor's conclusion; a gap while not concluded, or no longer supported. Its basis, which names the
    workpapers (tests, deviations), is in the internal copy only."""
    concluded = figures.conclusion(code)
    if concluded is None:
        return (gap("Not concluded"),)
    basis = (Run(f" {concluded.basis}"),) if concluded.basis.strip() and figures.internal else ()
    stale = (gap(f"no longer supported: {concluded.unsupported}"),) if concluded.unsupported else ()
    return (Run(concluded.conclusion.label, bold=True), *basis, *stale)


def conclusion_line(figures: ReportFigures, code: str) -> Para:
    return Para(labelled("Conclusion", conclusion_text(figures, code)), keep_with_next=True)
