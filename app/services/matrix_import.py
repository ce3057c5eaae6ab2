"""Importing a control matrix: the controls and test plans of a client's or the firm's workbook.

The workbook is untrusted and read as a population is (`population_files.open_table`: the same limits against
zip and entity bombs, oversized files and broken CSV; the same header detection). Each sheet's columns are mapped
to fields (`matrix_fields`, guessed from the headers). Controls are matched to the engagement's by reference:
each row is an add, a change (the fields named) or unchanged. A row that cannot be taken (an unknown
requirement, a reference given twice, a frequency that is not one) is listed with its sheet and row, and then
nothing is written at all.

The whole import runs in one write transaction through the services' own rules (dates, windows, plans), and a
preview is the same run rolled back: what the preview lists is what the import does. A new control whose
reference a deleted control once had takes the reference with a suffix (C-081-2): a reference is never given
to a second record.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from fieldwork.app.domain.ids import ControlId, TestId, new_id
from fieldwork.app.domain.over_time import ControlDates, TestRound, TestTiming
from fieldwork.app.domain.records import Control, ControlInput, ControlTest, TestPlan
from fieldwork.app.domain.refs import Ref, control_test_ref
from fieldwork.app.domain.sampling import PopulationPreview, PopulationSource
from fieldwork.app.domain.vocabulary import ControlType, Frequency, Labelled, Method, Nature, TestKind
from fieldwork.app.engagement import Engagement
from fieldwork.app.errors import FieldworkError, ValidationError
from fieldwork.app.services import matrix_fields as cells
from fieldwork.app.services.control_dates import held_dates, put_control_dates
from fieldwork.app.services.controls import REF_PATTERN, control_input, control_values, put_control, read_controls
from fieldwork.app.services.history import Changes, changes
from fieldwork.app.services.matrix_fields import (
    CONTROL_SYNONYMS,
    CONTROLS_SHEET,
    TEST_SYNONYMS,
    TESTS_SHEET,
    ControlField,
    TestField,
    guess_columns,
)
from fieldwork.app.services.population_files import TableFile, open_file, preview_of, read_table
from fieldwork.app.services.population_table import Cell, RefusedFile, Table
from fieldwork.app.services.refs import next_number
from fieldwork.app.services.requirements import require_auditable
from fieldwork.app.services.test_windows import put_test_timing
from fieldwork.app.services.testing import conclusion_follows, plan_of, plan_row, read_tests
from fieldwork.app.storage.schema import control, control_requirement, control_test
from fieldwork.app.tasks import Task

#: Rows a matrix sheet may hold: ten times the largest engagement seen; a bigger sheet is not a matrix.
MAX_MATRIX_ROWS = 100_000
MAX_REF = 32
PROGRESS_EVERY = 500


# --- what the import takes and gives back ------------------------------------------------------------


@dataclass(frozen=True)
class SheetSource:
    """A sheet of the matrix and the column each field comes from (by field value; requirements may be several).

    `columns` None: guessed from the header as it is read, then `overrides` taken over the guess. An `optional`
    sheet is read only if the file has it. A sheet of controls not named is the export's (Controls) or the first.
    """

    source: PopulationSource
    columns: Mapping[str, tuple[str, ...]] | None = None
    overrides: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    optional: bool = False


@dataclass(frozen=True)
class MatrixSource:
    controls: SheetSource
    tests: SheetSource | None = None


def default_source(path: Path) -> MatrixSource:
    """The export's sheets, if the file has them, with every column guessed from its header."""
    tests = SheetSource(PopulationSource(path, TESTS_SHEET), optional=True)
    return MatrixSource(SheetSource(PopulationSource(path)), tests)


class Action(Labelled):
    ADD = "add", "Add"
    CHANGE = "change", "Change"
    UNCHANGED = "unchanged", "Unchanged"
    REFUSED = "refused", "Cannot be taken"


@dataclass(frozen=True)
class MatrixLine:
    sheet: str
    row: int
    action: Action
    ref: str
    detail: str

    @property
    def text(self) -> str:
        return f"{self.sheet} row {self.row}: {self.detail}"


