"""Font and icon sizes that follow the window, so a 1024x768 and a 1920x1080 screen are
both readable at 1.5 m (headline letters of about 6 % of the height)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPainterPath, QPaintEvent, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

BASE_W, BASE_H = 1024, 768
W = TypeVar("W", bound=QWidget)
SYNTHETIC_BOLD_LIMIT_PX = 64


class ScaledScreen(QWidget):
    """Children registered with `scaled(label, px, bold)` get px at 1024x768, scaled with the screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sizes: list[tuple[QWidget, int, bool]] = []

    def scaled(self, widget: W, px: int, bold: bool = False) -> W:
        self._sizes.append((widget, px, bold))
        if isinstance(widget, QLabel):
            widget.setWordWrap(True)
        return widget

    def factor(self) -> float:
        return max(0.6, min(self.width() / BASE_W, self.height() / BASE_H))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        f = self.factor()
        for widget, px, bold in self._sizes:
            font = QFont(widget.font())
            font.setPixelSize(max(10, round(px * f)))
            font.setBold(bold)
            widget.setFont(font)
        self.rescaled(f)

    def rescaled(self, factor: float) -> None:
        """For subclasses: resize icons and the like."""


class HeavyLabel(QLabel):
    """A bold label that stays bold when large. Qt's FreeType engine stops synthesizing bold
    at 64 px, and common CJK fonts (WenQuanYi Micro Hei) have no bold face, so a 1080p
    headline would turn thin; above that size the glyphs' outlines are drawn with a wide pen."""

    def paintEvent(self, event: QPaintEvent) -> None:
        px = self.font().pixelSize()
        if not self.font().bold() or px < SYNTHETIC_BOLD_LIMIT_PX:
            super().paintEvent(event)
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = self.palette().color(QPalette.ColorRole.WindowText)
        rect, text, n = self.contentsRect(), self.text(), max(2, px // 18)  # n: the stroke a bold face adds
        metrics = QFontMetrics(self.font())
        if "\n" not in text and metrics.horizontalAdvance(text) + n <= rect.width():
            # One line: the glyphs' outlines drawn with a pen n wide -- an even, clean bold.
            path = QPainterPath()
            x = rect.left() + n / 2
            if self.alignment() & Qt.AlignmentFlag.AlignHCenter:
                x = rect.center().x() - metrics.horizontalAdvance(text) / 2
            path.addText(x, rect.top() + (rect.height() - metrics.height()) / 2 + metrics.ascent(), self.font(), text)
            p.strokePath(path, QPen(color, n, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                                    Qt.PenJoinStyle.RoundJoin))
            p.fillPath(path, color)
        else:  # wrapped text: drawn a few times, a pixel apart
            p.setFont(self.font())
            p.setPen(color)
            flags = int(self.alignment()) | int(Qt.TextFlag.TextWordWrap)
            for dx in range(n):
                for dy in {0, n // 2}:
                    p.drawText(rect.translated(dx, dy), flags, text)
        p.end()


def fit_px(text: str, font: QFont, width: int, max_px: int) -> int:
    """The largest pixel size, at most `max_px`, at which `text` fits on one line of `width`."""
    probe = QFont(font)
    probe.setPixelSize(max_px)
    needed = QFontMetrics(probe).horizontalAdvance(text) + max(2, max_px // 18)  # HeavyLabel's extra strokes
    return max_px if needed <= width else max(10, int(max_px * width / needed))


class FitLabel(HeavyLabel):
    """A one-line headline that fills the width: as large as fits, up to `max_px`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(False)

    def fit(self, max_px: int, width: int) -> None:
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(fit_px(self.text(), font, width, max_px))
        self.setFont(font)
