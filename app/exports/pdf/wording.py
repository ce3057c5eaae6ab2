"""The report's standard wording, from plain-text templates a firm can edit (see the templates' README).

A draft must never hide what is still missing: a placeholder without a value, or one the
app does not know, prints as a highlighted gap instead of an empty string.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from string import Template

from app.domain.records import EngagementDetails
from app.domain.vocabulary import ReportType, Role
from app.exports.dataset import ReportData
from app.exports.pdf.fonts import markup
from app.exports.pdf.styles import gap
from app.paths import config_dir
from app.resources import resource_path

TEMPLATE_FOLDER = ("templates", "report")

#: Placeholders that insert a whole variant file from `blocks/`, and how the engagement picks it.
BLOCKS: dict[str, Callable[[ReportData], str]] = {
    "opinion": lambda data: data.worksheet.overall_recorded.value,
    "subservice": lambda data: data.details.subservice_treatment.value,
    "assertion_subservice": lambda data: data.details.subservice_treatment.value,
    "tested_attributes": lambda data: data.details.report_type.value,
    "suitability": lambda data: data.details.report_type.value,
    "testing": lambda data: data.details.report_type.value,
}
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class Block:
    """One piece of filled-in wording: a subheading, a paragraph or a list item (already markup)."""

    kind: str  # "heading", "paragraph" or "item"
    markup: str


def long_date(value: date | None) -> str | None:
    """US report style ("September 30, 2026"), independent of the machine's locale."""
    return f"{MONTHS[value.month - 1]} {value.day}, {value.year}" if value else None


def english_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def short_period(details: EngagementDetails) -> str:
    """The period as the running header and the cover show it."""
    if details.report_type is ReportType.TYPE1:
        return f"As of {long_date(details.as_of_date) or '(no as-of date)'}"
    return (
        f"{long_date(details.period_start) or '(no start date)'} to {long_date(details.period_end) or '(no end date)'}"
    )


def period_phrase(details: EngagementDetails) -> str | None:
    """The period as the report's sentences use it; None (a gap) when a date is missing."""
    if details.report_type is ReportType.TYPE1:
        return f"as of {long_date(details.as_of_date)}" if details.as_of_date else None
    if details.period_start is None or details.period_end is None:
        return None
    return f"throughout the period {long_date(details.period_start)}, to {long_date(details.period_end)}"


def placeholder_values(data: ReportData) -> dict[str, str | None]:
    """Every value a template may name; None marks one the engagement does not hold (yet)."""
    details = data.details
    partners = [member.name for member in data.team if member.role is Role.PARTNER]
    included = sum(line.included for line in data.soa)
    return {
        "service_organization": details.client,
        "system": details.system_name,
        "report_type": details.report_type.label,
        "period": period_phrase(details),
        "tsc_categories": english_list([c.lower() for c in details.tsc_categories]),
        "iso_scope": details.iso_scope,
        "subservice_organizations": details.subservice_organizations,
        "report_release_date": long_date(details.report_release_date),
        "engagement_partner": ", ".join(partners),
        "annex_a_included": str(included),
        "annex_a_excluded": str(len(data.soa) - included),
        "service_auditor_firm": details.auditor_firm or None,
        "service_auditor_city": details.auditor_city or None,
        "modification_basis": "\n".join(dict.fromkeys(r.basis for r in data.worksheet.recorded if r.basis)) or None,
    }


def template_text(*parts: str) -> str:
    """A firm's own copy (in the configuration folder) wins over the wording shipped with the app."""
    own = config_dir().joinpath(*TEMPLATE_FOLDER, *parts)
    path = own if own.is_file() else resource_path(*TEMPLATE_FOLDER, *parts)
    return Path(path).read_text(encoding="utf-8").strip()


def _expand_blocks(text: str, data: ReportData) -> str:
    """Insert the variant paragraphs (they may hold further placeholders, even further blocks)."""

    def variant(match: re.Match[str]) -> str:
        name = match.group("named") or match.group("braced")
        if name not in BLOCKS:
            return match.group(0)
        return template_text("blocks", f"{name}.{BLOCKS[name](data)}.txt")

    for _ in range(len(BLOCKS)):  # a block never needs more rounds than there are kinds of block
        expanded = Template.pattern.sub(variant, text)
        if expanded == text:
            break
        text = expanded
    return text


def _fill(text: str, values: dict[str, str | None]) -> str:
    """Markup for one piece of text: literal parts escaped, each placeholder a value or a gap."""
    pieces: list[str] = []
    position = 0
    for match in Template.pattern.finditer(text):
        pieces.append(markup(text[position : match.start()]))
        position = match.end()
        name = match.group("named") or match.group("braced")
        if match.group("escaped") is not None or name is None:
            pieces.append("$")
        elif name not in values:
            pieces.append(gap(f"UNKNOWN PLACEHOLDER: ${{{name}}}"))
        elif values[name]:
            pieces.append(markup(values[name] or ""))
        else:
            pieces.append(gap(f"MISSING: {name.replace('_', ' ')}"))
    pieces.append(markup(text[position:]))
    return "".join(pieces)


def render(name: str, data: ReportData) -> list[Block]:
    """A template, its variants inserted and its placeholders filled, as blocks to lay out."""
    values = placeholder_values(data)
    blocks: list[Block] = []
    lines: list[str] = []

    def end_paragraph() -> None:
        if lines:
            blocks.append(Block("paragraph", _fill("\n".join(lines), values)))
            lines.clear()

    for raw in _expand_blocks(template_text(name), data).splitlines():
        line = raw.strip()
        if line.startswith(("## ", "- ")) or not line:
            end_paragraph()
        if line.startswith("## "):
            blocks.append(Block("heading", _fill(line[3:], values)))
        elif line.startswith("- "):
            blocks.append(Block("item", _fill(line[2:], values)))
        elif line:
            lines.append(line)
    end_paragraph()
    return blocks
