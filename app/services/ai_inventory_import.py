"""Importing the client's AI system inventory from its spreadsheet (CSV or XLSX).

The file is the client's, so it is previewed and read by the population readers (`population_files.preview` and
`open_table`) with their limits for hostile files; the auditor maps each inventory field to a column (a guess from
the headers comes first). A system whose name is already in the inventory is updated, keeping what the file does not
map; any other is added. One transaction: a refused row, named with its number and column, keeps nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from fieldwork.app.domain.ai_systems import STAGES, AiRole, AiSystemInput, LifeCycleStage, RiskLevel, parse_components
from fieldwork.app.domain.sampling import PopulationSource
from fieldwork.app.domain.vocabulary import Labelled
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import ValidationError
from fieldwork.app.services.ai_systems import id_by_name, insert_system, read_system, write_system
from fieldwork.app.services.history import changes
from fieldwork.app.services.population_files import open_table
from fieldwork.app.services.population_table import Cell, Rows, cell_text, parse_date
from fieldwork.app.tasks import Task

#: More rows than any organization's AI inventory: a file beyond it is not one.
MAX_SYSTEMS = 5_000


class InventoryField(Labelled):
    """An inventory field a column can fill, in the order the import dialog offers them."""

    NAME = "name", "Name"
    PURPOSE = "purpose", "Purpose"
    ROLES = "roles", "Organization's role"
    AFFECTED = "affected", "People affected"
    RISK_LEVEL = "risk_level", "Risk level"
    STAGE = "stage", "Life cycle stage"
    DESIGN_ON = "design_on", "Design date"
    DEVELOPMENT_ON = "development_on", "Development date"
    VERIFICATION_ON = "verification_on", "Verification date"
    DEPLOYED_ON = "deployed_on", "Deployed date"
    RETIRED_ON = "retired_on", "Retired date"
    MODELS = "models", "Models (with provenance)"
    DATASETS = "datasets", "Data sets (with provenance)"
    OWNER = "owner", "Owner"
    IN_SCOPE = "in_scope", "In scope"
    SCOPE_REASON = "scope_reason", "Scope reason"


#: Words in a column's header that suggest a field.
HINTS: dict[InventoryField, tuple[str, ...]] = {
    InventoryField.NAME: ("name", "ai system", "system"),
    InventoryField.PURPOSE: ("purpose", "intended use", "description"),
    InventoryField.ROLES: ("role",),
    InventoryField.AFFECTED: ("affected", "impacted", "stakeholders"),
    InventoryField.RISK_LEVEL: ("risk",),
    InventoryField.STAGE: ("stage", "lifecycle", "life cycle", "status"),
    InventoryField.DESIGN_ON: ("design",),
    InventoryField.DEVELOPMENT_ON: ("development",),
    InventoryField.VERIFICATION_ON: ("verification", "validation"),
    InventoryField.DEPLOYED_ON: ("deployed", "deployment", "go-live", "go live", "production"),
    InventoryField.RETIRED_ON: ("retired", "retirement", "decommissioned"),
    InventoryField.MODELS: ("models", "model"),
    InventoryField.DATASETS: ("data sets", "datasets", "dataset", "data"),
    InventoryField.OWNER: ("owner",),
    InventoryField.IN_SCOPE: ("in scope", "scope"),
    InventoryField.SCOPE_REASON: ("reason", "justification", "rationale"),
}

_STAGE_WORDS = {"production": "deployed", "in production": "deployed", "live": "deployed", "decommissioned": "retired"}
_RISK_WORDS = {"moderate": "medium"}
_YES = ("yes", "y", "true", "1", "in scope", "in")
_NO = ("no", "n", "false", "0", "out of scope", "out")
_ROLE_SPLIT = re.compile(r"\s*(?:,|;|/|&|\band\b)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class InventoryImport:
    source_name: str
    sha256: str
    added: tuple[str, ...]
    updated: tuple[str, ...]


def guess_mapping(columns: Sequence[str]) -> dict[InventoryField, str]:
    """A column per field where a header names it: exact headers first, then the longest hint found in one."""
    normal = {column: " ".join(column.casefold().replace("_", " ").split()) for column in columns}
    found: dict[InventoryField, str] = {}

    def take(field: InventoryField, column: str) -> None:
        if field not in found and column not in found.values():
            found[field] = column

    for field in InventoryField:
        for column in columns:
            if normal[column] in (field.label.casefold(), *HINTS[field]):
                take(field, column)
    pairs = sorted(((hint, field) for field in InventoryField for hint in HINTS[field]), key=lambda p: -len(p[0]))
    for hint, field in pairs:
        for column in columns:
            if re.search(rf"\b{re.escape(hint)}\b", normal[column]):
                take(field, column)
    return {field: found[field] for field in InventoryField if field in found}


# --- reading a row -------------------------------------------------------------------------------------------


def _choice(kind: type[Labelled], words: Mapping[str, str], text: str) -> Any:
    try:
        return kind.parse(words.get(text.casefold(), text))
    except ValueError:
        raise ValueError(f"{text!r} is not one of: {', '.join(member.label for member in kind)}") from None


def _roles(text: str) -> tuple[AiRole, ...]:
    return tuple(_choice(AiRole, {}, part) for part in _ROLE_SPLIT.split(text) if part.strip())


def _in_scope(text: str) -> bool:
    if text.casefold() in _YES or not text:
        return True
    if text.casefold() in _NO:
        return False
    raise ValueError(f"{text!r} is not yes or no")


def _text(cell: Cell) -> str:
    return cell_text(cell).strip()


def _optional(kind: type[Labelled], words: Mapping[str, str]) -> Callable[[Cell], Any]:
    return lambda cell: _choice(kind, words, _text(cell)) if _text(cell) else None


_READERS: dict[InventoryField, Callable[[Cell], Any]] = {
    InventoryField.ROLES: lambda cell: _roles(_text(cell)),
    InventoryField.RISK_LEVEL: _optional(RiskLevel, _RISK_WORDS),
    InventoryField.STAGE: _optional(LifeCycleStage, _STAGE_WORDS),
    InventoryField.MODELS: lambda cell: parse_components(_text(cell)),
    InventoryField.DATASETS: lambda cell: parse_components(_text(cell)),
    InventoryField.IN_SCOPE: lambda cell: _in_scope(_text(cell)),
}


def _reader(field: InventoryField, date_format: str | None) -> Callable[[Cell], Any]:
    """How a cell of this field becomes its value (raising ValueError with the reason)."""
    if field.value.endswith("_on"):
        return lambda cell: parse_date(cell, date_format)
    return _READERS.get(field, _text)


def _latest_dated(values: AiSystemInput) -> LifeCycleStage | None:
    return next((stage for stage in reversed(STAGES) if values.stage_date(stage) is not None), None)


@dataclass(frozen=True)
class _Row:
    number: int
    fields: dict[InventoryField, Any]


def _read_rows(name: str, rows: Rows, picks: dict[InventoryField, int], date_format: str | None) -> list[_Row]:
    """The rows that name a system, each field read; stops (refusing the file) past `MAX_SYSTEMS` rows."""
    readers = {field: _reader(field, date_format) for field in picks}
    found = []
    for read, (number, cells) in enumerate(islice(rows, MAX_SYSTEMS + 1)):
        if read == MAX_SYSTEMS:
            raise ValidationError(f"{name} holds more than {MAX_SYSTEMS:,} rows: is it the AI system inventory?")
        values: dict[InventoryField, Any] = {}
        for field, index in picks.items():
            cell = cells[index] if index < len(cells) else None
            try:
                values[field] = readers[field](cell)
            except ValueError as exc:
                raise ValidationError(f"{name}, row {number}, {field.label.lower()}: {exc}.") from None
        if values[InventoryField.NAME]:
            found.append(_Row(number, values))
    return found


def _check_names(name: str, rows: Sequence[_Row]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        key = " ".join(str(row.fields[InventoryField.NAME]).split()).casefold()
        if key in seen:
            raise ValidationError(
                f"{name} names {row.fields[InventoryField.NAME]} twice (rows {seen[key]} and {row.number})."
            )
        seen[key] = row.number


def _merged(base: AiSystemInput, row: _Row) -> AiSystemInput:
    """The record after the import: the mapped fields from the row, the rest as they were (or blank). A system
    matched by name keeps its spelling in the inventory (the match ignores case and spacing)."""
    given = {field.value: value for field, value in row.fields.items() if field is not InventoryField.STAGE}
    merged = replace(base, **{**given, "name": base.name or given["name"]})
    stage = row.fields.get(InventoryField.STAGE) or _latest_dated(merged) or base.stage
    return replace(merged, stage=stage)


def import_inventory(
    db: Engagement,
    source: PopulationSource,
    mapping: Mapping[InventoryField, str],
    *,
    date_format: str | None = None,
    task: Task | None = None,
) -> InventoryImport:
    """Add or update the inventory from the file, each change recorded, in one transaction."""
    if InventoryField.NAME not in mapping:
        raise ValidationError("Choose the column that names each AI system.")
    task = task or Task()
    with open_table(source) as table:
        picks = {field: table.column_index(column) for field, column in mapping.items()}
        rows = _read_rows(table.name, table.rows, picks, date_format)
        done, total = table.progress()
        task.progress(done, total, f"{len(rows):,} AI systems")
        sha256, name = table.sha256(), table.name
    if not rows:
        raise ValidationError(f"{name} names no AI system below its header.")
    _check_names(name, rows)
    added, updated = [], []
    with changes(db) as ch:
        for row in rows:
            existing = id_by_name(ch.conn, str(row.fields[InventoryField.NAME]))
            base = read_system(ch.conn, existing).as_input() if existing else AiSystemInput(name="")
            try:
                if existing is None:
                    insert_system(ch, _merged(base, row))
                    added.append(str(row.fields[InventoryField.NAME]))
                else:
                    write_system(ch, existing, _merged(base, row))
                    updated.append(base.name)
            except ValidationError as exc:
                raise ValidationError(f"{name}, row {row.number}: {exc.message}") from None
        detail = {"source": name, "sha256": sha256, "mapping": {f.value: c for f, c in mapping.items()}}
        ch.record("import AI system inventory", "ai_system", name, {**detail, "added": added, "updated": updated})
    return InventoryImport(name, sha256, tuple(added), tuple(updated))
