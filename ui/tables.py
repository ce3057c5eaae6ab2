"""One way to set up a table view, so every list in the app reads and behaves the same."""

from __future__ import annotations

from collections.abc import Sequence
from heapq import nlargest
from math import ceil
from time import perf_counter
from typing import Any

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer
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
WRAPPED = int(Qt.TextFlag.TextWordWrap)
#: A row grown to fit wrapped text stops at this many lines (a long text in a narrow column would otherwise
#: make one row fill the table; its tooltip, or the page it opens, has the rest).
MAX_ROW_LINES = 6
#: Fitting rows to their text stops after this long and goes on at the next turn of the event loop.
FIT_SLICE_S = 0.008


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
    header.setTextElideMode(Qt.TextElideMode.ElideRight)  # a title wider than its column ends in "…" (Qt clips it)
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
        FitRows(table, model)
    else:
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(row_lines * table.fontMetrics().lineSpacing() + 8)
    return table


class _StretchAtLeast(QObject):
    """Gives a column the width the others leave, but never less than `least`, whenever the table is resized or
    another column is (fitted to new rows)."""

    def __init__(self, table: QTableView, column: int, least: int) -> None:
        super().__init__(table)
        self.table, self.column, self.least = table, column, least
        table.viewport().installEventFilter(self)
        table.horizontalHeader().sectionResized.connect(self._resized)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fill()
        return False

    def _resized(self, column: int, _old: int, _new: int) -> None:
        if column != self.column:
            self.fill()

    def fill(self) -> None:
        header = self.table.horizontalHeader()
        others = sum(header.sectionSize(n) for n in range(header.count()) if n != self.column)
        header.resizeSection(self.column, max(self.least, self.table.viewport().width() - others))


class Cells:
    """How much room a cell of `table` needs around its text, icon and checkbox, as the style lays one out (Qt's
    own measures, `QCommonStyle`'s item layout, done here in Python from the rows: asking the model for every role
    of every cell is what made the pages stall)."""

    def __init__(self, table: QTableView) -> None:
        style = table.style()
        self.table = table
        self.metrics = QFontMetricsF(table.font())  # fractional, rounded up as Qt lays text out
        #: Text's margin on each side of a cell, twice.
        self.margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1)
        self.grid = 1 if table.showGrid() else 0
        icon = table.iconSize()  # -1 unless set: the style's small icons
        small = style.pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, table)
        self.icon = icon.width() if icon.width() > 0 else small
        self.check = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, table)
        self.check_height = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorHeight, None, table)
        self.line = self.metrics.boundingRect(QRectF(0, 0, 1e6, 1e6), WRAPPED, "X").height()
        #: A row grows to fit wrapped text up to this height (MAX_ROW_LINES lines).
        self.tallest = MAX_ROW_LINES * table.fontMetrics().lineSpacing() + 8

    def width(self, column: Column[Any], rows: Sequence[Any]) -> int:
        """The width a cell of `column` needs for the widest of `rows`: its text, and its icon or checkbox."""
        if column.check is not None:
            return self.grid + self.margin + self.check
        texts = {line for row in rows for line in column.text(row).split("\n")}
        longest = nlargest(MEASURED_TEXTS, texts, key=len)
        widest = max((self.metrics.horizontalAdvance(text) for text in longest), default=0)
        return self.grid + self.margin + ceil(widest) + (self.margin + self.icon if column.icon is not None else 0)

    def height(self, column: Column[Any], row: Any, width: int) -> int:
        """The height a cell of `column` `width` wide needs for `row`: its text wrapped, or its icon or checkbox."""
        if column.check is not None:
            return self.check_height
        icon = column.icon is not None and column.icon(row) is not None
        room = width - self.grid - self.margin - (self.margin + self.icon if icon else 0)
        shown = column.text(row)
        advance = self.metrics.horizontalAdvance(shown) if "\n" not in shown else None
        if advance is not None and advance <= room:
            text = self.line  # fits on one line: nothing to lay out
        elif advance is not None and advance > (MAX_ROW_LINES + 1) * room:
            return self.tallest  # more lines than a row shows: no need to lay them out
        else:
            text = self.metrics.boundingRect(QRectF(0, 0, room, 1e6), WRAPPED, shown).height()
        if icon and self.icon >= text:
            return self.icon + 2  # Qt's room for icons one above the other
        return ceil(text)


