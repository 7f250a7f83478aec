"""The report's two charts, as ReportLab vector drawings: scans per city (bars in the
ranked order, each with its number, so the figure reads on paper without a ruler) and the
colours of the scans over the period (stacked bars per day, or per hour when the period is
one day, under a legend with the colours' swatches: a grey print keeps the words).

The colours are the dashboard's (style of the web charts) and are named here only."""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from checkpoint_app.authority.dashboard import texts
from checkpoint_app.authority.dashboard.queries import Counts

GREEN, YELLOW, RED, GREY = (colors.HexColor(c) for c in ("#1a9e4b", "#e0a800", "#d0312d", "#9ca3af"))
NAVY = colors.HexColor("#0f3d6e")
COLOURS = (("green", GREEN), ("yellow", YELLOW), ("red", RED), ("none", GREY))
WIDTH, HEIGHT = 88 * mm, 78 * mm
TITLE_Y = HEIGHT - 4 * mm


def city_chart(lang: str, names: list[str], scans: list[int], font: str) -> Drawing:
    """Bars from top to bottom in the order given (the ranked order)."""
    d = Drawing(WIDTH, HEIGHT)
    ch = HorizontalBarChart()
    ch.x, ch.y, ch.width, ch.height = 18 * mm, 6 * mm, 60 * mm, 62 * mm
    ch.data = [scans[::-1] or [0]]  # ReportLab draws the first category at the bottom
    ch.categoryAxis.categoryNames = names[::-1] or [""]
    ch.categoryAxis.labels.fontName = ch.valueAxis.labels.fontName = font
    ch.categoryAxis.labels.fontSize, ch.valueAxis.labels.fontSize = 7, 6
    _value_axis(ch, max(scans, default=0))
    ch.bars[0].fillColor, ch.bars[0].strokeColor = NAVY, None
    ch.barLabelFormat = _thousands
    ch.barLabels.fontName, ch.barLabels.fontSize = font, 6
    ch.barLabels.boxAnchor, ch.barLabels.dx = "w", 2
    d.add(ch)
    d.add(String(ch.x, TITLE_Y, f"{texts.ui('scans', lang)} · {texts.ui('city', lang)}", fontName=font, fontSize=8))
    return d


def colour_chart(lang: str, title: str, labels: list[str], parts: list[Counts], font: str) -> Drawing:
    """Stacked bars, one per label (a day or an hour), of the scans by final colour."""
    d = Drawing(WIDTH, HEIGHT)
    ch = VerticalBarChart()
    ch.x, ch.y, ch.width, ch.height = 12 * mm, 10 * mm, 72 * mm, 50 * mm
    ch.data = [[c.n("color", key) for c in parts] or [0] for key, _ in COLOURS]
    ch.categoryAxis.style = "stacked"
    ch.categoryAxis.categoryNames = labels or [""]
    ch.categoryAxis.labels.fontName = ch.valueAxis.labels.fontName = font
    ch.categoryAxis.labels.fontSize, ch.valueAxis.labels.fontSize = 6, 6
    ch.barWidth, ch.groupSpacing = 10, max(2, 10 - len(labels))  # one day is not a wall of colour
    _value_axis(ch, max((c.scans for c in parts), default=0))
    for i, (_, col) in enumerate(COLOURS):
        ch.bars[i].fillColor, ch.bars[i].strokeColor = col, None
    d.add(ch)
    d.add(String(ch.x, TITLE_Y, title, fontName=font, fontSize=8))
    d.add(_legend(lang, font, ch.x, TITLE_Y - 4 * mm))
    return d


def _legend(lang: str, font: str, x: float, y: float) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment, legend.boxAnchor = "right", "nw"
    legend.columnMaximum, legend.variColumn, legend.deltax, legend.dx, legend.dy = 1, True, 10, 6, 6
    legend.fontName, legend.fontSize = font, 7
    legend.colorNamePairs = [(col, texts.ui(key, lang)) for key, col in COLOURS]
    legend.strokeColor = None
    return legend


def _value_axis(chart: HorizontalBarChart | VerticalBarChart, top: int) -> None:
    """From 0 with whole-number steps: a period without scans gets an axis of 0..4, not
    ReportLab's guesses around zero."""
    axis = chart.valueAxis
    axis.valueMin = 0
    axis.valueMax = max(4, int(top * 1.12) + 1)
    axis.valueStep = _step(axis.valueMax)
    axis.labelTextFormat = _thousands


def _step(top: int) -> int:
    """The smallest of 1, 2, 5 times a power of ten that needs at most six steps to the top."""
    scale = 1
    while True:
        for m in (1, 2, 5):
            if m * scale * 6 >= top:
                return m * scale
        scale *= 10


def _thousands(value: float) -> str:
    return f"{value:,.0f}"
