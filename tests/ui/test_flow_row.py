"""A page's button row wraps onto more lines on a narrow page and reads as one row when there is room."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from fieldwork.ui.widgets import button_row


def _row(qtbot: QtBot) -> tuple[QWidget, list[QPushButton]]:
    holder = QWidget()
    qtbot.addWidget(holder)
    row, buttons = button_row(
        [("New request...", lambda: None), ("Attach evidence in answer...", lambda: None), ("Export...", lambda: None)],
        trailing=[("Delete...", lambda: None)],
    )
    holder.setLayout(row)
    holder.show()
    return holder, buttons


def _lines(buttons: list[QPushButton]) -> int:
    return len({b.geometry().top() for b in buttons})


def test_a_button_row_is_one_line_when_wide_with_the_trailing_button_at_the_right(qtbot: QtBot) -> None:
    holder, buttons = _row(qtbot)
    holder.resize(900, 200)
    QApplication.processEvents()
    assert _lines(buttons) == 1
    assert buttons[-1].geometry().right() == holder.contentsRect().right(), "Delete sits at the right edge"
    assert buttons[1].geometry().left() > buttons[0].geometry().right(), "left to right, none overlapping"


def test_a_button_row_wraps_when_narrow_and_asks_for_the_height_it_takes(qtbot: QtBot) -> None:
    holder, buttons = _row(qtbot)
    widest = max(b.sizeHint().width() for b in buttons)
    assert holder.minimumSizeHint().width() <= widest + 2 * holder.layout().contentsMargins().left() + 1
    narrow = widest + 40
    holder.resize(narrow, 300)
    QApplication.processEvents()
    assert _lines(buttons) >= 3
    assert all(b.geometry().right() <= holder.width() for b in buttons), "nothing runs off the right edge"
    assert all(b.width() >= b.minimumSizeHint().width() for b in buttons), "no button is squeezed"
    layout = holder.layout()
    assert layout.heightForWidth(narrow) >= 3 * buttons[0].sizeHint().height()
    assert layout.heightForWidth(narrow) > layout.heightForWidth(900)


def test_a_stretched_text_takes_the_rest_of_the_line_or_a_line_of_its_own(qtbot: QtBot) -> None:
    holder, buttons = _row(qtbot)
    legend = QLabel("Tickmarks: a b c d e x § (hover for meanings)")
    legend.setWordWrap(True)
    holder.layout().addWidget(legend, 1)  # type: ignore[call-arg]
    holder.resize(1400, 200)
    QApplication.processEvents()
    assert buttons[0].geometry().top() <= legend.geometry().center().y() <= buttons[0].geometry().bottom()
    assert legend.geometry().right() == holder.contentsRect().right(), "it takes the spare width"
    assert legend.width() > legend.sizeHint().width()
    holder.resize(420, 400)
    QApplication.processEvents()
    assert legend.geometry().top() > buttons[0].geometry().bottom(), "on a line of its own"
    assert legend.width() <= 420