class FitColumns(QObject):
    """Sizes columns to their contents from the model's rows, whenever the rows change.

    Qt's own `ResizeToContents` asks the model for every role of every measured cell each time the table is laid
    out, shown again or sorted (16,000 calls into Python for the `--scale 20` matrix: 100 ms and more each visit).
    Here the texts come straight from the columns in one Python pass over the rows, only the longest are measured
    with the font, with the style's margins (`Cells`: as wide as Qt would make them). A column the user has resized
    keeps the width chosen."""

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
        cells = Cells(self.table)
        self.fitting = True
        try:
            for number in self.columns:
                if number not in self.chosen:
                    needed = cells.width(self.model.columns[number], rows)
                    header.resizeSection(number, max(header.sectionSizeHint(number), needed))
        finally:
            self.fitting = False


class FitRows(QObject):
    """Lets rows grow to show wrapped text whenever the rows or a column's width change, if the table is short
    enough: each row as tall as its tallest cell (`Cells`, as Qt's `resizeRowsToContents` would make it), at most
    MAX_ROW_LINES lines.

    The rows are fitted in slices of FIT_SLICE_S at most, those in view first, so the screen answers between them:
    in one go, the readiness page's wrapped lists of controls held the GUI thread 20-40 ms at `--scale 20`."""

    def __init__(self, table: QTableView, model: RowTableModel[Any]) -> None:
        super().__init__(table)
        self.table, self.model = table, model
        self.todo: list[tuple[int, Any]] = []  # (row number shown, record), the next to fit last
        self.planned = False
        self.timer = QTimer(self, singleShot=True, interval=0)
        self.timer.timeout.connect(self._fit)
        shown = table.model()
        for signal in (shown.layoutChanged, shown.modelReset, shown.dataChanged, shown.rowsInserted):
            signal.connect(self._again)  # layoutChanged: sorted
        table.horizontalHeader().sectionResized.connect(self._again)
        self._again()  # the rows it was made with

    def _again(self, *_args: object) -> None:
        self.planned = False
        self.timer.start()

    def _plan(self) -> None:
        shown = self.table.model()
        rows = [] if shown is None or shown.rowCount() > MEASURED_ROWS else _rows_shown(self.table, self.model)
        first = max(self.table.rowAt(0), 0)
        order = [*range(first, len(rows)), *range(min(first, len(rows)))]
        self.todo = [(number, rows[number]) for number in reversed(order)]
        self.cells = Cells(self.table)
        self.least = self.table.verticalHeader().minimumSectionSize()
        widths = [(column, self.table.columnWidth(n)) for n, column in enumerate(self.model.columns)]
        self.widths = [found for n, found in enumerate(widths) if not self.table.isColumnHidden(n)]
        self.planned = True

    def _fit(self) -> None:
        if not self.planned:
            self._plan()
        cells, deadline = self.cells, perf_counter() + FIT_SLICE_S
        while self.todo:
            number, row = self.todo.pop()
            needed = max((cells.height(column, row, width) for column, width in self.widths), default=0)
            self.table.setRowHeight(number, min(max(self.least, needed + cells.grid), cells.tallest))
            if perf_counter() >= deadline:
                self.timer.start()  # the rest at the next turn
                return


def _rows_shown(table: QTableView, model: RowTableModel[Any]) -> list[Any]:
    """The model's rows in the order the table shows them (through its filter, when it has one)."""
    shown = table.model()
    if shown is model:
        return model.rows
    assert isinstance(shown, RowFilter)
    return [model.rows[shown.mapToSource(shown.index(n, 0)).row()] for n in range(shown.rowCount())]


def selected_rows(table: QTableView) -> list[int]:
    """The rows the user has selected (whole rows, or any cell of them), in order."""
    return sorted({index.row() for index in table.selectionModel().selectedIndexes()})
