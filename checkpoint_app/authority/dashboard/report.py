"""The periodic report (通报) as a PDF, made with ReportLab: on the first page the province's
totals, its cities ranked by scans with their offline checkpoints, and two charts
(report_charts: scans per city, the scans' colours per day or per hour); then the offline
checkpoints of each city, starting on the first page when there is room.

Vector charts and an embedded CJK font (WenQuanYi Micro Hei from Debian's
fonts-wqy-microhei, or Noto CJK), so that it prints sharp and reads the same anywhere."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from functools import cache, partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import Engine

from checkpoint_app.authority.dashboard import queries, report_charts, texts
from checkpoint_app.authority.dashboard.fleet_view import CityFleet, FleetRow, fleet, tallies
from checkpoint_app.authority.dashboard.queries import Counts, Period
from checkpoint_app.authority.fleet import Health
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.regions import OTHER, PROVINCE, Divisions, shanxi

FONT_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
              "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/truetype/arphic/uming.ttc")
RED = report_charts.RED
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
            "body": ParagraphStyle("body", fontName=f, fontSize=9.5, leading=14),
            "head": ParagraphStyle("head", fontName=f, fontSize=7, leading=8.5),
            "head_num": ParagraphStyle("head_num", fontName=f, fontSize=7, leading=8.5, alignment=2),
            "cell": ParagraphStyle("cell", fontName=f, fontSize=8, leading=9.5)}


def _cells(c: Counts) -> list[int]:
    return [c.scans, c.n("color", "green"), c.n("color", "yellow"), c.n("color", "red"), c.refused,
            c.n("fever", "true"), c.n("origin", "id_lookup"), c.n("origin", "manual")]


COLUMNS = ("scans", "green", "yellow", "red", "refused", "fevers", "id_lookups", "manual")


def _table(data: list[list[Any]], widths: list[float], header_rows: int = 1) -> Table:
    t = Table(data, colWidths=widths, repeatRows=header_rows, hAlign="LEFT")
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font(), 8), ("FONTSIZE", (0, 0), (-1, header_rows - 1), 7),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#eef2f7")),
        ("ALIGN", (2, 0), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d1d5db")), ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return t


def _ranked_table(lang: str, order: list[str], cities: dict[str, Counts], fleets: dict[str, CityFleet],
                  div: Divisions, total: Counts, total_fleet: CityFleet, st: dict[str, ParagraphStyle]) -> Table:
    """Headers and names wrap inside their columns (English words are long: "No-phone lookups"
    and "Other or unknown region" ran into their neighbours); equal scans share a rank."""
    words = [texts.ui(k, lang) for k in ("rank", "city", *COLUMNS, "checkpoints", "offline_short")]
    head = [Paragraph(escape(w), st["head" if i < 2 else "head_num"]) for i, w in enumerate(words)]
    rows: list[list[Any]] = [head]
    places = queries.ranks(order, cities)
    for code in order:
        f = fleets.get(code, CityFleet())
        name = texts.ui("other_region", lang) if code == OTHER else div.name(code, lang)
        rows.append([places.get(code, ""), Paragraph(escape(name), st["cell"]),
                     *(f"{v:,}" for v in (*_cells(cities.get(code, Counts())), f.checkpoints, f.offline))])
    rows.append(["", Paragraph(escape(texts.ui("province", lang)), st["cell"]),
                 *(f"{v:,}" for v in (*_cells(total), total_fleet.checkpoints, total_fleet.offline))])
    table = _table(rows, [w * mm for w in (9, 31, 15, 14, 14, 13, 15, 14, 16, 15, 17, 13)])
    offline = [("TEXTCOLOR", (-1, i), (-1, i), RED) for i, row in enumerate(rows) if i and row[-1] != "0"]
    table.setStyle(TableStyle([("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), colors.HexColor("#f3f4f6")),
                               ("VALIGN", (0, 0), (-1, 0), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 3),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 3), *offline]))
    return table


def _charts(lang: str, engine: Engine, period: Period, order: list[str], cities: dict[str, Counts],
            days: dict[str, Counts], div: Divisions, actions: frozenset[str]) -> Table:
    """Scans per city beside the colours over time: per hour for a one-day report (one bar
    per day would be a single block), else per day."""
    shown = [c for c in order if c != OTHER]
    left = report_charts.city_chart(lang, [div.name(c, lang) for c in shown],
                                    [cities[c].scans if c in cities else 0 for c in shown], font())
    if period.first == period.last:
        hours = queries.by_hour(engine, PROVINCE, period.first, div, actions)
        title = f"{texts.ui('per_hour', lang)} · {period.first.isoformat()}"
        labels = [f"{h}:00" if h % 3 == 0 else "" for h in range(24)]
        right = report_charts.colour_chart(lang, title, labels, [hours.get(h, Counts()) for h in range(24)], font())
    else:
        keys = period.days()
        step = -(-len(keys) // 7)  # at most 7 day labels: "11-02" needs its room
        labels = [k[5:] if i % step == 0 else "" for i, k in enumerate(keys)]
        right = report_charts.colour_chart(lang, texts.ui("per_day", lang), labels,
                                           [days.get(k, Counts()) for k in keys], font())
    table = Table([[left, right]], colWidths=[93 * mm, 93 * mm])
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


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
        # The city is the table's first row, repeated with the header where the table goes on
        # over a page break: a city heading never stays alone at the foot of a page.
        data: list[list[Any]] = [[f"{name}（{len(items)}）" if lang == "zh" else f"{name} ({len(items)})", *[""] * 4],
                                 [texts.ui(k, lang) for k in ("checkpoint", "venue", "last_seen", "last_upload",
                                                              "version")]]
        data += [[r.checkpoint_id, r.venue_id or "", _when(r.last_seen, lang), _when(r.last_upload, lang),
                  r.version or ""] for r in items[:OFFLINE_LISTED]]
        table = _table(data, [44 * mm, 52 * mm, 32 * mm, 32 * mm, 26 * mm], header_rows=2)
        table.setStyle(TableStyle([("SPAN", (0, 0), (-1, 0)), ("FONTSIZE", (0, 0), (-1, 0), 9.5),
                                   ("ALIGN", (0, 0), (-1, 0), "LEFT"), ("BACKGROUND", (0, 0), (-1, 0), colors.white),
                                   ("LEFTPADDING", (0, 0), (-1, 0), 0), ("TOPPADDING", (0, 0), (-1, 0), 4)]))
        out.append(table)
        if len(items) > OFFLINE_LISTED:
            out.append(Paragraph(texts.ui("and_more", lang, n=len(items) - OFFLINE_LISTED), st["body"]))
        out.append(Spacer(1, 3 * mm))
    return out


def _summary(lang: str, total: Counts, fleet_total: CityFleet) -> str:
    # A line breaks only between items: a label and its number are joined by a no-break space.
    sep, end = ("； ", "。") if lang == "zh" else ("; ", ".")
    parts = [f"{texts.ui(k, lang)}\u00a0{v:,}" for k, v in zip(COLUMNS, _cells(total), strict=True)]
    parts += [f"{texts.ui('checkpoints', lang)}\u00a0{fleet_total.checkpoints:,}",
              f"{texts.ui('offline', lang)}\u00a0{fleet_total.offline:,}"]
    return sep.join(parts) + end


def _when(ts: int | None, lang: str) -> str:
    if ts is None:
        return texts.ui("never", lang)
    return dt.datetime.fromtimestamp(ts, queries.CST).strftime("%Y-%m-%d %H:%M")


def render_report(authority: Authority, period: Period, lang: str, live: dict[str, Health],
                  divisions: Divisions | None = None) -> bytes:
    div, engine, now = divisions or shanxi(), authority.engine, int(authority.clock())
    actions = queries.known_actions(authority.document("policy"))
    use = queries.usage(engine, PROVINCE, period, div, actions)
    cities, total = use.children, use.total
    fleets = tallies(engine, live, now, div)
    total_fleet = CityFleet(*(sum(getattr(f, k) for f in fleets.values()) for k in ("checkpoints", "offline",
                                                                                      "never_seen")))
    rows = fleet(engine, live, now, div, keep=lambda r: r.offline)
    order = queries.ranked(cities, PROVINCE, div, fleets)
    st = _styles()
    first, last = period.first.isoformat(), period.last.isoformat()
    story: list[Any] = [
        Paragraph(texts.ui("report_title", lang), st["title"]),
        Paragraph(texts.ui("report_intro", lang, first=first, last=last) + " "
                  + texts.ui("report_generated", lang, at=_when(now, lang)), st["sub"]),
        Spacer(1, 3 * mm),
        Paragraph(_summary(lang, total, total_fleet), st["body"]),
        Paragraph(texts.ui("cities_ranked", lang), st["h2"]),
        _ranked_table(lang, order, cities, fleets, div, total, total_fleet, st),
        Spacer(1, 5 * mm),
        _charts(lang, engine, period, order, cities, use.days, div, actions),
        CondPageBreak(45 * mm),  # the offline list follows on the first page when it has room to start
        *_offline_lists(lang, rows, order, div, st),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=14 * mm, title=texts.ui("report_title", lang), author="checkpoint-authority")
    footer = partial(_footer, f"{texts.ui('report_title', lang)} · {first} – {last}")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def _footer(text: str, canvas: Any, doc: Any) -> None:
    """Every page says which report it belongs to: printed pages get separated."""
    canvas.saveState()
    canvas.setFont(font(), 7)
    canvas.setFillColor(colors.grey)
    canvas.drawString(12 * mm, 7 * mm, text)
    canvas.drawRightString(A4[0] - 12 * mm, 7 * mm, f"{doc.page}")
    canvas.restoreState()
