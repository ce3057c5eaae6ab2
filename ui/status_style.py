"""How a status looks: the same colour and icon everywhere (navigator, tables, dashboard)."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from fieldwork.app.domain.vocabulary import Status

COLOURS: dict[Status, str] = {
    Status.NOT_STARTED: "#9aa0a6",
    Status.IN_PROGRESS: "#1a73e8",
    Status.EXCEPTIONS: "#d93025",
    Status.CONCLUDED: "#188038",
    Status.EXCLUDED: "#bdbdbd",
}


def colour(status: Status) -> QColor:
    return QColor(COLOURS[status])


@cache
def icon(status: Status) -> QIcon:
    """A distinct shape per status, so colour is never the only cue."""
    size = 16
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(colour(status), 2))
    box = QRectF(2, 2, size - 4, size - 4)
    if status is Status.CONCLUDED:
        painter.setBrush(colour(status))
        painter.drawEllipse(box)
        painter.setPen(QPen(QColor("white"), 2))
        painter.drawPolyline([QPointF(5, 8), QPointF(7, 11), QPointF(11, 5)])
    elif status is Status.EXCEPTIONS:
        path = QPainterPath()
        path.moveTo(size / 2, 1)
        path.lineTo(size - 1, size - 2)
        path.lineTo(1, size - 2)
        path.closeSubpath()
        painter.setBrush(colour(status))
        painter.drawPath(path)
        painter.setPen(QPen(QColor("white"), 2))
        painter.drawLine(int(size / 2), 6, int(size / 2), 10)
        painter.drawPoint(int(size / 2), 12)
    elif status is Status.IN_PROGRESS:
        painter.drawEllipse(box)
        painter.setBrush(colour(status))
        painter.drawPie(box, 90 * 16, -180 * 16)
    elif status is Status.EXCLUDED:
        painter.drawLine(box.topLeft(), box.bottomRight())
        painter.drawEllipse(box)
    else:
        painter.drawEllipse(box)
    painter.end()
    return QIcon(pixmap)
