"""Section V (management's responses) and the appendices: exceptions, evidence index, crosswalk used.

The appendices are lettered in the order they appear: the client copy has no evidence index (file
names and fingerprints are workpaper detail), and the crosswalk is optional.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from fieldwork.app.domain.ids import DeviationId
from fieldwork.app.exports.report.figures import ReportFigures
from fieldwork.app.exports.report.findings import findings_register
from fieldwork.app.exports.report.model import Block, Heading, PageBreak, Para, Row, Style, Table, Text, joined, single
from fieldwork.app.exports.report.model import text_or_gap as _or_gap

#: Enough of the text width for half a SHA-256 (32 hex digits) per line at the fingerprint's size: two lines.
HASH_SHARE = 0.28


def _exception(figures: ReportFigures, index: int) -> tuple[Para, ...]:
    found = figures.deviations[index]
    named = f"{found.test_ref} ({found.control_ref})" if figures.internal else found.control_ref
    return (Para(f"{index + 1}. {named}", Style.CELL_STRONG), Para(found.description, Style.CELL))


def outside_examination(figures: ReportFigures) -> list[Block]:
    """Exceptions the file records on tests a Type 1 examination leaves out: said in the internal copy, so the
    report and the workpapers (which list them) are read the same way."""
    count = len(figures.outside_examination)
    if not figures.internal or not count:
        return []
    return [
        Para(
            f"[{count} exception{'s' if count > 1 else ''} recorded on tests of operating effectiveness "
            f"{'are' if count > 1 else 'is'} outside this Type 1 examination and not reported; the workpapers list "
            "them on the Exceptions sheet, marked as not in the report. Internal copy only.]",
            Style.FLAG,
        )
    ]


def section_five(figures: ReportFigures) -> list[Block]:
    story: list[Block] = [
        PageBreak(),
        Heading("Section V: Other information provided by the service organization", 0),
        Para(
            f"The management of {figures.data.details.client} provided the responses below to the exceptions noted "
            "in Sections IV and IV-A. This information has not been subjected to the procedures applied in the "
            "examination, and we express no opinion on it."
        ),
        *outside_examination(figures),
    ]
    if not figures.deviations:
        return [*story, Para("No exceptions were noted, so there are no responses to present.")]
    rows = tuple(
        Row((_exception(figures, n), single(_or_gap(found.management_response, "management response"))))
        for n, found in enumerate(figures.deviations)
    )
    return [*story, Table(("Exception", "Management's response"), rows, (0.5, 0.5), "Section V")]


def exceptions_summary(figures: ReportFigures, title: str) -> list[Block]:
    story: list[Block] = [PageBreak(), Heading(title, 0), *outside_examination(figures)]
    if not figures.deviations:
        return [*story, Para("No exceptions were noted.")]
    raised: dict[DeviationId, list[str]] = defaultdict(list)
    for finding in figures.data.findings:
        for key in finding.deviation_ids:
            raised[key].append(finding.ref)
    rows = []
    for n, found in enumerate(figures.deviations):
        soc2, iso = figures.affected(found)
        cells = [_exception(figures, n), single(", ".join(soc2) or "-"), single(", ".join(iso) or "-")]
        if figures.internal:
            cells.append(single(", ".join(raised.get(found.id, ())) or "-"))
        rows.append(Row(tuple(cells)))
    header = ["Exception", "SOC 2 criteria affected", "ISO/IEC 42001 requirements affected"]
    if figures.internal:  # the findings register (with its grades) is the internal copy's last appendix
        return [*story, Table((*header, "ISO findings"), tuple(rows), (0.52, 0.15, 0.19, 0.14), title)]
    return [*story, Table(tuple(header), tuple(rows), (0.6, 0.18, 0.22), title)]


def evidence_index(figures: ReportFigures, title: str) -> list[Block]:
    """Every attached file with its fingerprint, so a reader can match a copy to what was examined."""
    story: list[Block] = [PageBreak(), Heading(title, 0)]
    files = figures.data.evidence
    if not files:
        return [*story, Para("No evidence files are attached to this engagement.")]
    rows = []
    for e in files:
        provided: tuple[Para, ...] = (Para(_or_gap(e.provided_by, "provided by"), Style.CELL),)
        if e.pbc_ref:
            provided += (Para(f"Request {e.pbc_ref}", Style.CELL),)
        rows.append(
            Row(
                (
                    single(joined(f"{e.ref} ", e.original_name)),
                    single(f"{e.size:,}"),
                    single(f"{e.sha256[:32]}\n{e.sha256[32:]}", Style.CELL_HASH),
                    single(e.received_date.isoformat() if e.received_date else "-"),
                    provided,
                    single(", ".join(ref.replace(" ", "\u00a0") for ref in e.used_by) or "-"),  # "C-001.T2 #3" whole
                )
            )
        )
    header = ("File", "Size (bytes)", "SHA-256", "Received", "Provided by", "Supports")
    return [*story, Table(header, tuple(rows), (0.22, 0.09, HASH_SHARE, 0.1, 0.14, 0.45 - HASH_SHARE), title)]


def crosswalk(figures: ReportFigures, title: str) -> list[Block]:
    """The crosswalk links between requirements in this engagement's scope, as the engagement holds them."""
    known = figures.requirements
    used = [m for m in figures.data.mappings if m.iso_code in known and m.soc2_code in known]
    rows = tuple(
        Row(
            (
                single(known[m.iso_code].label),
                single(known[m.soc2_code].label),
                (
                    Para(m.relationship.label, Style.CELL),
                    *((Para("(this engagement)", Style.CELL_NOTE),) if m.origin == "engagement" else ()),
                ),
                single(m.rationale),
            )
        )
        for m in used
    )
    lead: Text = (
        "The links between ISO/IEC 42001 requirements and SOC 2 criteria in scope that proposed which controls serve "
        "which requirements. Links to criteria of categories not in scope are not listed."
    )
    header = ("ISO/IEC 42001 requirement", "SOC 2 criterion", "Relationship", "Rationale")
    return [PageBreak(), Heading(title, 0), Para(lead), Table(header, rows, (0.24, 0.24, 0.12, 0.4), title)]


Appendix = Callable[[ReportFigures, str], list[Block]]


def appendices(figures: ReportFigures) -> list[tuple[str, Appendix]]:
    """The appendices this copy has, each titled with its letter."""
    chosen: list[tuple[str, Appendix]] = [("Exceptions summary", exceptions_summary)]
    if figures.internal:
        chosen.append(("Evidence index", evidence_index))
    if figures.options.crosswalk:
        chosen.append(("Crosswalk used", crosswalk))
    if figures.internal:
        chosen.append(("ISO/IEC 42001 findings register", findings_register))
    return [(f"Appendix {chr(ord('A') + n)}: {name}", part) for n, (name, part) in enumerate(chosen)]