@dataclass(frozen=True)
class MatrixOutcome:
    """What the import did (`written`) or would do: a line per row, and the rows that cannot be taken."""

    file_name: str
    sha256: str
    lines: tuple[MatrixLine, ...]
    written: bool

    @property
    def problems(self) -> tuple[MatrixLine, ...]:
        return tuple(line for line in self.lines if line.action is Action.REFUSED)

    @property
    def refused_rows(self) -> int:
        """Rows that cannot be taken (a row may have several problems)."""
        return len({(line.sheet, line.row) for line in self.problems})

    def count(self, sheet: str, action: Action) -> int:
        return sum(1 for line in self.lines if line.sheet == sheet and line.action is action)

    @property
    def summary(self) -> str:
        parts = []
        for sheet, noun in ((CONTROLS_SHEET, "control"), (TESTS_SHEET, "test")):
            counts = [(a, self.count(sheet, a)) for a in (Action.ADD, Action.CHANGE, Action.UNCHANGED)]
            parts.append(f"{noun}s: " + ", ".join(f"{n} {a.label.lower()}" for a, n in counts))
        parts[0] = parts[0].capitalize()
        refused = f"; {self.refused_rows} row(s) cannot be taken" if self.problems else ""
        return "; ".join(parts) + refused


@dataclass(frozen=True)
class MatrixPreview:
    """The first rows of each sheet as they would be read, and the columns guessed for each field."""

    file_name: str
    sheet_names: tuple[str, ...]
    controls: PopulationPreview
    tests: PopulationPreview | None
    control_columns: dict[str, tuple[str, ...]]
    test_columns: dict[str, tuple[str, ...]]


def preview_matrix(path: Path, controls_sheet: str | None = None, tests_sheet: str | None = None) -> MatrixPreview:
    """Read the start of each sheet (the sheets named like the export's, unless chosen) and guess the columns."""
    with open_file(path) as found:
        names = found.sheet_names
        first = preview_of(found, PopulationSource(path, _controls_sheet(controls_sheet, names)))
        wanted_tests = tests_sheet or (TESTS_SHEET if TESTS_SHEET in names else None)
        tests = preview_of(found, PopulationSource(path, wanted_tests)) if wanted_tests else None
    return MatrixPreview(
        file_name=first.source_name,
        sheet_names=names,
        controls=first,
        tests=tests,
        control_columns=guess_columns(CONTROL_SYNONYMS, first.columns),
        test_columns=guess_columns(TEST_SYNONYMS, tests.columns) if tests else {},
    )


def _controls_sheet(chosen: str | None, names: tuple[str, ...]) -> str | None:
    return chosen or (CONTROLS_SHEET if CONTROLS_SHEET in names else None)


# --- reading the sheets --------------------------------------------------------------------------------------


@dataclass
class _Row:
    sheet: str
    number: int
    ref: str
    values: dict[str, Any] = field(default_factory=dict)
    #: The control the row became (a control's row, once taken).
    taken: ControlId | None = None


class _Undo(Exception):
    """Leave the transaction without keeping anything (a preview, or a row that cannot be taken)."""


def _field_cells(table: Table, columns: Mapping[str, tuple[str, ...]]) -> dict[str, list[int]]:
    return {name: [table.column_index(column) for column in chosen] for name, chosen in columns.items() if chosen}


def _text(found: list[Cell], label: str) -> str:
    return cells.text(found[0], label)


