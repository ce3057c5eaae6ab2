"""One way to set up a table view, so every list in the app reads and behaves the same."""

from __future__ import annotations

from heapq import nlargest
from math import ceil
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView

from fieldwork.ui.models.table import Column, RowFilter, RowTableModel

#: Rows grow to fit wrapped text only up to this many rows: measuring every cell of a long table stalls the screen.
MEASURED_ROWS = 150
#: A column fitted to its contents is fitted to the texts of this many rows at most (a Python pass over them: a few
#: ms for the 1,640 lines of the `--scale 20` matrix).
FITTED_ROWS = 2000
#: Of a column's texts, the longest this many (by characters) are measured in pixels: in a proportional font the
#: widest is among them.
MEASURED_TEXTS = 12
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
    Column `stretch` (default: the last; None: none) takes the spare width and wraps; a column's `width` gives it
    a starting width; the others fit their contents (`FitColumns`: measured in Python when the rows change, never
    by Qt on each show). Rows grow to show wrapped text, or hold `row_lines` lines each (long texts, read in full
    in their tooltip, would make rows taller than the table). With `stretch_at_least`, the stretched column never
    gets narrower than that: on a narrow window the table scrolls sideways rather than squeeze the text it is read
    for.
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
    wide = model.columnCount() - 1 if stretch == -1 else stretch
    fitted: list[int] = []
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
            header.setSectionResizeMode(number, QHeaderView.ResizeMode.Interactive)
            fitted.append(number)
    if fitted:
        FitColumns(table, model, fitted)
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


class FitColumns(QObject):
    """Sizes columns to their contents from the model's rows, whenever the rows change.

    Qt's own `ResizeToContents` asks the model for every role of every measured cell each time the table is laid
    out, shown again or sorted (16,000 calls into Python for the `--scale 20` matrix: 100 ms and more each visit).
    Here the texts come straight from the columns in one Python pass over the rows, only the longest are measured
    with the font, and the margins are those the style gives a cell (as wide as Qt would make it). A column the
    user has resized keeps the width chosen."""

    def __init__(self, table: QTableView, model: RowTableModel[Any], columns: list[int]) -> None:
        super().__init__(table)
        self.table, self.model, self.columns = table, model, columns
        self.chosen: set[int] = set()  # resized by the user: left alone
        self.fitting = False
        self.timer = QTimer(self, singleShot=True, interval=0)
        self.timer.timeout.connect(self.fit)
        for signal in (model.modelReset, model.rowsInserted, model.dataChanged, model.headerDataChanged):
            signal.connect(self.timer.start)
        table.horizontalHeader().sectionResized.connect(self._resized)
        self.fit()

    def _resized(self, column: int, _old: int, _new: int) -> None:
        if not self.fitting and column in self.columns:
            self.chosen.add(column)

    def fit(self) -> None:
        header = self.table.horizontalHeader()
        rows = self.model.rows[:FITTED_ROWS]
        self.fitting = True
        try:
            for number in self.columns:
                if number not in self.chosen:
                    column = self.model.columns[number]
                    header.resizeSection(number, max(header.sectionSizeHint(number), self.width(column, rows)))
        finally:
            self.fitting = False

    def width(self, column: Column[Any], rows: list[Any]) -> int:
        """The width a cell of `column` needs for the widest of `rows`: its text, and its icon or checkbox."""
        style = self.table.style()
        margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.table) + 1)
        width = 1 if self.table.showGrid() else 0
        if column.check is not None:
            return width + margin + style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, self.table)
        if column.icon is not None:
            icon = self.table.iconSize().width()  # -1 unless set: the style's small icons
            small = style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self.table)
            width += margin + (icon if icon > 0 else small)
        texts = {line for row in rows for line in column.text(row).split("\n")}
        metrics = QFontMetricsF(self.table.font())  # fractional, rounded up as Qt lays text out
        widest = max((metrics.horizontalAdvance(text) for text in nlargest(MEASURED_TEXTS, texts, key=len)), default=0)
        return width + margin + ceil(widest)


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
