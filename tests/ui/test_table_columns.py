"""Columns fitted to their contents: as wide as Qt would make them, measured from the rows in Python rather than by
asking the model for every cell each time the table shows (`benchmarks/gui_stalls.py` times the pages)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QHeaderView, QTableView
from pytestqt.qtbot import QtBot

from fieldwork.ui import tables
from fieldwork.ui.models.table import Column, RowTableModel
from fieldwork.ui.tables import MAX_ROW_LINES, make_table

Row = tuple[str, str, bool, str]


class CountingModel(RowTableModel[Row]):
    """Counts what the view asks of it."""

    asked = 0

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        self.asked += 1
        return super().data(index, role)


def _columns() -> list[Column[Row]]:
    pixmap = QPixmap(16, 16)
    pixmap.fill(QColor("green"))
    mark = QIcon(pixmap)
    return [
        Column("Ref", lambda r: r[0], icon=lambda _r: mark),
        Column("Owner", lambda r: r[1]),
        Column("Key", lambda _r: "", check=lambda r: r[2], edit=lambda _r, _on: None),
        Column("Lines", lambda r: r[3]),
        Column("Notes", lambda _r: "stretched"),
    ]


def _shown(qtbot: QtBot, rows: list[Row]) -> tuple[QTableView, CountingModel]:
    model = CountingModel(_columns(), key=lambda r: r[0])
    model.set_rows(rows)
    table = make_table(model)
    qtbot.addWidget(table)
    table.resize(1400, 300)
    table.show()
    qtbot.waitExposed(table)
    return table, model


def _widths(table: QTableView) -> list[int]:
    return [table.horizontalHeader().sectionSize(n) for n in range(4)]


def test_fitted_columns_are_as_wide_as_qt_makes_them(qtbot: QtBot) -> None:
    rows = [
        ("C-001.T2", "Chief Information Security Officer", True, "two lines\nthe second one is longer"),
        ("C-014.T12", "Head of People", False, "one"),
    ]
    table, _model = _shown(qtbot, rows)
    ours = _widths(table)
    for n in range(4):
        table.horizontalHeader().setSectionResizeMode(n, QHeaderView.ResizeMode.ResizeToContents)
    qtbot.wait(10)
    assert ours == _widths(table)


def test_columns_fit_every_row_without_asking_the_model_for_each(qtbot: QtBot) -> None:
    """The longest owner is on the last of 2,000 rows: the column fits it, and the model was asked for far fewer
    cells than the table has rows (Qt's own fitting asked for every role of 150 rows per column on each show)."""
    rows: list[Row] = [(f"C-{n:04d}", "Owner", False, "") for n in range(1999)]
    rows.append(("C-1999", "Chief Information Security Officer and Deputy", False, ""))
    table, model = _shown(qtbot, rows)
    widest = table.fontMetrics().horizontalAdvance("Chief Information Security Officer and Deputy")
    assert table.horizontalHeader().sectionSize(1) > widest
    assert model.asked < len(rows)
    model.asked = 0
    table.hide()
    table.show()  # a return visit measures nothing again
    qtbot.wait(10)
    assert model.asked < len(rows) / 2


def test_a_column_the_user_widened_keeps_its_width(qtbot: QtBot) -> None:
    table, model = _shown(qtbot, [("C-001", "Head of People", False, "")])
    table.horizontalHeader().resizeSection(1, 400)
    model.set_rows([("C-002", "Chief Information Security Officer", False, "")])  # other rows: fitted again
    qtbot.wait(10)
    assert table.horizontalHeader().sectionSize(1) == 400
    assert table.horizontalHeader().sectionSize(0) >= table.fontMetrics().horizontalAdvance("C-002")


def test_rows_grow_to_their_wrapped_text_as_qt_makes_them(qtbot: QtBot) -> None:
    """Each row as tall as its tallest cell (text wrapped in its column, an icon, a checkbox), up to MAX_ROW_LINES
    lines, without asking the model for its cells; the same heights Qt's `resizeRowsToContents` gives."""
    long = "Employees and contractors who started between 2025-10-01 and 2026-09-30, per the new-hire report"
    rows: list[Row] = [
        ("C-001", "Head of People", True, "one line"),
        ("C-002", "Owner", False, "three\nlines\nhere"),
        ("C-003", "Owner", False, long),
        ("C-004", "Owner", False, long * 10),  # more lines than a row shows: as tall as rows get
    ]
    model = CountingModel([*_columns()[:4], Column("Notes", lambda r: r[1], width=120)], key=lambda r: r[0])
    table = make_table(model, stretch=3)
    qtbot.addWidget(table)
    table.resize(520, 400)
    table.show()
    qtbot.waitExposed(table)
    table.hide()  # nothing painted: what the model is asked for is what fitting the rows asked
    model.asked = 0
    model.set_rows(rows)
    qtbot.waitUntil(lambda: table.rowHeight(2) > table.rowHeight(0) < table.rowHeight(1))
    assert model.asked == 0
    ours = [table.rowHeight(n) for n in range(4)]
    table.resizeRowsToContents()
    tallest = MAX_ROW_LINES * table.fontMetrics().lineSpacing() + 8
    assert ours == [min(table.rowHeight(n), tallest) for n in range(4)]
    assert ours[3] == tallest
    assert model.asked > 0  # Qt's own measure asks for every role of every cell


def test_rows_are_fitted_a_slice_at_a_time_those_in_view_first(qtbot: QtBot, monkeypatch: Any) -> None:
    """Fitting many wrapped rows in one go held the screen 20-40 ms (the `--scale 20` readiness page). They are
    fitted in slices of `FIT_SLICE_S`, each its own turn of the event loop, starting with the rows in view; the
    rows end as tall as in one go. A column made narrower fits them again."""
    long = "Employees and contractors who started in the period, per the new-hire report"
    rows: list[Row] = [(f"C-{n:03d}", "Owner", False, long) for n in range(100)]
    model = RowTableModel[Row](_columns(), key=lambda r: r[0])
    model.set_rows(rows)
    table = make_table(model, stretch=None)
    qtbot.addWidget(table)
    table.resize(900, 300)
    table.show()
    qtbot.waitExposed(table)
    unfitted = table.verticalHeader().defaultSectionSize()
    qtbot.waitUntil(lambda: all(unfitted != table.rowHeight(n) == table.rowHeight(0) for n in range(100)))
    whole = [table.rowHeight(n) for n in range(100)]

    table.scrollTo(model.index(40, 0), QTableView.ScrollHint.PositionAtTop)
    first_in_view = table.rowAt(0)
    fitted: list[int] = []
    set_height = table.setRowHeight
    table.setRowHeight = lambda row, height: (fitted.append(row), set_height(row, height))  # type: ignore[method-assign]
    monkeypatch.setattr(tables, "FIT_SLICE_S", 0.0)  # one row a slice
    wide = table.columnWidth(3)
    table.horizontalHeader().resizeSection(3, wide // 2)  # narrower: more lines
    qtbot.waitUntil(lambda: len(fitted) >= 100)
    assert fitted[:3] == [first_in_view, first_in_view + 1, first_in_view + 2]
    assert sorted(fitted[:100]) == list(range(100))
    assert all(table.rowHeight(n) > whole[n] for n in range(100))

    monkeypatch.setattr(tables, "FIT_SLICE_S", 0.008)
    table.horizontalHeader().resizeSection(3, wide)  # as wide as before: as tall as before
    qtbot.waitUntil(lambda: [table.rowHeight(n) for n in range(100)] == whole)


def test_a_title_wider_than_its_column_ends_in_an_ellipsis_and_reads_in_full_on_hover(qtbot: QtBot) -> None:
    """Qt clips a centred title at both ends ("ugh SOC 2 criteria (con" on the readiness page at 1366 px)."""
    table, model = _shown(qtbot, [("C-001", "Owner", False, "")])
    assert table.horizontalHeader().textElideMode() == Qt.TextElideMode.ElideRight
    assert model.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == "Owner"
