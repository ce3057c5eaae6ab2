"""The fields of a control matrix, the headers that name them, and reading a cell as a field's value.

A client's matrix names its columns its own way ("Control ID", "Control activity", "TSC"); the column for each
field is guessed from the header and the auditor confirms or changes it, as for a population. A cell that
cannot be read as its field says why in a sentence, which the import lists with the row.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import date

from fieldwork.app.domain.vocabulary import Labelled
from fieldwork.app.services.population_table import Cell, cell_text, parse_date

CONTROLS_SHEET = "Controls"
TESTS_SHEET = "Tests"
#: Excel's limit for one cell: a longer text cannot come from a matrix whole.
MAX_TEXT = 32_767
#: How the workpapers mark a text cut short because it did not fit a cell (`exports/xlsx/long_text.py`).
CUT_SHORT = re.compile(r"characters in all: the full text is on the sheet")
LIST_SEPARATORS = re.compile(r"[,;\n]+")


class ControlField(Labelled):
    """A column of the Controls sheet (the label is the header the export writes)."""

    REFERENCE = "reference", "Reference"
    TITLE = "title", "Title"
    DESCRIPTION = "description", "Description"
    OWNER = "owner", "Owner"
    FREQUENCY = "frequency", "Frequency"
    TYPE = "control_type", "Type"
    KEY = "key", "Key control"
    NATURE = "nature", "Nature"
    REQUIREMENTS = "requirements", "Requirements"
    EFFECTIVE_FROM = "effective_from", "In operation from"
    EFFECTIVE_TO = "effective_to", "In operation until"
    REPLACES = "replaces", "Replaces"


class TestField(Labelled):
    """A column of the Tests sheet."""

    REFERENCE = "reference", "Reference"
    CONTROL = "control", "Control"
    KIND = "kind", "Kind"
    PROCEDURE = "procedure", "Procedure"
    METHODS = "methods", "Methods"
    POPULATION = "population", "Population"
    PLANNED_SIZE = "planned_size", "Planned size"
    ROUND = "round", "Round"
    WINDOW_START = "window_start", "Window from"
    WINDOW_END = "window_end", "Window until"


#: Other headers a client's matrix uses for a field, compared without case, spaces or punctuation. One table per
#: sheet: the fields of the two sheets share values ("reference"), and equal values are one key.
CONTROL_SYNONYMS: dict[ControlField, tuple[str, ...]] = {
    ControlField.REFERENCE: ("ref", "control id", "control ref", "control reference", "control no", "control number"),
    ControlField.TITLE: ("control title", "name", "control name", "control"),
    ControlField.DESCRIPTION: ("control description", "control activity", "activity", "control narrative"),
    ControlField.OWNER: ("control owner", "responsible", "process owner"),
    ControlField.FREQUENCY: ("control frequency",),
    ControlField.TYPE: ("control type", "preventive detective", "preventive or detective"),
    ControlField.KEY: ("key", "key control yn"),
    ControlField.NATURE: ("nature of control", "manual automated", "automation", "manual or automated"),
    ControlField.REQUIREMENTS: ("linked requirements", "criteria", "tsc", "mapped criteria", "mapping"),
    ControlField.EFFECTIVE_FROM: ("effective from", "implemented on", "start date"),
    ControlField.EFFECTIVE_TO: ("effective to", "effective until", "end date", "retired on"),
    ControlField.REPLACES: ("replaced control",),
}
TEST_SYNONYMS: dict[TestField, tuple[str, ...]] = {
    TestField.REFERENCE: ("test", "test ref", "test reference", "test id"),
    TestField.CONTROL: ("control ref", "control reference", "control id"),
    TestField.KIND: ("test type", "type of test", "test kind", "type"),
    TestField.PROCEDURE: ("test procedure", "testing procedure", "procedures"),
    TestField.METHODS: ("method", "test methods", "testing methods"),
    TestField.POPULATION: ("population description",),
    TestField.PLANNED_SIZE: ("sample size", "sample", "size"),
    TestField.ROUND: ("test round",),
    TestField.WINDOW_START: ("window start", "covers from", "tested from"),
    TestField.WINDOW_END: ("window end", "covers until", "tested until", "tested to"),
}
#: Headers that hold requirement codes even when they name a framework ("SOC 2 criteria", "ISO/IEC 42001 ...").
_REQUIREMENT_HEADER = re.compile(r"criteri|requirement")


def _normal(header: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", header.lower()).split())


def guess_columns(
    synonyms: dict[ControlField, tuple[str, ...]] | dict[TestField, tuple[str, ...]], columns: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    """Each field's column (by the field's value): its own header first, then a synonym; requirement codes may
    come from several columns."""
    normal = {_normal(column): column for column in reversed(columns)}
    taken: set[str] = set()
    found: dict[str, tuple[str, ...]] = {}
    for field, others in synonyms.items():
        for name in (field.label, *others):
            column = normal.get(_normal(name))
            if column is not None and column not in taken:
                found[field.value] = (column,)
                taken.add(column)
                break
    if ControlField.REQUIREMENTS in synonyms and ControlField.REQUIREMENTS.value not in found:
        several = tuple(c for c in columns if c not in taken and _REQUIREMENT_HEADER.search(c.lower()))
        if several:
            found[ControlField.REQUIREMENTS.value] = several
    return found


# --- cells ---------------------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be its field's value; the message says why in the words of the field."""


