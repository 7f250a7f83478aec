"""SVG icons from resources/icons, drawn in the colour of the screen they sit on."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from checkpoint_app.gui.style import ICON_INK
from checkpoint_app.resources import resource


@lru_cache(maxsize=64)
def icon_pixmap(name: str, color: str, size: int) -> QPixmap:
    svg = resource("icons", f"{name}.svg").read_text(encoding="utf-8").replace(ICON_INK, color)
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter)
    painter.end()
    return pixmap
