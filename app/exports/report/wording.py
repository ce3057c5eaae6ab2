"""The report's standard wording, from plain-text templates a firm can edit (see the templates' README).

The templates hold every sentence; the code only chooses which variant file applies (Type 1 or 2, the
opinion on each area, the subservice method, complementary controls, the ISO/IEC 42001 date or period)
and fills the values in. A draft must never hide what is still missing: a placeholder without a value,
or one the app does not know, prints as a gap instead of an empty string.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from string import Template

from fieldwork.app.domain.judgements import OpinionArea
from fieldwork.app.domain.records import EngagementDetails
from fieldwork.app.domain.report_inputs import AreaOpinion, CriteriaTiming
from fieldwork.app.domain.subservice import ComplementaryKind, SubserviceOrganization
from fieldwork.app.domain.vocabulary import Opinion, ReportType, Role, SubserviceTreatment
from fieldwork.app.exports.dataset import ReportData
from fieldwork.app.exports.report.model import Para, Run, Style, Text, gap
from fieldwork.app.paths import config_dir
from fieldwork.app.resources import resource_path

TEMPLATE_FOLDER = ("templates", "report")
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
OPINION_NAMES = {
    Opinion.UNMODIFIED: "Opinion",
    Opinion.QUALIFIED: "Qualified Opinion",
    Opinion.ADVERSE: "Adverse Opinion",
    Opinion.DISCLAIMER: "Disclaimer of Opinion",
}


def long_date(value: date | None) -> str | None:
    """US report style ("September 30, 2026"), independent of the machine's locale."""
    return f"{MONTHS[value.month - 1]} {value.day}, {value.year}" if value else None


def sentence_case(text: str) -> str:
    """The first letter capitalized and nothing else touched (`str.capitalize` would lower "October")."""
    return text[:1].upper() + text[1:]


def english_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def short_period(details: EngagementDetails) -> str:
    """The period as the running header and the cover show it."""
    if details.report_type is ReportType.TYPE1:
        return f"As of {long_date(details.as_of_date) or '(no as-of date)'}"
    return (
        f"{long_date(details.period_start) or '(no start date)'} to {long_date(details.period_end) or '(no end date)'}"
    )


def timing_phrase(timing: CriteriaTiming) -> str | None:
    """A date or period as the report's sentences use it; None (a gap) when a date is missing."""
    if not timing.is_period:
        return f"as of {long_date(timing.as_of)}"
    if timing.start is None or timing.end is None:
        return None
    return f"throughout the period {long_date(timing.start)}, to {long_date(timing.end)}"


@dataclass(frozen=True)
class Choices:
    """What the wording follows, worked out once from the engagement and its judgements."""

    data: ReportData
    type2: bool
    overall: Opinion
    areas: dict[OpinionArea, AreaOpinion]
    soc_timing: CriteriaTiming
    iso_timing: CriteriaTiming
    iso_own: bool  # the ISO/IEC 42001 criteria have a date or period of their own
    carved_out: tuple[SubserviceOrganization, ...]
    inclusive: tuple[SubserviceOrganization, ...]
    cuecs: bool

    @classmethod
    def of(cls, data: ReportData) -> Choices:
        details, judged = data.details, data.inputs
        type2 = details.report_type is ReportType.TYPE2
        if type2:
            soc = CriteriaTiming(start=details.period_start, end=details.period_end)
        else:
            soc = CriteriaTiming(as_of=details.as_of_date)
        iso = judged.iso_timing or soc
        if not type2 and iso.is_period:  # a Type 1 examination has no period, for either set of criteria
            iso = CriteriaTiming(as_of=iso.end)
        return cls(
            data=data,
            type2=type2,
            overall=judged.opinion.overall(details.report_type),
            areas=judged.opinion.areas(details.report_type),
            soc_timing=soc,
            iso_timing=iso,
            iso_own=iso != soc,
            carved_out=judged.organizations(SubserviceTreatment.CARVE_OUT),
            inclusive=judged.organizations(SubserviceTreatment.INCLUSIVE),
            cuecs=bool(judged.complementary_of(ComplementaryKind.CUEC)),
        )

    @property
    def kind(self) -> str:
        return "type2" if self.type2 else "type1"

    def adverse(self, *areas: OpinionArea) -> bool:
        return any(self.areas.get(area, AreaOpinion()).kind is Opinion.ADVERSE for area in areas)

    def controls_key(self) -> str:
        """Which opinion (or assertion) on the controls: design and operation in one statement while both hold, in
        two when only operation fails; an adverse design fails both."""
        if self.adverse(OpinionArea.DESIGN):
            return f"{self.kind}.negative"
        if self.type2 and self.adverse(OpinionArea.OPERATION):
            return "type2.operation_negative"
        return f"{self.kind}.positive"

    def iso_key(self) -> str:
        if not self.iso_own:
            return "same"
        sign = "negative" if self.adverse(OpinionArea.DESIGN, OpinionArea.OPERATION) else "positive"
        return f"{'period' if self.iso_timing.is_period else 'as_of'}.{sign}"

    def complementary_key(self) -> str:
        present = [name for name, on in (("csoc", bool(self.carved_out)), ("cuec", self.cuecs)) if on]
        if not present:
            return "none"
        return f"{'both' if len(present) == 2 else present[0]}.{self.kind}"

    def assertions(self) -> Iterator[tuple[str, dict[str, str | None]]]:
        """Each inclusive subservice organization's assertion, received or missing (a gap in the draft)."""
        for found in self.inclusive:
            key = "received" if found.assertion_received else "missing"
            yield key, {"subservice_name": found.name, "subservice_assertion": None}

    def matters(self) -> Iterator[tuple[str, dict[str, str | None]]]:
        """The matters behind a modified opinion, each with its area's wording; one gap when none is recorded."""
        found = False
        for area, judged in self.areas.items():
            for matter in judged.matters:
                found = True
                key = "scope_limitation" if judged.kind is Opinion.DISCLAIMER else area.value
                criteria = english_list(list(judged.criteria)) if judged.criteria else None
                yield key, {"modification_basis": matter.strip() or None, "matter_criteria": criteria}
        if not found and self.overall is not Opinion.UNMODIFIED:
            yield "unstated", {"modification_basis": None, "matter_criteria": None}