#: How each field's cells are read: (cells, label) -> value; a CellError says why one cannot be. Keyed by the
#: field's value: the two sheets' references ("reference") are one key, and read alike.
Reader = Callable[[list[Cell], str], Any]
_TEXT: Reader = _text
READERS: dict[str, Reader] = {
    ControlField.REFERENCE: lambda found, label: cells.text(found[0], label).upper(),
    ControlField.TITLE: _TEXT,
    ControlField.DESCRIPTION: _TEXT,
    ControlField.OWNER: _TEXT,
    ControlField.FREQUENCY: lambda found, label: cells.choice(found[0], Frequency, label),
    ControlField.TYPE: lambda found, label: cells.choice(found[0], ControlType, label),
    ControlField.KEY: lambda found, label: cells.flag(found[0], label),
    ControlField.NATURE: lambda found, label: cells.choice(found[0], Nature, label),
    ControlField.REQUIREMENTS: lambda found, label: cells.codes(found),
    ControlField.EFFECTIVE_FROM: lambda found, label: cells.day(found[0], label),
    ControlField.EFFECTIVE_TO: lambda found, label: cells.day(found[0], label),
    ControlField.REPLACES: lambda found, label: cells.text(found[0], label).upper() or None,
    TestField.CONTROL: lambda found, label: cells.text(found[0], label).upper(),
    TestField.KIND: lambda found, label: cells.choice(found[0], TestKind, label),
    TestField.PROCEDURE: _TEXT,
    TestField.METHODS: lambda found, label: cells.choices(found[0], Method, label),
    TestField.POPULATION: _TEXT,
    TestField.PLANNED_SIZE: lambda found, label: cells.count(found[0], label),
    TestField.ROUND: lambda found, label: cells.choice(found[0], TestRound, label),
    TestField.WINDOW_START: lambda found, label: cells.day(found[0], label),
    TestField.WINDOW_END: lambda found, label: cells.day(found[0], label),
}


class _Reading:
    """The rows of both sheets, with every line the import will report, in sheet and row order."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self.lines: list[MatrixLine] = []
        self.sha256 = ""
        self.file_name = ""

    def refused_rows(self) -> set[tuple[str, int]]:
        return {(line.sheet, line.row) for line in self.lines if line.action is Action.REFUSED}

    def refuse(self, row: _Row, detail: str) -> None:
        self.lines.append(MatrixLine(row.sheet, row.number, Action.REFUSED, row.ref, detail))

    def say(self, row: _Row, action: Action, ref: str, detail: str) -> None:
        self.lines.append(MatrixLine(row.sheet, row.number, action, ref, detail))

    def rows(
        self, found: TableFile, sheet: SheetSource, name: str, fields: type[ControlField] | type[TestField]
    ) -> list[_Row]:
        with read_table(found, sheet.source) as table:
            self.file_name = table.name
            synonyms = CONTROL_SYNONYMS if fields is ControlField else TEST_SYNONYMS
            columns = sheet.columns if sheet.columns is not None else guess_columns(synonyms, table.columns)
            indexes = _field_cells(table, {**columns, **sheet.overrides})
            labels = {member.value: member.label for member in fields}
            found_rows = list(self._parse(table, name, indexes, labels))
            self.sha256 = table.sha256()
        return found_rows

    def _parse(self, table: Table, name: str, indexes: dict[str, list[int]], labels: dict[str, str]) -> Iterator[_Row]:
        # The reference first: the lines about the row name it. Each field's reader is looked up once.
        readers = [(key, where, READERS[key], labels[key]) for key, where in indexes.items()]
        readers.sort(key=lambda reader: reader[0] != "reference")
        for count, (number, row_cells) in enumerate(table.rows, start=1):
            if count > MAX_MATRIX_ROWS:
                raise RefusedFile(table.name, f"the sheet {name} holds more than {MAX_MATRIX_ROWS:,} rows")
            if count % PROGRESS_EVERY == 0:
                self.task.progress(*table.progress(), f"{name}: {count:,} rows")
            row = _Row(name, number, "")
            for key, where, read, label in readers:
                try:
                    value = read([row_cells[i] for i in where], label)
                except cells.CellError as exc:
                    self.refuse(row, str(exc)[:1].upper() + str(exc)[1:] + ".")
                    continue
                if key == "reference":
                    row.ref = value
                else:
                    row.values[key] = value
            if len(row.ref) > MAX_REF:
                self.refuse(row, f"The reference {row.ref[:40]}... is longer than {MAX_REF} characters.")
            yield row


def _duplicates(reading: _Reading, rows: list[_Row], noun: str) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        if row.ref and row.ref in seen:
            reading.refuse(row, f"The {noun} reference {row.ref} is also on row {seen[row.ref]}.")
        seen.setdefault(row.ref, row.number)


def _check_requirements(conn: Connection, reading: _Reading, rows: list[_Row]) -> None:
    """Each requirement code once against the catalog, with the services' own refusal."""
    verdicts: dict[str, str] = {}
    for row in rows:
        for code in row.values.get(ControlField.REQUIREMENTS, ()):
            if code not in verdicts:
                try:
                    require_auditable(conn, code)
                    verdicts[code] = ""
                except FieldworkError as exc:
                    verdicts[code] = exc.message
            if verdicts[code]:
                reading.refuse(row, verdicts[code])


