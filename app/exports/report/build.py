"""The whole report as blocks, section by section (each a checkpoint for progress and cancel)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from fieldwork.app.domain.vocabulary import RequirementKind
from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.report import closing, front, soc2
from fieldwork.app.exports.report.figures import ReportFigures
from fieldwork.app.exports.report.iso import IsoSection, section_four_a
from fieldwork.app.exports.report.model import DRAFT_OPTIONS, Block, Report, ReportOptions
from fieldwork.app.exports.report.wording import short_period
from fieldwork.app.tasks import Task

Part = Callable[[], list[Block]]


def parts(figures: ReportFigures) -> list[tuple[str, Part]]:
    """The report's parts in order, each small enough to be a checkpoint for cancel."""
    iso = IsoSection(figures)
    listed: list[tuple[str, Part]] = [
        ("Contents", partial(front.contents, figures)),
        ("Section I", partial(front.section_one, figures)),
        ("Section II", partial(front.section_two, figures)),
        ("Section III", partial(front.section_three, figures)),
        ("Section IV", partial(soc2.section_four, figures)),
    ]
    listed += [(name, partial(soc2.category, figures, name)) for name in figures.data.details.tsc_categories]
    listed.append(("Section IV-A", partial(section_four_a, figures)))
    listed += [(f"Clause {top.code}", partial(iso.clause, top)) for top in figures.iso_tops(RequirementKind.CLAUSE)]
    listed += [
        ("Annex A", iso.annex_a),
        ("ISO/IEC 42001 controls", iso.iso_only),
        ("Statement of Applicability", iso.statement_of_applicability),
        ("Section V", partial(closing.section_five, figures)),
    ]
    listed += [(title.split(":")[0], partial(part, figures, title)) for title, part in closing.appendices(figures)]
    return listed


def draft_footer(figures: ReportFigures) -> str:
    """When and from what a draft was made; the file and engagement it came from in the internal copy only."""
    data = figures.data
    if figures.internal:
        return f"Draft generated {data.generated_at} from {data.file_name} · engagement {data.facts.engagement_id}"
    return f"Draft generated {data.generated_at} · {figures.options.audience.label}"


def written(listed: list[tuple[str, Part]], task: Task) -> list[Block]:
    """Each part's blocks in turn, with progress between parts (where `task.progress` may raise `Cancelled`)."""
    body: list[Block] = []
    for done, (label, part) in enumerate(listed):
        task.progress(done, len(listed), f"Writing {label}")
        body += part()
    return body


def build_report(data: ReportData, task: Task, options: ReportOptions = DRAFT_OPTIONS) -> Report:
    """The report's content for one audience; `task.progress` may raise `Cancelled` between parts."""
    figures = ReportFigures(data, options)
    details = data.details
    body = written(parts(figures), task)
    period = short_period(details)
    return Report(
        title=f"Draft SOC 2 and ISO/IEC 42001 report: {details.client}",
        subject=(
            f"{details.report_type.label} with ISO/IEC 42001 as additional criteria, {period}: an attestation report, "
            "not an ISO/IEC 42001 certificate"
        ),
        cover=tuple(front.cover(figures)),
        body=tuple(body),
        running_header=(
            f"{details.client} · {details.system_name}",
            f"{details.report_type.label} and ISO/IEC 42001 · {period}",
        ),
        footer=draft_footer(figures),
        audience=options.audience,
    )