def _present(on: object) -> str:
    return "present" if on else "none"


#: Matters that name no criteria: a scope limitation, or a basis not yet written.
NO_CRITERIA = ("scope_limitation", "unstated")

#: Placeholders that insert a whole variant file from `blocks/`: the file's stem and how the report picks it.
BLOCKS: dict[str, tuple[str, Callable[[Choices], str]]] = {
    "tested": ("tested", lambda c: c.kind),
    "iso_tested": ("tested", lambda c: "type2" if c.iso_timing.is_period else "type1"),
    "achieved": ("achieved", lambda c: c.kind),
    "designed": ("designed", lambda c: c.kind),
    "designed_past": ("designed_past", lambda c: c.kind),
    "implemented": ("implemented", lambda c: c.kind),
    "responsible": ("responsible", lambda c: c.kind),
    "limitations": ("limitations", lambda c: c.kind),
    "ipe_procedures": ("ipe", lambda c: c.kind),
    # A disclaimer says no examination opinion could be formed: it does not describe the procedures as a basis.
    "testing": ("testing", lambda c: "disclaimer" if c.overall is Opinion.DISCLAIMER else c.kind),
    "criteria": ("criteria", lambda c: "own" if c.iso_own else "same"),
    "subservice_carve_out": ("subservice_carve_out", lambda c: _present(c.carved_out)),
    "subservice_inclusive": ("subservice_inclusive", lambda c: _present(c.inclusive)),
    "assertion_carve_out": ("assertion_carve_out", lambda c: _present(c.carved_out)),
    "assertion_inclusive": ("assertion_inclusive", lambda c: _present(c.inclusive)),
    "cuec": ("cuec", lambda c: _present(c.cuecs)),
    "assertion_cuec": ("assertion_cuec", lambda c: _present(c.cuecs)),
    "complementary": ("complementary", lambda c: c.complementary_key()),
    "evidence_basis": ("evidence_basis", lambda c: c.overall.value),
    "opinion_basis": ("opinion_basis", lambda c: "none" if c.overall is Opinion.UNMODIFIED else "modified"),
    "opinion": (
        "opinion",
        lambda c: f"disclaimer.{c.kind}" if c.overall is Opinion.DISCLAIMER else c.overall.value,
    ),
    "assertion_lead": ("assertion_lead", lambda c: c.overall.value),
    # The statements the opinion gives and management's assertion makes, in the same words.
    "description_statement": (
        "description",
        lambda c: "negative" if c.adverse(OpinionArea.DESCRIPTION) else "positive",
    ),
    "controls_statement": ("controls", lambda c: c.controls_key()),
    "iso_statement": ("iso", lambda c: c.iso_key()),
}

#: Placeholders that, alone on a line, insert one copy of a variant file per item, each with its own values.
Items = Iterator[tuple[str, dict[str, str | None]]]
REPEATED: dict[str, tuple[str, Callable[[Choices], Items]]] = {
    "opinion_matters": ("matter", lambda c: c.matters()),
    "assertion_matters": (
        "assertion_matter",
        lambda c: ((key if key in NO_CRITERIA else "criteria", own) for key, own in c.matters()),
    ),
    "inclusive_assertions": ("inclusive_assertion", lambda c: c.assertions()),
}


def _organizations(found: tuple[SubserviceOrganization, ...]) -> str | None:
    """ "A (hosting); B (identity)." as the subservice paragraphs name them."""
    if not found:
        return None
    listed = "; ".join(f"{o.name.strip()} ({o.services.strip()})" if o.services.strip() else o.name for o in found)
    return listed if listed.rstrip().endswith(".") else f"{listed}."


