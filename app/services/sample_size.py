"""Suggested sample sizes, from the firm's methodology table (`resources/sampling/sample_sizes.json`).

The table is data, not code, so a firm can state its own methodology; its version goes into every
suggestion's reasoning and into the history when a size is recorded, so a reviewer can tell which
table a size came from. `suggest` is pure: the services gather the facts it needs.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from fieldwork.app.domain.sampling import Risk, SizeSuggestion
from fieldwork.app.domain.vocabulary import Frequency, Nature, TestKind
from fieldwork.app.errors import FieldworkError, ValidationError
from fieldwork.app.resources import resource_path

TABLE = ("sampling", "sample_sizes.json")


@dataclass(frozen=True)
class SizeRange:
    minimum: int
    maximum: int

    def __str__(self) -> str:
        return str(self.minimum) if self.minimum == self.maximum else f"{self.minimum}-{self.maximum}"


@dataclass(frozen=True)
class Band:
    """On-occurrence controls: populations up to `up_to` items (None: any size) take `sizes`."""

    up_to: int | None
    sizes: SizeRange


@dataclass(frozen=True)
class Methodology:
    version: str
    frequencies: dict[Frequency, SizeRange]
    bands: tuple[Band, ...]
    automated: int
    design: int
    risk: dict[Risk, float]
    full_year_days: int
    prorated_minimum: int


@dataclass(frozen=True)
class SizeBasis:
    """The facts a suggestion depends on. `period_days` is None for a Type 1 examination; a test with a window of
    its own counts the window's days, and `window` names them ("2026-03-17 to 2026-09-30")."""

    frequency: Frequency
    nature: Nature
    kind: TestKind
    risk: Risk | None
    period_days: int | None
    population: int | None
    window: str = ""


def _range(raw: dict[str, Any]) -> SizeRange:
    sizes = SizeRange(int(raw["min"]), int(raw["max"]))
    if not 0 < sizes.minimum <= sizes.maximum:
        raise ValueError(f"the range {raw} needs 0 < min <= max")
    return sizes


@cache
def load_methodology() -> Methodology:
    """The table, checked once: a firm's edit that breaks it is reported, not half-applied."""
    path = resource_path(*TABLE)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        risk = {level: float(raw["risk"][level.value]) for level in Risk}
        if any(not 0 <= position <= 1 for position in risk.values()):
            raise ValueError("risk positions lie between 0 and 1")
        bands = tuple(Band(b["up_to"], _range(b)) for b in raw["on_occurrence"]["bands"])
        if not bands or bands[-1].up_to is not None:
            raise ValueError("the last on-occurrence band needs up_to null")
        return Methodology(
            version=str(raw["version"]),
            frequencies={f: _range(raw["frequencies"][f.value]) for f in Frequency if f is not Frequency.ON_OCCURRENCE},
            bands=bands,
            automated=int(raw["automated"]["size"]),
            design=int(raw["design"]["size"]),
            risk=risk,
            full_year_days=int(raw["pro_rating"]["full_year_days"]),
            prorated_minimum=int(raw["pro_rating"]["minimum"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise FieldworkError(f"The sample size table {path} is not valid ({type(exc).__name__}: {exc}).") from None


def suggest(basis: SizeBasis, methodology: Methodology | None = None) -> SizeSuggestion:
    """The range for the control, the size the risk picks within it, and the reasoning in one line."""
    table = methodology or load_methodology()
    if basis.kind is TestKind.DESIGN or basis.period_days is None:
        what = "Test of design" if basis.kind is TestKind.DESIGN else "Type 1 examination"
        return _capped(table, basis, SizeRange(table.design, table.design), table.design, f"{what}: a walkthrough")
    if basis.nature is Nature.AUTOMATED:
        fixed = SizeRange(table.automated, table.automated)
        why = "Automated control: one instance, with the IT general controls over it tested"
        return _capped(table, basis, fixed, table.automated, why)
    risk = basis.risk or Risk.MODERATE
    risk_text = f"{risk.label.lower()} risk" if basis.risk else "risk not yet assessed, taken as moderate"
    if basis.frequency is Frequency.ON_OCCURRENCE:
        if basis.population is None:
            raise ValidationError("An on-occurrence control is sized by its population: import or enter it first.")
        band = next(b for b in table.bands if b.up_to is None or basis.population <= b.up_to)
        span = "test window" if basis.window else "period"
        sizes, why = band.sizes, f"On-occurrence control with {basis.population:,} items in the {span}: {band.sizes}"
    else:
        sizes, why = _prorated(table, table.frequencies[basis.frequency], basis)
    pick = sizes.minimum + math.ceil(table.risk[risk] * (sizes.maximum - sizes.minimum))
    return _capped(table, basis, sizes, pick, f"{why}; {risk_text}: {pick}")


def _prorated(table: Methodology, sizes: SizeRange, basis: SizeBasis) -> tuple[SizeRange, str]:
    label = f"{basis.frequency.label} control"
    days = basis.period_days or table.full_year_days
    if days >= table.full_year_days:
        return sizes, f"{label}: {sizes}"
    factor = days / table.full_year_days
    scaled = SizeRange(
        max(table.prorated_minimum, math.ceil(sizes.minimum * factor)),
        max(table.prorated_minimum, math.ceil(sizes.maximum * factor)),
    )
    span = f"{days}-day test window ({basis.window})" if basis.window else f"{days}-day period"
    return scaled, f"{label} over a {span}: {sizes} pro-rated to {scaled}"


def _capped(table: Methodology, basis: SizeBasis, sizes: SizeRange, pick: int, why: str) -> SizeSuggestion:
    """No sample is larger than the population it is drawn from."""
    if basis.population is not None and pick > basis.population:
        pick = basis.population
        why += f"; all {basis.population:,} items in the population"
        sizes = SizeRange(min(sizes.minimum, pick), min(sizes.maximum, pick))
    return SizeSuggestion(sizes.minimum, sizes.maximum, pick, f"{why} (methodology {table.version}).", table.version)
