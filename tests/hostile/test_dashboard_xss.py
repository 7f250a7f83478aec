"""Every value an attacker controls that reaches a page, the report or the token sheet:
checkpoint ids, venue ids and types from the registration file and from uploaded events,
action names, the language and query strings. Pages show them as text (escaped, under
a strict CSP), the PDF prints them as text (no ReportLab markup), and the dashboard never
shows or logs a name or an ID number, even when an event carries one."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator

import pytest

from checkpoint_app.authority.dashboard.fleet_view import OFFLINE_AFTER_S
from tests.support.clocks import ShiftedClock
from tests.support.dashboard_client import DashboardClient
from tests.support.hostile_dashboard import Site, event, running_site
from tests.support.pdf import pdf_text

XSS = '<img src=x onerror=alert(1)>'
QUOTE = '"><script>alert(2)</script>'
MARKUP = '<font size=60 color=red>BIG</font>'
NAME, ID_NUMBER = "王小廉", "140105199003071234"
PAGES = ("/dashboard/area/140000", "/dashboard/area/140100", "/dashboard/area/140105", "/dashboard/fleet",
         "/dashboard/fleet?offline=1", "/dashboard/ops", "/dashboard/report")


CLOCK = ShiftedClock()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with running_site(tmp_path_factory.mktemp("xss"), CLOCK) as s:
        yield s


@pytest.fixture(scope="module")
def admin(site: Site) -> DashboardClient:
    """Hostile checkpoints registered and uploading; then two hours pass, so that every one of
    them is offline and listed by name in the report."""
    rows = [("checkpoint_id", "venue_id", "venue_type"), (XSS, f"140105-{QUOTE}", MARKUP),
            (QUOTE[:60], "140105-x", XSS), (MARKUP, f"140105-{MARKUP}", QUOTE)]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    sheet = site.admin().post("/dashboard/ops/register", files={"file": ("x.csv", out.getvalue(), "text/csv")})
    assert sheet.status_code == 200, sheet.text[-500:]
    tokens = {r["checkpoint_id"]: r["token"] for r in csv.DictReader(io.StringIO(sheet.text))}
    now = int(time.time())
    hostile = event("x-1", now, venue_id=f"140105-{XSS}", venue_type=QUOTE, action=XSS, allow=False,
                    operator=QUOTE, name=NAME, id_number=ID_NUMBER, reasons=[103])
    assert site.upload([hostile], XSS, tokens[XSS]).json()["accepted"] == ["x-1"]
    assert site.upload([event("x-2", now, action=MARKUP, allow=False)], XSS, tokens[XSS]).status_code == 200
    CLOCK.offset = 2 * OFFLINE_AFTER_S
    return site.admin()


def test_pages_show_hostile_values_as_text(admin: DashboardClient) -> None:
    for path in PAGES:
        for lang in ("zh", "en"):
            resp = admin.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            assert resp.status_code == 200, path
            html = resp.text
            for raw in (XSS, QUOTE, MARKUP, "<script>", "<img", "<font"):
                assert raw not in html, (path, raw)
            assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    fleet = admin.get("/dashboard/fleet").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in fleet and "&#34;&gt;&lt;script&gt;" in fleet


@pytest.mark.parametrize("query", [f"lang={XSS}", f"city={QUOTE}", f"city=140100%26offline%3D1{XSS}",
                                   f"page={XSS}", f"from=2020-03-01&x={QUOTE}", f"day={XSS}"])
def test_query_strings_come_back_escaped_or_not_at_all(admin: DashboardClient, query: str) -> None:
    for path in ("/dashboard/area/140000", "/dashboard/fleet", "/dashboard/report"):
        resp = admin.get(f"{path}?{query}")
        assert resp.status_code in (200, 400), (path, query)
        assert XSS not in resp.text and QUOTE not in resp.text and "<script>" not in resp.text, (path, query)
    cookie = admin.http.cookies.get("cp_dash_lang", path="/dashboard")
    assert cookie in (None, "zh", "en")


def _pdf_text(admin: DashboardClient, lang: str) -> str:
    resp = admin.get(f"/dashboard/report.pdf?lang={lang}")
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF")
    return pdf_text(resp.content, "-raw")


def test_the_report_prints_hostile_values_as_text(admin: DashboardClient) -> None:
    for lang in ("zh", "en"):
        text = _pdf_text(admin, lang)
        assert XSS in text and MARKUP in text  # the offline checkpoints, named as registered


def test_no_name_nor_id_number_is_shown_stored_or_logged(site: Site, admin: DashboardClient,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    seen = [admin.get(p).text for p in PAGES] + [admin.get("/dashboard/api/area/140000").text,
                                                 admin.get("/dashboard/api/fleet").text, _pdf_text(admin, "zh")]
    for text in seen:
        assert NAME not in text and ID_NUMBER not in text
    with site.authority.engine.connect() as conn:
        dump = "\n".join(conn.connection.iterdump())  # type: ignore[attr-defined]
    assert NAME not in dump and ID_NUMBER not in dump
    assert NAME not in caplog.text and ID_NUMBER not in caplog.text
