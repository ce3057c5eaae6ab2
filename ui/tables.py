"""One way to set up a table view, so every list in the app reads and behaves the same."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from fieldwork.ui.models.table import RowFilter, RowTableModel

#: Columns are sized from this many rows, and rows grow to fit wrapped text only up to
#: this many rows: measuring every cell of a long table stalls the screen.
MEASURED_ROWS = 150
#: A row grown to fit wrapped text stops at this many lines (a long text in a narrow column would otherwise
#: make one row fill the table; its tooltip, or the page it opens, has the rest).
MAX_ROW_LINES = 6


def make_table(
    model: RowTableModel,
    *,
    stretch: int | None = -1,
    editable: bool = False,
    sorted_by: RowFilter | None = None,
    row_lines: int | None = None,
    stretch_at_least: int | None = None,
) -> QTableView:
    """A table over a `RowTableModel` (shown through `sorted_by`, a filtering proxy over it, when given; a header
    click sorts the model itself).

    Read-only tables select rows. Editable tables select cells, so F2 and typing work on the
    cell the keyboard is on; arrow keys move between cells and Tab leaves the table (a keyboard
    user is never trapped in a grid; inside an open editor Tab still moves to the next cell).
    Column `stretch` (default: the last; None: none) takes
    the spare width and wraps; a column's `width` gives it a starting width; the others
    fit their contents. Rows grow to show wrapped text, or hold `row_lines` lines each (long
    texts, read in full in their tooltip, would make rows taller than the table). With
    `stretch_at_least`, the stretched column never gets narrower than that: on a narrow window
    the table scrolls sideways rather than squeeze the text it is read for.
    """
    table = QTableView()
    table.setModel(sorted_by or model)
    table.setSortingEnabled(sorted_by is not None)
    if editable:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
    else:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setResizeContentsPrecision(MEASURED_ROWS)
    wide = model.columnCount() - 1 if stretch == -1 else stretch
    for number, column in enumerate(model.columns):
        if number == wide and stretch_at_least is not None:
            header.setSectionResizeMode(number, QHeaderView.ResizeMode.Interactive)
            _StretchAtLeast(table, number, stretch_at_least)
        elif number == wide:
            header.setSectionResizeMode(number, QHeaderView.ResizeMode.Stretch)
        elif column.width is not None:
            header.setSectionResizeMode(number, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(number, column.width)
        else:
            header.setSectionResizeMode(number, QHeaderView.ResizeMode.ResizeToContents)
    if row_lines is None:
        _fit_rows_when_changed(table)
    else:
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(row_lines * table.fontMetrics().lineSpacing() + 8)
    return table


class _StretchAtLeast(QObject):
    """Gives a column the width the others leave, but never less than `least`, whenever the table is resized."""

    def __init__(self, table: QTableView, column: int, least: int) -> None:
        super().__init__(table)
        self.table, self.column, self.least = table, column, least
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            header = self.table.horizontalHeader()
            others = sum(header.sectionSize(n) for n in range(header.count()) if n != self.column)
            header.resizeSection(self.column, max(self.least, self.table.viewport().width() - others))
        return False


def _fit_rows_when_changed(table: QTableView) -> None:
    """Let rows grow to show wrapped text whenever the rows change, if the table is short enough."""
    timer = QTimer(table, singleShot=True, interval=0)

    def fit() -> None:
        model = table.model()
        if model is not None and model.rowCount() <= MEASURED_ROWS:
            table.resizeRowsToContents()
            tallest = MAX_ROW_LINES * table.fontMetrics().lineSpacing() + 8
            for row in range(model.rowCount()):
                if table.rowHeight(row) > tallest:
                    table.setRowHeight(row, tallest)

    timer.timeout.connect(fit)
    model = table.model()
    model.layoutChanged.connect(timer.start)  # sorted
    model.modelReset.connect(timer.start)
    model.dataChanged.connect(timer.start)
    model.rowsInserted.connect(timer.start)


def selected_rows(table: QTableView) -> list[int]:
    """The rows the user has selected (whole rows, or any cell of them), in order."""
    return sorted({index.row() for index in table.selectionModel().selectedIndexes()})
