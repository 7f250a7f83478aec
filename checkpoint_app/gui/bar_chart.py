"""A small QPainter bar chart (people per hour): lighter than QtCharts (pyside6-addons)
or pyqtgraph for 24 bars."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from checkpoint_app.gui.style import CHART_BACKGROUND, CHART_BAR, INK


class BarChartWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: tuple[int, ...] = ()
        self.labels: tuple[str, ...] = ()
        self.title = ""
        self.setMinimumHeight(180)

    def set_data(self, values: Sequence[int], labels: Sequence[str], title: str) -> None:
        self.values, self.labels, self.title = tuple(values), tuple(labels), title
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(CHART_BACKGROUND))
        p.setPen(QColor(INK))
        p.drawText(QRectF(0, 0, self.width(), 22), Qt.AlignmentFlag.AlignCenter, self.title)
        if not self.values:
            p.end()
            return
        top, bottom, left = 26.0, 20.0, 30.0
        h = self.height() - top - bottom
        w = (self.width() - left - 4) / len(self.values)
        peak = max(max(self.values), 1)
        p.drawText(QRectF(0, top - 4, left - 4, 16), Qt.AlignmentFlag.AlignRight, str(peak))
        for i, v in enumerate(self.values):
            bh = h * v / peak
            x = left + i * w
            p.fillRect(QRectF(x + 1, top + h - bh, w - 2, bh), QColor(CHART_BAR))
            if i < len(self.labels) and (len(self.values) <= 12 or i % 2 == 0):
                p.drawText(QRectF(x - 4, top + h + 2, w + 8, bottom - 2), Qt.AlignmentFlag.AlignCenter, self.labels[i])
        p.end()
