"""Font and icon sizes that follow the window, so a 1024x768 and a 1920x1080 screen are
both readable at 1.5 m (headline letters of about 6 % of the height)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

BASE_W, BASE_H = 1024, 768
W = TypeVar("W", bound=QWidget)


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