# --- the import ----------------------------------------------------------------------------------------------


def import_matrix(
    db: Engagement,
    source: MatrixSource,
    *,
    write: bool,
    task: Task | None = None,
    expected: MatrixOutcome | None = None,
) -> MatrixOutcome:
    """Read the matrix and take it into the engagement: kept only with `write` and when every row can be taken,
    and, after a preview (`expected`), only if the run does exactly what the preview said."""
    task = task or Task()
    reading = _Reading(task)
    outcome: MatrixOutcome | None = None
    try:
        with changes(db) as ch:
            _Import(ch, reading, source, task).run()
            lines = sorted(reading.lines, key=lambda line: (line.sheet != CONTROLS_SHEET, line.row))
            outcome = MatrixOutcome(reading.file_name, reading.sha256, tuple(lines), written=False)
            if outcome.problems or not write or _differs(outcome, expected):
                raise _Undo
            outcome = replace(outcome, written=True)
    except _Undo:
        pass
    assert outcome is not None
    if write and not outcome.problems and _differs(outcome, expected):
        raise ValidationError("The matrix or the engagement has changed since the preview; preview it again.")
    return outcome


def _differs(outcome: MatrixOutcome, expected: MatrixOutcome | None) -> bool:
    return expected is not None and (outcome.sha256, outcome.lines) != (expected.sha256, expected.lines)


