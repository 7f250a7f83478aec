"""The 通报 PDF as it prints, after a demo day of scans: `checkpoint-authority report` writes
it, pdftoppm renders its pages at 80 dpi, and the test reads the pictures. The bars of the
city chart are there, in the ranked order, as long as the cities' scans; the colour chart
holds the day's colours in their proportions; the ranked table lists the cities by scans
with equal scans sharing a rank; the CJK font is embedded; a long offline list goes on over
pages under its city and header. An empty or unranked chart fails.

With CHECKPOINT_SCREENSHOTS=DIR the page images are kept there (docs/images/report-*.png)."""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from checkpoint_app.authority import bulk
from checkpoint_app.authority.cli import main as authority_main
from checkpoint_app.authority.dashboard import report_charts
from checkpoint_app.authority.dashboard.queries import today
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.regions import OTHER
from tests.support.dashboard_client import DashboardClient
from tests.support.dashboard_province import ADMIN, LATE, NEVER, PASSWORD, Province
from tests.support.pdf import pdf_fonts, pdf_pages, pdf_text

COLOURS = {name: colour.hexval()[2:] for name, colour in (("navy", report_charts.NAVY), *(
    (key, c) for key, c in report_charts.COLOURS))}


@pytest.fixture(scope="module")
def report(province: Province, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("report") / "report.pdf"
    # The command reads the database, where the serving process writes the fleet's records
    # within FLUSH_POLL_S of a request; here at once, for a report of the whole fleet.
    assert province.handle.app is not None
    province.handle.app.extensions["fleet"].flush(force=True)
    day = province.day.isoformat()
    assert authority_main(["report", "--db", str(province.authority.engine.url), "--from", day, "--to", day,
                           "--out", str(out)]) == 0
    return out.read_bytes()


def _city_scans(province: Province) -> Counter[str]:
    """Scans per city as the demo day made them (a venue id's first 4 digits and 00)."""
    out: Counter[str] = Counter()
    for site in province.sites:
        city = f"{site.venue_id[:4]}00" if site.venue_id.startswith("14") else OTHER
        out[city] += sum(site.sources.values())
    return out


def _mask(page: Image.Image, hex_colour: str, box: tuple[int, int, int, int],
          tolerance: int) -> set[tuple[int, int]]:
    """The pixels inside `box` within `tolerance` (per channel) of the colour."""
    want = tuple(int(hex_colour[i:i + 2], 16) for i in (0, 2, 4))
    crop = page.crop(box)
    px = crop.load()
    assert px is not None
    return {(box[0] + x, box[1] + y) for y in range(crop.height) for x in range(crop.width)
            if all(abs(a - b) <= tolerance for a, b in zip(px[x, y][:3], want, strict=True))}


def _bars(pixels: set[tuple[int, int]]) -> list[int]:
    """Horizontal bars from top to bottom (runs of rows holding the colour), each one's length."""
    rows: dict[int, int] = Counter(y for _, y in pixels)
    bars: list[list[int]] = []
    for y in sorted(rows):
        if bars and y - bars[-1][0] == 1:
            bars[-1] = [y, max(bars[-1][1], rows[y])]
        else:
            bars.append([y, rows[y]])
    return [length for _, length in bars if length > 2]


def test_the_city_chart_draws_each_citys_scans_in_the_ranked_order(province: Province, report: bytes) -> None:
    page = pdf_pages(report)[0]
    left = (0, 0, page.width // 2, page.height)
    bars = _bars(_mask(page, COLOURS["navy"], left, tolerance=24))
    scans = sorted((n for c, n in _city_scans(province).items() if c != OTHER), reverse=True)
    assert len(bars) == len(scans) >= 5, bars  # one bar per city with scans; idle cities have none
    assert bars == sorted(bars, reverse=True)
    for length, n in zip(bars, scans, strict=True):
        assert abs(length - bars[0] * n / scans[0]) <= 3, (bars, scans)


def test_the_colour_chart_holds_the_days_colours_in_proportion(province: Province, report: bytes) -> None:
    stats = province.stats()
    page = pdf_pages(report)[0]
    right = (page.width // 2, 0, page.width, page.height)
    # Bar insides only: the antialiased grey of axes and ticks is within 24 of the bars' grey.
    area = {k: len(_mask(page, COLOURS[k], right, tolerance=8)) for k in ("green", "yellow", "red", "none")}
    assert all(a > 150 for a in area.values()), area  # each colour is drawn, not only its legend swatch
    for colour in ("yellow", "red", "none"):
        want = stats["by_color"][colour] / stats["by_color"]["green"]
        assert abs(area[colour] / area["green"] - want) <= 0.25 * want, (colour, area, stats["by_color"])


def test_the_table_ranks_the_cities_by_scans(province: Province, report: bytes) -> None:
    text = pdf_text(report, page=1)
    rows = [m.groups() for m in re.finditer(r"^[ ]*(\d+)[ ]+(\S+市)[ ]+([\d,]+)[ ]", text, re.MULTILINE)]
    assert len(rows) == 11, text  # every city of Shanxi, once
    scans = [int(n.replace(",", "")) for _, _, n in rows]
    assert scans == sorted(scans, reverse=True)
    assert [name for _, name, n in rows if n != "0"][:2] == ["太原市", "临汾市"]
    expected = sorted((n for c, n in _city_scans(province).items() if c != OTHER), reverse=True)
    assert scans[:len(expected)] == expected
    ranks = [int(r) for r, _, _ in rows]
    assert ranks == [1 + sum(s > mine for s in scans) for mine in scans]  # equal scans share a rank
    assert LATE[0] in text and NEVER[0] in text  # the offline list starts on the first page


def test_the_chinese_font_is_embedded_and_nothing_runs_into_the_margins(report: bytes) -> None:
    fonts = pdf_fonts(report)
    assert any(f["emb"] == "yes" and re.search(r"WenQuanYi|NotoSansCJK|UMing", f["name"]) for f in fonts), fonts
    assert all(f["emb"] == "yes" for f in fonts if f["name"] != "Helvetica"), fonts  # ReportLab's page preamble
    for page in pdf_pages(report):  # 12 mm margins (38 px at 80 dpi); the footer sits 7 mm from the foot
        w, h = page.size
        margins = (0, 0, w, 30), (0, 0, 30, h), (w - 30, 0, w, h), (0, h - 15, w, h)
        assert all(page.crop(m).convert("L").getextrema()[0] > 250 for m in margins)  # nothing cut at the edge


def test_pages_as_they_print_in_both_languages(province: Province, report: bytes, tmp_path: Path) -> None:
    user = DashboardClient(province.url)
    assert user.login(ADMIN, PASSWORD).status_code == 200
    day = province.day.isoformat()
    english = user.get(f"/dashboard/report.pdf?from={day}&to={day}&lang=en").content
    assert "No-phone" in pdf_text(english, page=1)
    keep = os.environ.get("CHECKPOINT_SCREENSHOTS")
    for lang, pdf in (("zh", report), ("en", english)):
        for i, page in enumerate(pdf_pages(pdf), start=1):
            assert len(page.convert("L").getcolors(2**16) or []) > 20  # not a blank page
            small = page.quantize(colors=64, method=Image.Quantize.MEDIANCUT)
            small.save(tmp_path / f"report-{lang}-{i}.png", optimize=True)
            if keep:
                small.save(Path(keep) / f"report-{lang}-{i}.png", optimize=True)


def test_a_long_offline_list_goes_on_over_pages_under_its_city_and_header(tmp_path: Path) -> None:
    registered = int(time.time()) - 7200  # two hours ago, never seen since: offline
    authority = Authority.open(f"sqlite:///{tmp_path / 'a.sqlite3'}", None, clock=lambda: registered)
    bulk.register_checkpoints(authority, [
        *(bulk.CheckpointSpec(f"TY-{i:04d}", f"140105-mall-{i:04d}", "mall") for i in range(45)),
        *(bulk.CheckpointSpec(f"DT-{i:04d}", f"140213-hotel-{i:04d}", "hotel") for i in range(30)),
        *(bulk.CheckpointSpec(f"BJ-{i:04d}", f"110105-mall-{i:04d}", "mall") for i in range(2))])
    out = tmp_path / "report.pdf"
    day = today(time.time()).isoformat()
    assert authority_main(["report", "--db", str(authority.engine.url), "--from", day, "--to", day,
                           "--out", str(out)]) == 0
    pdf = out.read_bytes()
    pages = [pdf_text(pdf, page=n) for n in range(1, len(pdf_pages(pdf)) + 1)]
    assert len(pages) >= 2
    listed = Counter(m for page in pages for m in re.findall(r"\b(?:TY|DT|BJ)-\d{4}\b", page))
    assert set(listed.values()) == {1} and len(listed) == 40 + 30 + 2  # 40 per city, then a count
    # Checkpoints outside Shanxi are a row even without scans: the rows add up to the province.
    rows = {m[0]: [int(n) for n in m[1].split()] for m in re.findall(r"^ *(?:\d+ +)?(\S+) +((?:\d+ +){9}\d+)$",
                                                                   pages[0], re.MULTILINE)}
    assert (rows["其他/未知地区"][-2:], rows["太原市"][-2:], rows["山西省"][-2:]) == ([2, 2], [45, 45], [77, 77])
    assert "另有 5 个" in "".join(pages)
    for page in pages[1:]:  # a table that goes on starts its page with its city and its header
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert re.fullmatch(r"(太原市|大同市)（\d+）", lines[0]) and lines[1].startswith("核验点编号"), lines[:2]
