"""Import a control matrix: choose the sheets and the column of each field, preview, then import.

Each sheet is picked as a population's is (`TablePicker`), with a column chosen per field (guessed from the
headers). The preview is the import run and rolled back, off the GUI thread: it lists every row as added,
changed, unchanged or refused. Import is offered only after a preview with nothing refused, and does what the
preview said or nothing (the service compares the two).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fieldwork.app.domain.sampling import PopulationPreview, PopulationSource
from fieldwork.app.services.matrix_fields import (
    CONTROL_SYNONYMS,
    TEST_SYNONYMS,
    ControlField,
    TestField,
    guess_columns,
)
from fieldwork.app.services.matrix_import import (
    Action,
    MatrixLine,
    MatrixOutcome,
    MatrixPreview,
    MatrixSource,
    SheetSource,
    import_matrix,
    preview_matrix,
)
from fieldwork.ui.context import UiContext
from fieldwork.ui.dialogs.foot import dialog_foot
from fieldwork.ui.dialogs.table_picker import TablePicker, fill_choices
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.tables import make_table
from fieldwork.ui.widgets import note

ABSENT = "(not in the matrix)"
NO_TESTS = "(no sheet of tests)"
MORE = "more_requirements"


#: Fields side by side in the grid of column choices.
ACROSS = 3


class _Mapping:
    """A sheet's picker and a column box per field, filled from the sheet's columns and the guess."""

    def __init__(self, picker: TablePicker, fields: type[ControlField] | type[TestField]) -> None:
        self.picker, self.synonyms = picker, CONTROL_SYNONYMS if fields is ControlField else TEST_SYNONYMS
        self.boxes: dict[str, QComboBox] = {}
        self.grid = QGridLayout()
        picker.extra.addWidget(QLabel("Column of each field:"))
        picker.extra.addLayout(self.grid)
        for member in fields:
            self._box(member.value, member.label)
            if member is ControlField.REQUIREMENTS:
                self._box(MORE, "More requirements")

    def _box(self, key: str, label: str) -> None:
        box = QComboBox()
        place = len(self.boxes)
        self.boxes[key] = box
        row, column = divmod(place, ACROSS)
        self.grid.addWidget(QLabel(label), row, 2 * column)
        self.grid.addWidget(box, row, 2 * column + 1)
        self.grid.setColumnStretch(2 * column + 1, 1)

    def fill(self, found: PopulationPreview | None, guessed: dict[str, tuple[str, ...]] | None = None) -> None:
        columns = (ABSENT, *(found.columns if found else ()))
        guessed = guessed if guessed is not None else guess_columns(self.synonyms, found.columns if found else ())
        requirements = guessed.get(ControlField.REQUIREMENTS.value, ())
        for key, box in self.boxes.items():
            if key == MORE:
                chosen = requirements[1] if len(requirements) > 1 else ABSENT
            else:
                chosen = (guessed.get(key) or (ABSENT,))[0]
            fill_choices(box, columns, chosen)
            box.setEnabled(found is not None)

    def source(self) -> SheetSource | None:
        picker = self.picker
        if picker.shown is None or picker.skipped:
            return None
        columns: dict[str, tuple[str, ...]] = {}
        for key, box in self.boxes.items():
            if box.currentText() != ABSENT:
                name = ControlField.REQUIREMENTS.value if key == MORE else key
                columns[name] = (*columns.get(name, ()), box.currentText())
        found = picker.shown
        return SheetSource(PopulationSource(picker.source.path, found.sheet, found.header_row), columns)


#: What the preview lists first: what stops the import, then what it would change.
ORDER = (Action.REFUSED, Action.CHANGE, Action.ADD, Action.UNCHANGED)


def _highlight(line: MatrixLine) -> str | None:
    return {Action.REFUSED: "#fce8e6", Action.ADD: "#e6f4ea", Action.CHANGE: "#fef7e0"}.get(line.action)


class MatrixImportDialog(QDialog):
    """`outcome` holds what the import did once it is accepted."""

    def __init__(self, path: Path, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.path = ctx, path
        self.setWindowTitle(f"Import control matrix: {path.name}")
        self.outcome: MatrixOutcome | None = None
        self.previewed: MatrixOutcome | None = None
        self._previewed_source: MatrixSource | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(
            note(
                "Controls are matched to this engagement's by reference. Nothing is written until you import, and "
                "nothing at all if a row cannot be taken."
            )
        )
        tabs = QTabWidget()
        self.controls = _Mapping(TablePicker(path, ctx.runner), ControlField)
        self.tests = _Mapping(TablePicker(path, ctx.runner, none_label=NO_TESTS), TestField)
        tabs.addTab(self.controls.picker, "&Controls sheet")
        tabs.addTab(self.tests.picker, "&Tests sheet")
        self.lines = RowTableModel[MatrixLine](
            [
                Column("Sheet", lambda line: line.sheet),
                Column("Row", lambda line: line.row),
                Column("What", lambda line: line.action.label),
                Column("Reference", lambda line: line.ref),
                Column("Detail", lambda line: line.detail, tooltip=lambda line: line.detail),
            ],
            key=lambda line: (line.sheet, line.row, line.detail),
            highlight=_highlight,
        )
        self.summary = QLabel("Choose the sheets and columns, then preview.")
        self.summary.setWordWrap(True)
        results = QWidget()
        column = QVBoxLayout(results)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.summary)
        column.addWidget(make_table(self.lines))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(tabs)
        split.addWidget(results)
        layout.addWidget(split, 1)
        self.error, self.buttons = dialog_foot(self, layout.addWidget, self.take)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Import")
        self.preview_button = self.buttons.addButton("&Preview", QDialogButtonBox.ButtonRole.ActionRole)
        self.preview_button.clicked.connect(self.preview)
        for mapping in (self.controls, self.tests):
            mapping.picker.previewed.connect(lambda found, mapping=mapping: self._sheet_read(mapping, found))
            mapping.picker.refused.connect(self.error.setText)
            for box in mapping.boxes.values():
                box.activated.connect(lambda _i: self._stale())
        self._stale()
        self.resize(980, 720)
        ctx.runner.run(f"Reading {path.name}", lambda task: preview_matrix(path), self._first, on_error=self._refused)

    def _refused(self, exc: BaseException) -> None:
        self.error.setText(getattr(exc, "message", "The file could not be read."))

    def _first(self, found: MatrixPreview) -> None:
        """The sheets named like the export's, and the columns guessed for them."""
        self.controls.picker.display(found.controls)
        self.controls.fill(found.controls, found.control_columns)
        if found.tests is None:
            self.tests.picker.show_none(found.sheet_names)
            self.tests.fill(None)
        else:
            self.tests.picker.display(found.tests)
            self.tests.fill(found.tests, found.test_columns)

    def _sheet_read(self, mapping: _Mapping, found: PopulationPreview | None) -> None:
        """A sheet read again (another sheet or header row): guess its columns afresh."""
        self._stale()
        if found is not None or mapping.picker.skipped:
            self.error.setText("")
            mapping.fill(found)

    def _stale(self) -> None:
        """Anything changed since the preview: preview again before importing."""
        self.previewed = None
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)

    def _source(self) -> MatrixSource | None:
        controls = self.controls.source()
        if controls is None:
            self.error.setText("Choose the sheet of controls first.")
            return None
        return MatrixSource(controls, self.tests.source())

    def preview(self) -> None:
        source = self._source()
        if source is None:
            return
        self.ctx.runner.run(
            f"Previewing {self.path.name}",
            lambda task: import_matrix(self.ctx.db, source, write=False, task=task),
            lambda outcome: self._previewed(outcome, source),
            progress=True,
            on_error=self._refused,
        )

    def _previewed(self, outcome: MatrixOutcome, source: MatrixSource) -> None:
        self.lines.set_rows(sorted(outcome.lines, key=lambda line: ORDER.index(line.action)))
        refused = outcome.refused_rows
        self.summary.setText(
            f"<b>{outcome.summary}.</b> "
            + (f"Fix the {refused} row(s) that cannot be taken in the workbook, then preview again." if refused else
               "Nothing has been written yet.")
        )  # fmt: skip
        self.previewed = None if refused else outcome
        self._previewed_source = source
        self.error.setText("")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not refused)

    def take(self) -> None:
        expected, source = self.previewed, self._previewed_source
        if expected is None or source is None:
            return
        self.ctx.long(
            f"Importing {self.path.name}",
            lambda db, task: import_matrix(db, source, write=True, task=task, expected=expected),
            self._taken,
        )

    def _taken(self, outcome: MatrixOutcome) -> None:
        self.outcome = outcome
        self.accept()