class _Import:
    """One run of the import inside the caller's transaction; every row's line goes to `reading`."""

    def __init__(self, ch: Changes, reading: _Reading, source: MatrixSource, task: Task) -> None:
        self.ch, self.conn, self.reading, self.source, self.task = ch, ch.conn, reading, source, task
        self.controls: dict[str, Control] = {}
        self.ids: dict[str, ControlId] = {}  # a reference as the matrix gives it -> the control it means
        self.refs: dict[ControlId, str] = {}  # a control -> its reference in the engagement

    def run(self) -> None:
        reading, tests = self.reading, self.source.tests
        controls = self.source.controls
        with open_file(controls.source.path) as found:
            chosen = replace(controls.source, sheet=_controls_sheet(controls.source.sheet, found.sheet_names))
            control_rows = reading.rows(found, replace(controls, source=chosen), CONTROLS_SHEET, ControlField)
            test_rows = []
            if tests is not None and (not tests.optional or tests.source.sheet in found.sheet_names):
                test_rows = reading.rows(found, tests, TESTS_SHEET, TestField)
        _duplicates(reading, control_rows, "control")
        _duplicates(reading, [row for row in test_rows if row.ref], "test")
        _check_requirements(self.conn, reading, control_rows)
        self.controls = {found.ref: found for found in read_controls(self.conn)}
        self.refs = {found.id: ref for ref, found in self.controls.items()}
        self._check_names(control_rows, test_rows)
        # The rows that can be taken are taken even when others cannot: the preview lists what each would do,
        # and the transaction keeps none of it.
        refused = reading.refused_rows()
        self.task.progress(2, 4, "controls")
        self._take_controls([row for row in control_rows if (CONTROLS_SHEET, row.number) not in refused])
        self.task.progress(3, 4, "tests")
        _Tests(self, [row for row in test_rows if (TESTS_SHEET, row.number) not in refused]).take()

    def _check_names(self, control_rows: list[_Row], test_rows: list[_Row]) -> None:
        """What the rows refer to must be there: a replaced control, a tested control, a title for a new one."""
        known = set(self.controls) | {row.ref for row in control_rows if row.ref}
        for row in control_rows:
            replaced = row.values.get(ControlField.REPLACES)
            if replaced and replaced not in known:
                self.reading.refuse(row, f"It replaces {replaced}, which is neither in the matrix nor a control here.")
            title_given = ControlField.TITLE in row.values
            if not row.values.get(ControlField.TITLE) and (title_given or row.ref not in self.controls):
                self.reading.refuse(row, "The control has no title.")
        for row in test_rows:
            tested = row.values.get(TestField.CONTROL, "")
            if not tested:
                self.reading.refuse(row, "The test names no control.")
            elif tested not in known:
                self.reading.refuse(row, f"There is no control {tested} in the matrix or the engagement.")

    # -- controls --------------------------------------------------------------------------------------------

    def _take_controls(self, rows: list[_Row]) -> None:
        used = set(self.conn.execute(select(control.c.ref)).scalars())
        following = next_number(self.conn, control.c.ref, REF_PATTERN)
        new_rows, links = [], []
        for row in rows:
            found = self.controls.get(row.ref) if row.ref else None
            if found is not None:
                self.ids[row.ref] = row.taken = found.id
                self._change_control(row, found)
                continue
            try:
                values = control_values(_control_input(row, None))
            except ValidationError as exc:
                self.reading.refuse(row, exc.message)
                continue
            ref, note = _free_ref(row.ref, used, following)
            if not row.ref:
                following = int(REF_PATTERN.match(ref).group(1)) + 1  # type: ignore[union-attr]
            used.add(ref)
            control_id = row.taken = ControlId(new_id())
            self.ids[row.ref or ref] = control_id
            self.refs[control_id] = ref
            new_rows.append({"id": control_id, "ref": ref, **values})
            codes = row.values.get(ControlField.REQUIREMENTS, ())
            links += [{"control_id": control_id, "requirement_code": code} for code in codes]
            self.reading.say(row, Action.ADD, ref, f"Add {ref} {row.values.get(ControlField.TITLE, '')}{note}")
        self.ch.insert_many(control, new_rows)
        self.ch.insert_many(control_requirement, links)
        for row in rows:
            self._dates(row)

    def _change_control(self, row: _Row, found: Control) -> None:
        wanted = _control_input(row, found)
        changed = [name for name, value in control_values(wanted).items() if value != _stored(found, name)]
        if changed:
            put_control(self.ch, found.id, wanted)
        codes = row.values.get(ControlField.REQUIREMENTS)
        if codes is not None and tuple(codes) != found.requirements:
            changed.append("requirements")
            owner = ("control_id", found.id)
            self.ch.set_links(control_requirement, owner, "requirement_code", list(codes))
        dates = _dates_of(row, found)
        if dates is not None and dates != held_dates(found):
            changed.append("dates")
        if changed:
            self.reading.say(row, Action.CHANGE, found.ref, f"Change {found.ref}: {', '.join(changed)}")
        else:
            self.reading.say(row, Action.UNCHANGED, found.ref, f"{found.ref} unchanged")

    def _dates(self, row: _Row) -> None:
        """Dates and replacements through the service's own checks, once every control of the matrix exists."""
        control_id = row.taken
        found = self.controls.get(row.ref) if row.ref else None
        dates = _dates_of(row, found)
        if control_id is None or dates is None:
            return
        current = held_dates(found) if found else ControlDates()
        if dates == current:
            return
        if isinstance(dates.replaces, str):
            dates = replace(dates, replaces=self.ids.get(dates.replaces, dates.replaces))
        try:
            put_control_dates(self.ch, control_id, dates)
        except FieldworkError as exc:
            self.reading.refuse(row, exc.message)


