"""Hostile and unlucky query strings on the read pages (periods, days, area codes, SQL in
any of them), the report of an empty period, and a checkpoint that uploads a new action
name with every event: a 4xx with a clear message or a page of bounded size, never a 500."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import requests

from checkpoint_app.authority.dashboard.texts import ACTIONS
from tests.support.dashboard_client import DashboardClient
from tests.support.hostile_dashboard import Site, event, running_site
from tests.support.html_tables import numbers
from tests.support.pdf import pdf_text

READ = ("/dashboard/area/140000", "/dashboard/area/140100", "/dashboard/area/140105", "/dashboard/api/area/140000",
        "/dashboard/report", "/dashboard/report.pdf")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with running_site(tmp_path_factory.mktemp("queries")) as s:
        yield s


@pytest.fixture(scope="module")
def admin(site: Site) -> DashboardClient:
    return site.admin()


def _message(resp: requests.Response) -> str:
    if resp.headers["Content-Type"] == "application/json":
        return str(resp.json()["error"])
    found = re.search(r'id="error-message">([^<]*)<', resp.text)
    assert found, resp.text[-500:]
    return found.group(1)


@pytest.mark.parametrize(("query", "says"), [
    ("to=0001-01-03", "2020-01-01"),  # the default start, 6 days before year 1: a 500
    ("from=0001-01-01&to=0001-01-02", "2020-01-01"),
    ("from=9999-12-31&to=9999-12-31", "2020-01-01"),
    ("from=1920-01-01&to=2020-01-01", "2020-01-01"),
    ("from=2020-01-01&to=2120-01-01", "2020-01-01"),
    ("from=2021-01-01&to=2025-01-01", "at most 366 days"),
    ("from=2020-03-07&to=2020-03-01", "the first day is after the last day"),
    ("from=2020-03-01'%20OR%201=1--&to=2020-03-07", "YYYY-MM-DD"),
    ("from=abc", "YYYY-MM-DD"),
    ("from=2020-02-30", "YYYY-MM-DD"),
    ("from=" + "9" * 5000, "YYYY-MM-DD"),
    ("day=0001-01-01", "2020-01-01"),
    ("day=2020-03-01;DROP%20TABLE%20scans", "YYYY-MM-DD"),
])
def test_a_period_that_is_no_period_is_a_400_with_a_clear_message(admin: DashboardClient, query: str,
                                                                   says: str) -> None:
    for path in READ:
        if "day=" in query and "report" in path:
            continue  # the report has no day
        resp = admin.get(f"{path}?{query}")
        assert resp.status_code == 400, (path, resp.status_code)
        message = _message(resp)
        assert says in message and "\n" not in message, (path, message)


def test_the_database_survives_the_sql_in_the_query(site: Site, admin: DashboardClient) -> None:
    admin.get("/dashboard/area/140000?day=2020-03-01;DROP%20TABLE%20scans")
    assert admin.get("/dashboard/api/area/140000").status_code == 200
    assert site.station("GET", "/v1/policy").status_code == 200


@pytest.mark.parametrize("code", ["１４００００", "٠١٢٣٤٥", "14O100", "1401001", "14010", "140100%00",
                                  "140100'--", "..%2F..%2Fetc"])
def test_an_area_code_that_is_not_six_ascii_digits_is_a_404(admin: DashboardClient, code: str) -> None:
    for path in (f"/dashboard/area/{code}", f"/dashboard/api/area/{code}"):
        assert admin.get(path).status_code == 404, path


def test_the_report_of_an_empty_period_is_a_pdf_of_zeros(admin: DashboardClient) -> None:
    resp = admin.get("/dashboard/report.pdf?from=2020-01-01&to=2020-01-31&lang=en")
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF")
    text = pdf_text(resp.content)
    assert "Period: 2020-01-01 to 2020-01-31" in text and "Scans 0;" in text


def test_a_new_action_name_with_every_event_keeps_the_pages_small(site: Site, admin: DashboardClient) -> None:
    """One checkpoint token: 6,000 refusals with 6,000 action names made every province and
    city page grow with each (5 uploads of 20,000: 15 MB of HTML, 41 MB of JSON, 5 s)."""
    now = int(time.time())
    known = [event(f"k-{i}", now, action="turn_back_isolation", allow=False, color="red") for i in range(3)]
    assert site.upload(known).status_code == 200
    for batch in range(3):
        junk = [event(f"j{batch}-{i}", now, action=f"x{batch}-{i}", allow=False) for i in range(2000)]
        assert site.upload(junk).json()["accepted"][-1] == f"j{batch}-1999"
    started = time.monotonic()
    page = admin.get("/dashboard/area/140000")
    api = admin.get("/dashboard/api/area/140000")
    assert page.status_code == 200 and api.status_code == 200 and time.monotonic() - started < 5
    assert len(page.content) < 200_000 and len(api.content) < 100_000
    refusals = {a: row["count"] for a, row in numbers(page.text, "refusals", "action").items()}
    assert refusals == {"turn_back_isolation": 3, "other": 6000}
    assert set(api.json()["actions"]) <= {*ACTIONS, "other"}
    stats = requests.get(f"{site.url}/v1/stats", headers={"Authorization": "Bearer stats-admin-token"},
                         timeout=30).json()
    assert sum(refusals.values()) == sum(stats["by_action"].values()) == 6003  # the totals still agree
