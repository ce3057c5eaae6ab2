"""Records of populations and samples: what the sampling services take and return.

They live apart from `records.py` because they belong to one subject; like every record
they are plain and frozen, so the UI can hold them across threads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fieldwork.app.domain.ids import PopulationId, SampleItemId, TestId
from fieldwork.app.domain.vocabulary import Frequency, Labelled, Nature, Selection


class Risk(Labelled):
    """The auditor's assessment of the risk the control addresses: it picks a size within the range."""

    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


@dataclass(frozen=True)
class SizeSuggestion:
    """The methodology's range for the control, the size it picks, and why, in one line."""

    minimum: int
    maximum: int
    size: int
    reasoning: str
    methodology: str


@dataclass(frozen=True)
class SamplePlan:
    """A test's sample as planned: the suggestion beside what the auditor recorded."""

    test_id: TestId
    test_ref: str
    frequency: Frequency
    nature: Nature
    risk: Risk | None
    suggestion: SizeSuggestion | None
    sample_size: int | None
    override_reason: str | None
    selection: Selection | None
    seed: int | None


@dataclass(frozen=True)
class PopulationSource:
    """Where a population comes from and how to read it.

    `header_row` is the 1-based row that names the columns: None detects it, 0 says the file has
    no header. `sheet` is an XLSX worksheet (None: the first); `encoding` applies to CSV only.
    """

    path: Path
    sheet: str | None = None
    header_row: int | None = None
    encoding: str = "utf-8-sig"


@dataclass(frozen=True)
class PopulationPreview:
    """The first rows of a file as it would be imported, for the auditor to check before importing."""

    source_name: str
    sheet_names: tuple[str, ...]
    sheet: str | None
    header_row: int
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    id_column: str
    date_column: str | None


@dataclass(frozen=True)
class PopulationItemInput:
    """One item of a population entered by hand."""

    identifier: str
    item_date: date | None = None


@dataclass(frozen=True)
class Population:
    """A test's population: its source, its shape, and how many of its items fall outside the period."""

    id: PopulationId
    test_id: TestId
    source_name: str
    source_sha256: str | None
    sheet_name: str | None
    columns: tuple[str, ...]
    id_column: str
    date_column: str | None
    row_count: int
    imported_by: str
    imported_at: str
    #: Items dated outside `outside_label`: the period, or the test's window when it has one of its own.
    outside_period: int = 0
    undated: int = 0
    outside_label: str = "the period"


@dataclass(frozen=True)
class PopulationRow:
    row_no: int
    identifier: str
    item_date: date | None
    values: tuple[str, ...]


@dataclass(frozen=True)
class SelectedItem:
    """A sample item drawn from the population, and the population row it came from."""

    sample_item_id: SampleItemId
    seq: int
    row_no: int
    identifier: str
    item_date: date | None


@dataclass(frozen=True)
class SampleDraw:
    """What one selection (or extension) added, and how it was made, for the auditor to read back."""

    test_id: TestId
    test_ref: str
    method: Selection
    seed: int | None
    interval: float | None
    eligible: int
    left_out: int
    sample_size: int
    items: tuple[SelectedItem, ...]