def _free_ref(wanted: str, used: set[str], following: int) -> tuple[str, str]:
    """The reference a new control gets, and a note when it is not the one asked for."""
    if not wanted:
        number = following
        while f"C-{number:03d}" in used:
            number += 1
        return f"C-{number:03d}", ""
    if wanted not in used:
        return wanted, ""
    suffix = 2
    while f"{wanted}-{suffix}" in used:
        suffix += 1
    given = f"{wanted}-{suffix}"
    return given, f" (as {given}: {wanted} belonged to a deleted control, and a reference is never given twice)"


def _stored(found: Control, name: str) -> Any:
    value = getattr(found, name)
    return value.value if isinstance(value, Labelled) else value


def _given(row: _Row, fields: Mapping[str, str], clearable: str = "") -> dict[str, Any]:
    """The row's values for an input's fields (field value -> input name); a blank cell gives none, except for
    the `clearable` field, which a blank cell clears."""
    return {
        name: row.values[key]
        for key, name in fields.items()
        if key in row.values and (row.values[key] is not None or name == clearable)
    }


CONTROL_INPUT: dict[str, str] = {
    ControlField.TITLE: "title",
    ControlField.DESCRIPTION: "description",
    ControlField.OWNER: "owner",
    ControlField.FREQUENCY: "frequency",
    ControlField.NATURE: "nature",
    ControlField.TYPE: "control_type",
    ControlField.KEY: "is_key",
}
TEST_PLAN: dict[str, str] = {
    TestField.KIND: "kind",
    TestField.PROCEDURE: "procedure",
    TestField.METHODS: "methods",
    TestField.POPULATION: "population",
    TestField.PLANNED_SIZE: "sample_size",
}


def _control_input(row: _Row, found: Control | None) -> ControlInput:
    """The control as the row has it: the row's fields over the engagement's (or the defaults, for a new one)."""
    current = ControlInput("") if found is None else control_input(found)
    return replace(current, **_given(row, CONTROL_INPUT))


def _dates_of(row: _Row, found: Control | None) -> ControlDates | None:
    """The dates a row gives (a mapped column's blank cell clears a date), or None when it maps none."""
    keys = (ControlField.EFFECTIVE_FROM, ControlField.EFFECTIVE_TO, ControlField.REPLACES)
    if not any(key in row.values for key in keys):
        return None
    current = held_dates(found) if found else ControlDates()
    replaced = row.values.get(ControlField.REPLACES, current.replaces)
    if found is not None and replaced == found.replaces_ref:
        replaced = found.replaces_id
    return ControlDates(
        row.values.get(ControlField.EFFECTIVE_FROM, current.effective_from),
        row.values.get(ControlField.EFFECTIVE_TO, current.effective_to),
        replaced,
    )


# --- tests -------------------------------------------------------------------------------------------------