def text(cell: Cell, label: str) -> str:
    value = cell_text(cell).strip()
    if len(value) > MAX_TEXT:
        raise CellError(f"the {label.lower()} is longer than {MAX_TEXT:,} characters")
    if CUT_SHORT.search(value):
        raise CellError(f"the {label.lower()} was cut short in the workbook; put the whole text in the cell")
    return value


def choice(cell: Cell, kind: type[Labelled], label: str) -> Labelled | None:
    value = cell_text(cell).strip()
    if not value:
        return None
    try:
        return _parsed(kind, value)
    except ValueError as exc:
        raise CellError(f"{label.lower()} {exc}") from None


@functools.lru_cache(maxsize=1024)
def _parsed(kind: type[Labelled], value: str) -> Labelled:
    """A matrix says "Monthly" thousands of times: each spelling is looked up once."""
    return kind.parse(value)


def choices(cell: Cell, kind: type[Labelled], label: str) -> tuple[Labelled, ...]:
    """A list in one cell ("Inspection, Reperformance"), each a value from `kind`."""
    parts = [part.strip() for part in LIST_SEPARATORS.split(cell_text(cell)) if part.strip()]
    return tuple(found for part in parts if (found := choice(part, kind, label)) is not None)


def codes(cells: Sequence[Cell]) -> tuple[str, ...]:
    """Requirement codes from one cell or several, in order, once each ("CC6.1, CC6.2; A.9.2")."""
    found = [part.strip() for cell in cells for part in re.split(r"[,;\s]+", cell_text(cell)) if part.strip()]
    return tuple(dict.fromkeys(found))


def day(cell: Cell, label: str) -> date | None:
    try:
        return parse_date(cell)
    except ValueError as exc:
        raise CellError(f"{label.lower()}: {exc}") from None


YES = frozenset({"yes", "y", "true", "1", "key", "x"})
NO = frozenset({"no", "n", "false", "0", "non-key", "not key", ""})


def flag(cell: Cell, label: str) -> bool | None:
    if isinstance(cell, bool):
        return cell
    value = cell_text(cell).strip().lower()
    if not value:
        return None
    if value in YES or value in NO:
        return value in YES
    raise CellError(f"{label.lower()} is '{cell_text(cell).strip()}', not Yes or No")


def count(cell: Cell, label: str) -> int | None:
    value = cell_text(cell).strip()
    if not value:
        return None
    if not value.isdigit():
        raise CellError(f"{label.lower()} is '{value}', not a whole number")
    return int(value)
