"""The periodic report (通报) as a PDF, made with ReportLab: on the first page the province's
totals, its cities ranked by scans with their offline checkpoints, and two charts (scans per
city, scans per day by colour); then the offline checkpoints of each city.

Vector charts and an embedded CJK font (WenQuanYi Micro Hei from Debian's
fonts-wqy-microhei, or Noto CJK), so that it prints sharp and reads the same anywhere."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from checkpoint_app.authority.dashboard import queries, texts
from checkpoint_app.authority.dashboard.fleet_view import CityFleet, FleetRow, fleet, tallies
from checkpoint_app.authority.dashboard.queries import Counts, Period
from checkpoint_app.authority.fleet import Health
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.regions import OTHER, PROVINCE, Divisions, shanxi

FONT_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
              "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/truetype/arphic/uming.ttc")
GREEN, YELLOW, RED, GREY = (colors.HexColor(c) for c in ("#1a9e4b", "#e0a800", "#d0312d", "#9ca3af"))
NAVY = colors.HexColor("#0f3d6e")
OFFLINE_LISTED = 40  # per city; the rest are counted


@cache
def font() -> str:
    """An embedded CJK TrueType font if one is installed, else the Adobe CID font (not embedded)."""
    for path in FONT_FILES:
        if Path(path).exists():
            pdfmetrics.registerFont(TTFont("ReportCJK", path, subfontIndex=0))
            return "ReportCJK"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _styles() -> dict[str, ParagraphStyle]:
    f = font()
    return {"title": ParagraphStyle("title", fontName=f, fontSize=18, leading=24, alignment=1, spaceAfter=4),
            "sub": ParagraphStyle("sub", fontName=f, fontSize=9, leading=13, alignment=1, textColor=colors.grey),
            "h2": ParagraphStyle("h2", fontName=f, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4),
            "body": ParagraphStyle("body", fontName=f, fontSize=9.5, leading=14)}


def _cells(c: Counts) -> list[int]:
    return [c.scans, c.n("color", "green"), c.n("color", "yellow"), c.n("color", "red"), c.refused,
            c.n("fever", "true"), c.n("origin", "id_lookup"), c.n("origin", "manual")]


COLUMNS = ("scans", "green", "yellow", "red", "refused", "fevers", "id_lookups", "manual")


def _table(data: list[list[Any]], widths: list[float], header_rows: int = 1) -> Table:
    t = Table(data, colWidths=widths, repeatRows=header_rows)
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font(), 8), ("FONTSIZE", (0, 0), (-1, header_rows - 1), 7),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#eef2f7")),
        ("ALIGN", (2, 0), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d1d5db")), ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return t


def _ranked_table(lang: str, order: list[str], cities: dict[str, Counts], fleets: dict[str, CityFleet],
                  div: Divisions, total: Counts, total_fleet: CityFleet) -> Table:
    head = [texts.ui("rank", lang), texts.ui("city", lang), *(texts.ui(k, lang) for k in COLUMNS),
            texts.ui("checkpoints", lang), texts.ui("offline_short", lang)]
    rows: list[list[Any]] = [head]
    for i, code in enumerate(order, start=1):
        f = fleets.get(code, CityFleet())
        name = texts.ui("other_region", lang) if code == OTHER else div.name(code, lang)
        rows.append([i if code != OTHER else "", name,
                     *(f"{v:,}" for v in (*_cells(cities.get(code, Counts())), f.checkpoints, f.offline))])
    rows.append(["", texts.ui("province", lang),
                 *(f"{v:,}" for v in (*_cells(total), total_fleet.checkpoints, total_fleet.offline))])
    table = _table(rows, [9 * mm, 26 * mm] + [15 * mm] * 10)
    offline = [("TEXTCOLOR", (-1, i), (-1, i), RED) for i, row in enumerate(rows) if i and row[-1] != "0"]
    table.setStyle(TableStyle([("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), colors.HexColor("#f3f4f6")),
                               *offline]))
    return table


def _city_chart(lang: str, order: list[str], cities: dict[str, Counts], div: Divisions) -> Drawing:
    shown = [c for c in order if c != OTHER][::-1]
    d = Drawing(85 * mm, 70 * mm)
    ch = HorizontalBarChart()
    ch.x, ch.y, ch.width, ch.height = 16 * mm, 6 * mm, 64 * mm, 58 * mm
    ch.data = [[cities.get(c, Counts()).scans for c in shown] or [0]]
    ch.categoryAxis.categoryNames = [div.name(c, lang) for c in shown] or [""]
    ch.categoryAxis.labels.fontName = ch.valueAxis.labels.fontName = font()
    ch.categoryAxis.labels.fontSize, ch.valueAxis.labels.fontSize = 7, 6
    ch.valueAxis.valueMin = 0
    ch.valueAxis.labelTextFormat = _thousands
    ch.bars[0].fillColor = NAVY
    d.add(ch)
    d.add(String(16 * mm, 66 * mm, f"{texts.ui('scans', lang)} · {texts.ui('city', lang)}", fontName=font(),
                 fontSize=8))
    return d


def _thousands(value: float) -> str:
    return f"{value:,.0f}"


def _day_chart(lang: str, days: list[tuple[str, Counts]]) -> Drawing:
    d = Drawing(85 * mm, 70 * mm)
    ch = VerticalBarChart()
    ch.x, ch.y, ch.width, ch.height = 12 * mm, 10 * mm, 70 * mm, 52 * mm
    ch.data = [[c.n("color", k) for _, c in days] for k in ("green", "yellow", "red", "none")]
    ch.categoryAxis.style = "stacked"
    step = max(1, len(days) // 8)  # at most about 8 day labels under the bars
    ch.categoryAxis.categoryNames = [k[5:] if i % step == 0 else "" for i, (k, _) in enumerate(days)]
    ch.categoryAxis.labels.fontName = ch.valueAxis.labels.fontName = font()
    ch.categoryAxis.labels.fontSize, ch.valueAxis.labels.fontSize = 6, 6
    ch.valueAxis.valueMin = 0
    ch.valueAxis.labelTextFormat = _thousands
    for i, col in enumerate((GREEN, YELLOW, RED, GREY)):
        ch.bars[i].fillColor, ch.bars[i].strokeColor = col, None
    d.add(ch)
    d.add(String(12 * mm, 66 * mm, f"{texts.ui('per_day', lang)}: {texts.ui('green', lang)} / "
                 f"{texts.ui('yellow', lang)} / {texts.ui('red', lang)} / {texts.ui('none', lang)}",
                 fontName=font(), fontSize=8))
    return d


def _offline_lists(lang: str, rows: list[FleetRow], order: list[str], div: Divisions,
                   st: dict[str, ParagraphStyle]) -> list[Any]:
    by_city: dict[str, list[FleetRow]] = defaultdict(list)
    for r in rows:
        if r.offline:
            by_city[r.city].append(r)
    out: list[Any] = [Paragraph(texts.ui("offline_list", lang), st["h2"])]
    if not by_city:
        return [*out, Paragraph(texts.ui("none_offline", lang), st["body"])]
    for code in [c for c in order if c in by_city] + [c for c in by_city if c not in order]:
        items = sorted(by_city[code], key=lambda r: r.checkpoint_id)
        name = texts.ui("other_region", lang) if code == OTHER else div.name(code, lang)
        out.append(Paragraph(f"{name}（{len(items)}）" if lang == "zh" else f"{name} ({len(items)})", st["body"]))
        data = [[texts.ui(k, lang) for k in ("checkpoint", "venue", "last_seen", "last_upload", "version")]]
        data += [[r.checkpoint_id, r.venue_id or "", _when(r.last_seen, lang), _when(r.last_upload, lang),
                  r.version or ""] for r in items[:OFFLINE_LISTED]]
        out.append(_table(data, [40 * mm, 42 * mm, 30 * mm, 30 * mm, 24 * mm]))
        if len(items) > OFFLINE_LISTED:
            out.append(Paragraph(texts.ui("and_more", lang, n=len(items) - OFFLINE_LISTED), st["body"]))
        out.append(Spacer(1, 3 * mm))
    return out


def _summary(lang: str, total: Counts, fleet_total: CityFleet) -> str:
    sep, end = ("；", "。") if lang == "zh" else ("; ", ".")
    parts = [f"{texts.ui(k, lang)} {v:,}" for k, v in zip(COLUMNS, _cells(total), strict=True)]
    parts += [f"{texts.ui('checkpoints', lang)} {fleet_total.checkpoints:,}",
              f"{texts.ui('offline', lang)} {fleet_total.offline:,}"]
    return sep.join(parts) + end


def _when(ts: int | None, lang: str) -> str:
    if ts is None:
        return texts.ui("never", lang)
    return dt.datetime.fromtimestamp(ts, queries.CST).strftime("%Y-%m-%d %H:%M")


def render_report(authority: Authority, period: Period, lang: str, live: dict[str, Health],
                  divisions: Divisions | None = None) -> bytes:
    div, engine, now = divisions or shanxi(), authority.engine, int(authority.clock())
    use = queries.usage(engine, PROVINCE, period, div, queries.known_actions(authority.document("policy")))
    cities, total = use.children, use.total
    days = [(k, use.days.get(k, Counts())) for k in period.days()]
    fleets = tallies(engine, live, now, div)
    total_fleet = CityFleet(*(sum(getattr(f, k) for f in fleets.values()) for k in ("checkpoints", "offline",
                                                                                      "never_seen")))
    rows = fleet(engine, live, now, div, keep=lambda r: r.offline)
    order = queries.ranked(cities, PROVINCE, div)
    st = _styles()
    story: list[Any] = [
        Paragraph(texts.ui("report_title", lang), st["title"]),
        Paragraph(texts.ui("report_intro", lang, first=period.first.isoformat(), last=period.last.isoformat())
                  + f" {texts.ui('report_generated', lang)}: {_when(now, lang)}", st["sub"]),
        Spacer(1, 3 * mm),
        Paragraph(_summary(lang, total, total_fleet), st["body"]),
        Paragraph(texts.ui("cities_ranked", lang), st["h2"]),
        _ranked_table(lang, order, cities, fleets, div, total, total_fleet),
        Spacer(1, 4 * mm),
        Table([[_city_chart(lang, order, cities, div), _day_chart(lang, days)]], colWidths=[90 * mm, 90 * mm]),
        PageBreak(),
        *_offline_lists(lang, rows, order, div, st),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=12 * mm, title=texts.ui("report_title", lang), author="checkpoint-authority")
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()


def _footer(canvas: Any, doc: Any) -> None:
    canvas.saveState()
    canvas.setFont(font(), 7)
    canvas.setFillColor(colors.grey)
    canvas.drawRightString(A4[0] - 12 * mm, 7 * mm, f"{doc.page}")
    canvas.restoreState()