class _Tests:
    """The Tests sheet: matched by reference, or by control, kind and procedure; new ones numbered per control."""

    def __init__(self, run: _Import, rows: list[_Row]) -> None:
        self.run, self.rows, self.ch = run, rows, run.ch
        self.existing = {test.ref: test for test in read_tests(run.conn)}
        self.numbers: dict[str, int] = defaultdict(int)
        for ref in map(Ref.parse, run.conn.execute(select(control_test.c.ref)).scalars()):
            self.numbers[ref.control] = max(self.numbers[ref.control], ref.test)
        self.unmatched: dict[ControlId, list[ControlTest]] = defaultdict(list)
        for test in self.existing.values():
            self.unmatched[test.control_id].append(test)

    def take(self) -> None:
        new_rows: list[dict[str, Any]] = []
        timed: list[tuple[_Row, TestId, ControlTest | None]] = []
        for row in self.rows:
            tested = row.values[TestField.CONTROL]
            known = self.run.controls.get(tested)
            control_id = self.run.ids.get(tested) or (known.id if known else None)
            if control_id is None:
                self.run.reading.refuse(row, f"Its control {tested} cannot be taken (see the Controls sheet).")
                continue
            taken, found = self._match(row, control_id)
            if not taken:
                continue
            if found is None:
                made = self._new(row, control_id)
                if made is not None:
                    new_rows.append(made)
                    timed.append((row, TestId(made["id"]), None))
            else:
                self._change(row, found)
                timed.append((row, found.id, found))
        self.ch.insert_many(control_test, new_rows)
        for row, test_id, held in timed:
            self._timing(row, test_id, held)

    def _match(self, row: _Row, control_id: ControlId) -> tuple[bool, ControlTest | None]:
        """(whether the row can be taken, the engagement's test it describes or None for a new one)."""
        candidates = self.unmatched[control_id]
        found: ControlTest | None
        if row.ref and row.ref in self.existing:
            found = self.existing[row.ref]
            if found.control_id != control_id:
                self.run.reading.refuse(row, f"{row.ref} is a test of {found.control_ref}, not of this control.")
                return False, None
        else:
            kind, procedure = row.values.get(TestField.KIND), row.values.get(TestField.PROCEDURE)
            same = [t for t in candidates if t.kind is kind and t.procedure == procedure and not row.ref]
            found = same[0] if same else None
        if found is not None and found in candidates:
            candidates.remove(found)
        return True, found

    def _plan(self, row: _Row, found: ControlTest | None) -> TestPlan:
        current = TestPlan(TestKind.OPERATING) if found is None else plan_of(found)
        return replace(current, **_given(row, TEST_PLAN, clearable="sample_size"))

    def _new(self, row: _Row, control_id: ControlId) -> dict[str, Any] | None:
        if row.values.get(TestField.KIND) is None:
            self.run.reading.refuse(row, "A new test needs its kind (design or operating).")
            return None
        control_ref = self.run.refs[control_id]
        given = Ref.parse(row.ref) if row.ref else None
        number = given.test if given is not None and given.control == control_ref else 0
        if number <= self.numbers[control_ref]:
            number = self.numbers[control_ref] + 1
        self.numbers[control_ref] = number
        ref = control_test_ref(control_ref, number)
        note = f" (as {ref}: {row.ref} is not free for it)" if row.ref and row.ref != ref else ""
        try:
            values = plan_row(self._plan(row, None))
        except ValidationError as exc:
            self.run.reading.refuse(row, exc.message)
            return None
        kind = row.values[TestField.KIND].label.lower()
        self.run.reading.say(row, Action.ADD, ref, f"Add {ref}: {kind}{note}")
        return {"id": new_id(), "ref": ref, "control_id": control_id, **values}

    def _change(self, row: _Row, found: ControlTest) -> None:
        try:
            wanted, held = plan_row(self._plan(row, found)), plan_row(plan_of(found))
        except ValidationError as exc:
            self.run.reading.refuse(row, exc.message)
            return
        changed = [name for name, value in wanted.items() if value != held[name]]
        if changed:
            self.ch.update(control_test, {"id": found.id}, wanted)
            conclusion_follows(self.ch, found.id)
        timing = _timing_of(row, found)
        if timing is not None and timing != _held_timing(found):
            changed.append("round and window")
        if changed:
            self.run.reading.say(row, Action.CHANGE, found.ref, f"Change {found.ref}: {', '.join(changed)}")
        else:
            self.run.reading.say(row, Action.UNCHANGED, found.ref, f"{found.ref} unchanged")

    def _timing(self, row: _Row, test_id: TestId, found: ControlTest | None) -> None:
        timing = _timing_of(row, found)
        if timing is None or timing == (_held_timing(found) if found else TestTiming()):
            return
        try:
            put_test_timing(self.ch, test_id, timing)
        except FieldworkError as exc:
            self.run.reading.refuse(row, exc.message)


def _held_timing(found: ControlTest) -> TestTiming:
    return TestTiming(found.round, found.window_start, found.window_end)


def _timing_of(row: _Row, found: ControlTest | None) -> TestTiming | None:
    keys = (TestField.ROUND, TestField.WINDOW_START, TestField.WINDOW_END)
    if not any(key in row.values for key in keys):
        return None
    current = _held_timing(found) if found else TestTiming()
    return TestTiming(
        row.values.get(TestField.ROUND, current.round),
        row.values.get(TestField.WINDOW_START, current.window_start),
        row.values.get(TestField.WINDOW_END, current.window_end),
    )