def placeholder_values(choices: Choices) -> dict[str, str | None]:
    """Every value a template may name; None marks one the engagement does not hold (yet)."""
    data = choices.data
    details = data.details
    partners = [member.name for member in data.team if member.role is Role.PARTNER]
    included = sum(line.included for line in data.soa)
    values: dict[str, str | None] = {
        "service_organization": details.client,
        "system": details.system_name,
        "report_type": details.report_type.label,
        "period": timing_phrase(choices.soc_timing),
        "iso_period": timing_phrase(choices.iso_timing),
        "tsc_categories": english_list([c.lower() for c in details.tsc_categories]),
        "iso_scope": details.iso_scope,
        "carved_out_organizations": _organizations(choices.carved_out),
        "included_organizations": _organizations(choices.inclusive),
        "report_release_date": long_date(details.report_release_date),
        "engagement_partner": ", ".join(partners),
        "annex_a_included": str(included),
        "annex_a_excluded": str(len(data.soa) - included),
        "service_auditor_firm": details.auditor_firm,
        "service_auditor_city": details.auditor_city,
        "opinion_heading": OPINION_NAMES[choices.overall],
        "opinion_basis_heading": f"Basis for {OPINION_NAMES[choices.overall]}",
        "opinion_name": OPINION_NAMES[choices.overall].lower(),
    }
    return {name: value if value and value.strip() else None for name, value in values.items()}


def template_text(*parts: str) -> str:
    """A firm's own copy (in the configuration folder) wins over the wording shipped with the app."""
    own = config_dir().joinpath(*TEMPLATE_FOLDER, *parts)
    path = own if own.is_file() else resource_path(*TEMPLATE_FOLDER, *parts)
    return Path(path).read_text(encoding="utf-8").strip()


def _expand_blocks(text: str, choices: Choices) -> str:
    """Insert the variant files (they may hold further placeholders, even further variants)."""

    def variant(match: re.Match[str]) -> str:
        name = match.group("named") or match.group("braced")
        if name not in BLOCKS:
            return match.group(0)
        stem, choose = BLOCKS[name]
        return template_text("blocks", f"{stem}.{choose(choices)}.txt")

    for _ in range(len(BLOCKS)):  # a block never needs more rounds than there are kinds of block
        expanded = Template.pattern.sub(variant, text)
        if expanded == text:
            break
        text = expanded
    return text


def _fill(text: str, values: dict[str, str | None]) -> Text:
    """One piece of text with each placeholder a value or a gap; plain text when nothing is missing."""
    runs: list[Run] = []
    pieces: list[str] = []
    position = 0

    def flush() -> None:
        if pieces:
            runs.append(Run("".join(pieces)))
            pieces.clear()

    for match in Template.pattern.finditer(text):
        pieces.append(text[position : match.start()])
        position = match.end()
        name = match.group("named") or match.group("braced")
        if match.group("escaped") is not None or name is None:
            pieces.append("$")
        elif values.get(name):
            value = values[name] or ""
            # "Acme, Inc." before a full stop: one full stop
            pieces.append(value[:-1] if value.endswith(".") and text.startswith(".", position) else value)
        else:
            flush()
            known = name in values
            runs.append(gap(f"MISSING: {name.replace('_', ' ')}" if known else f"UNKNOWN PLACEHOLDER: ${{{name}}}"))
    pieces.append(text[position:])
    flush()
    return runs[0].text if len(runs) == 1 and not runs[0].gap else tuple(runs)


def _paragraphs(text: str, choices: Choices, values: dict[str, str | None]) -> list[Para]:
    """Template text as paragraphs, subheadings and list items; a repeated placeholder alone on a line becomes one
    copy of its variant file per item."""
    made: list[Para] = []
    lines: list[str] = []

    def end_paragraph() -> None:
        if lines:
            style = Style.SIGNATURE if len(lines) > 1 else Style.BODY
            made.append(Para(_fill("\n".join(lines), values), style))
            lines.clear()

    for raw in _expand_blocks(text, choices).splitlines():
        line = raw.strip()
        repeated = line[2:-1] if line.startswith("${") and line.endswith("}") else ""
        if line.startswith(("## ", "- ")) or not line or repeated in REPEATED:
            end_paragraph()
        if repeated in REPEATED:
            stem, items = REPEATED[repeated]
            for key, own in items(choices):
                made += _paragraphs(template_text("blocks", f"{stem}.{key}.txt"), choices, {**values, **own})
        elif line.startswith("## "):
            made.append(Para(_fill(line[3:], values), Style.SUBHEAD, keep_with_next=True))
        elif line.startswith("- "):
            made.append(Para(_fill(line[2:], values), Style.ITEM))
        elif line:
            lines.append(line)
    end_paragraph()
    return made


def render(name: str, data: ReportData) -> list[Para]:
    """A template, its variants inserted and its placeholders filled, as paragraphs to lay out."""
    choices = Choices.of(data)
    return _paragraphs(template_text(name), choices, placeholder_values(choices))
