"""The dashboard over real HTTP on loopback: login, every page and API it uses, its numbers
against /v1/stats, the fleet, sessions (wrong password, CSRF, logout, expiry), the
operator pages and the report."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
import requests

from checkpoint_app import __version__
from checkpoint_app.authority.cli import main as authority_main
from checkpoint_app.authority.dashboard.auth import IDLE_S
from checkpoint_app.authority.dashboard.texts import ACTIONS
from checkpoint_app.authority.regions import shanxi
from tests.support.dashboard_client import DashboardClient
from tests.support.dashboard_province import ADMIN, LATE, NEVER, NOT_REFUSED, PASSWORD, Province
from tests.support.html_tables import kpis, numbers, table
from tests.support.pdf import pdf_text
from tests.support.sync_platform import NOW

PAGES = ("/dashboard/area/140000", "/dashboard/area/140100", "/dashboard/area/140105", "/dashboard/fleet",
         "/dashboard/report", "/dashboard/ops")
APIS = ("/dashboard/api/area/140000", "/dashboard/api/area/140100", "/dashboard/api/fleet")


@pytest.fixture
def user(province: Province) -> DashboardClient:
    client = DashboardClient(province.url)
    assert client.login(ADMIN, PASSWORD).status_code == 200
    return client


def _period(province: Province) -> str:
    return f"?from={province.day.isoformat()}&to={province.day.isoformat()}"


def test_every_page_and_api_answers_after_login(user: DashboardClient) -> None:
    for path in PAGES:
        resp = user.get(path)
        assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html"), path
        assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
        assert resp.headers["Cache-Control"] == "no-store" and resp.headers["X-Frame-Options"] == "DENY"
    for path in APIS:
        resp = user.get(path)
        assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/json", path
    js = user.get("/dashboard/static/echarts.common.min.js")
    assert js.status_code == 200 and b"echarts" in js.content[:2000]
    pdf = user.get("/dashboard/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_province_page_numbers_equal_v1_stats(province: Province, user: DashboardClient) -> None:
    stats = province.stats()
    html = user.get(f"/dashboard/area/140000{_period(province)}").text
    k = kpis(html)
    assert k["scans"] == stats["total"] > 400
    for color in ("green", "yellow", "red", "none"):
        assert k[color] == stats["by_color"].get(color, 0), color
    assert k["fevers"] == stats["by_fever"]["true"] > 0
    refused = {a: n for a, n in stats["by_action"].items() if a not in NOT_REFUSED}
    assert k["refused"] == sum(refused.values())
    assert {a: row["count"] for a, row in numbers(html, "refusals", "action").items()} == refused
    assert {d: row["scans"] for d, row in numbers(html, "per-day", "day").items() if row["scans"]} == stats["by_day"]
    per_city: Counter[str] = Counter()
    for region, n in stats["by_region"].items():
        per_city[shanxi().city_of(region)] += n
    ranked = numbers(html, "ranked", "code")
    assert {c: row["scans"] for c, row in ranked.items() if row["scans"]} == dict(per_city)
    assert next(iter(ranked)) == "140100"  # Taiyuan has the most scans: ranked first
    assert len([c for c in ranked if c != "other"]) == 11  # every city is listed, idle ones too
    cities = [row for c, row in ranked.items() if c != "other"]
    assert [r["rank"] for r in cities] == [1 + sum(o["scans"] > r["scans"] for o in cities) for r in cities]
    assert "rank" not in ranked["other"]  # outside the ranking
    hours = numbers(html, "per-hour", "hour")
    assert sum(row["scans"] for row in hours.values()) == stats["total"]


def test_city_page_lists_counties_and_api_agrees(province: Province, user: DashboardClient) -> None:
    stats = province.stats()
    html = user.get(f"/dashboard/area/140100{_period(province)}").text
    counties = numbers(html, "ranked", "code")
    taiyuan = {r: n for r, n in stats["by_region"].items() if r.startswith("1401")}
    assert {c: row["scans"] for c, row in counties.items() if row["scans"]} == taiyuan
    assert len(counties) == 10 and kpis(html)["scans"] == sum(taiyuan.values())
    api = user.get(f"/dashboard/api/area/140000{_period(province)}").json()
    assert api["total"]["scans"] == stats["total"]
    assert api["total"]["color"] == stats["by_color"] and api["total"]["fever"] == stats["by_fever"]
    assert sum(h["scans"] for h in api["hours"]) == stats["total"] and len(api["hours"]) == 24
    assert set(api["actions"]) <= set(ACTIONS)


def test_lookups_and_manual_records_are_exactly_those_uploaded_per_city(province: Province,
                                                                       user: DashboardClient) -> None:
    """The demo day knows what it recorded: every city's no-phone lookups, manual records and
    code scans on the API, in the page's ranked table and its KPIs, and /v1/stats by source."""
    made = province.sources_per_city()
    everything = sum(made.values(), Counter[str]())
    assert everything["id_lookup"] > 5 and everything["manual"] > 5 and len(made) >= 5
    assert province.stats()["by_source"] == dict(everything)
    api = user.get(f"/dashboard/api/area/140000{_period(province)}").json()
    assert api["total"]["origin"] == dict(everything)
    cities = {c["code"]: c.get("origin", {}) for c in api["children"]}
    assert {code: origin for code, origin in cities.items() if origin} == {c: dict(n) for c, n in made.items()}
    html = user.get(f"/dashboard/area/140000{_period(province)}").text
    ranked = numbers(html, "ranked", "code")
    for code, row in ranked.items():
        assert (row["id_lookups"], row["manual"]) == (made.get(code, Counter())["id_lookup"],
                                                     made.get(code, Counter())["manual"]), code
    assert (kpis(html)["id_lookups"], kpis(html)["manual"]) == (everything["id_lookup"], everything["manual"])
    county = numbers(user.get(f"/dashboard/area/140100{_period(province)}").text, "ranked", "code")
    assert sum(r["id_lookups"] for r in county.values()) == made["140100"]["id_lookup"]
    assert sum(r["manual"] for r in county.values()) == made["140100"]["manual"]


def test_fleet_lists_every_checkpoint_with_its_health(province: Province, user: DashboardClient) -> None:
    html = user.get("/dashboard/fleet").text
    rows = table(html, "fleet", "checkpoint")
    assert set(rows) == {s.checkpoint_id for s in province.sites} | {NEVER[0]}
    flagged = {cid for cid, cols in rows.items() if cols["#0"].startswith("●")}
    assert flagged == {LATE[0], NEVER[0]}
    first = rows["TY-XD-0001"]
    assert first["#7"] == __version__ and first["#2"] == "140105-mall-0007" and first["#9"] == "0"
    assert first["#1"] == "太原市" and first["#3"] == "商场"
    assert first["#8"] == "+0 s"  # the checkpoint's clock equals the authority's here
    cities = numbers(html, "fleet-cities", "city")
    assert cities["141000"] == {"checkpoints": 2, "offline": 1, "never_seen": 0}
    assert cities["140300"] == {"checkpoints": 1, "offline": 1, "never_seen": 1}
    assert cities["140100"]["offline"] == 0
    assert user.get("/dashboard/api/fleet").json()["cities"]["141000"]["offline"] == 1
    only = table(user.get("/dashboard/fleet?offline=1").text, "fleet", "checkpoint")
    assert set(only) == {LATE[0], NEVER[0]}


def test_pages_need_a_session(province: Province) -> None:
    anon = requests.Session()
    page = anon.get(f"{province.url}/dashboard/area/140000", timeout=10)
    assert page.url.startswith(f"{province.url}/dashboard/login") and "next=" in page.url
    assert anon.get(f"{province.url}/dashboard/api/area/140000", timeout=10).status_code == 401
    assert anon.get(f"{province.url}/dashboard/report.pdf", timeout=10, allow_redirects=False).status_code == 302
    assert anon.post(f"{province.url}/dashboard/ops/revoke", data={"checkpoint_id": "TY-XD-0001"},
                     timeout=10).status_code == 401


def test_wrong_password_is_refused_without_a_session(province: Province) -> None:
    client = DashboardClient(province.url)
    resp = client.login(ADMIN, "not the password")
    assert resp.status_code == 401 and 'id="login-error"' in resp.text
    assert "cp_dash_session" not in client.http.cookies
    assert client.login("nobody", PASSWORD).status_code == 401
    assert client.get("/dashboard/api/fleet").status_code == 401


def test_login_without_its_csrf_cookie_is_refused(province: Province) -> None:
    resp = requests.post(f"{province.url}/dashboard/login", timeout=10,
                         data={"csrf": "forged", "username": ADMIN, "password": PASSWORD})
    assert resp.status_code == 401 and "cp_dash_session" not in resp.cookies


def test_a_post_without_the_sessions_csrf_token_is_refused(province: Province, user: DashboardClient) -> None:
    for token in ("", "wrong-token"):
        resp = user.post("/dashboard/ops/revoke", csrf=token, data={"checkpoint_id": "TY-XD-0002"})
        assert resp.status_code == 403
    assert user.post("/dashboard/logout", csrf="wrong").status_code == 403
    token = province.sites[1].token
    ok = requests.get(f"{province.url}/v1/policy", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert ok.status_code == 200  # not revoked


def test_cookies_are_httponly_and_samesite_strict(province: Province) -> None:
    client = DashboardClient(province.url)
    resp = client.login(ADMIN, PASSWORD)
    set_cookie = resp.history[0].headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie and "Path=/dashboard" in set_cookie


def test_logout_ends_the_session_on_the_server(province: Province, user: DashboardClient) -> None:
    sid = user.http.cookies["cp_dash_session"]
    assert user.post("/dashboard/logout").url.endswith("/dashboard/login")
    replay = requests.get(f"{province.url}/dashboard/api/fleet", cookies={"cp_dash_session": sid}, timeout=10)
    assert replay.status_code == 401


def test_an_idle_session_expires(province: Province, user: DashboardClient) -> None:
    assert user.get("/dashboard/api/fleet").status_code == 200
    with province.clock.shifted(IDLE_S + 60):
        assert user.get("/dashboard/api/fleet").status_code == 401
        page = user.get("/dashboard/fleet")
        assert "/dashboard/login" in page.url and "ended=1" in page.url
    assert user.get("/dashboard/api/fleet").status_code == 401  # gone for good, not only while idle


def test_login_redirects_only_inside_the_dashboard(province: Province) -> None:
    client = DashboardClient(province.url)
    for target in ("//evil.example/x", "https://evil.example/", "/v1/stats"):
        resp = client.login(ADMIN, PASSWORD, next_path=target)
        assert resp.url == f"{province.url}/dashboard/area/140000", target
    assert client.login(ADMIN, PASSWORD, next_path="/dashboard/fleet").url.endswith("/dashboard/fleet")


def test_english_pages(user: DashboardClient) -> None:
    html = user.get("/dashboard/area/140000?lang=en").text
    assert "Taiyuan" in html and "Scans" in html and 'lang="en"' in html
    assert 'lang="en"' in user.get("/dashboard/fleet").text  # remembered in a cookie
    assert 'lang="zh-CN"' in user.get("/dashboard/fleet?lang=zh").text


def test_bad_period_is_a_clear_400(user: DashboardClient) -> None:
    for query in ("?from=2020-13-01", "?from=2026-02-01&to=2026-01-01", "?from=2020-01-01&to=2026-01-01"):
        resp = user.get(f"/dashboard/api/area/140000{query}")
        assert resp.status_code == 400 and resp.json()["error"], query
    assert user.get("/dashboard/area/14010x").status_code == 404


def test_register_checkpoints_from_csv_gives_a_token_sheet(province: Province, user: DashboardClient) -> None:
    body = ("checkpoint_id,venue_id,venue_type\nJC-CQ-0001,140502-hospital-0001,hospital\n"
            "JC-CQ-0002,140502-mall-0002,mall\n")
    resp = user.post("/dashboard/ops/register", files={"file": ("new.csv", body, "text/csv")})
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    sheet = {r["checkpoint_id"]: r for r in csv.DictReader(io.StringIO(resp.text))}
    token = sheet["JC-CQ-0001"]["token"]
    assert token.startswith("JC-CQ-0001.")
    assert requests.get(f"{province.url}/v1/policy", headers={"Authorization": f"Bearer {token}"},
                        timeout=10).status_code == 200
    again = user.post("/dashboard/ops/register", files={"file": ("new.csv", body, "text/csv")})
    assert [r["token"] for r in csv.DictReader(io.StringIO(again.text))] == ["", ""]  # tokens unchanged
    fleet = table(user.get("/dashboard/fleet?city=140500").text, "fleet", "checkpoint")
    assert set(fleet) == {"JC-CQ-0001", "JC-CQ-0002"}


def test_a_bad_csv_registers_nothing(province: Province, user: DashboardClient) -> None:
    body = "checkpoint_id,venue_id\nSZ-1,140602-mall-1\nSZ.2,140602-mall-2\n"
    resp = user.post("/dashboard/ops/register", files={"file": ("bad.csv", body, "text/csv")})
    assert resp.status_code == 400 and "line 3" in resp.text
    assert "SZ-1" not in table(user.get("/dashboard/fleet").text, "fleet", "checkpoint")
    assert user.post("/dashboard/ops/register", files={"file": ("x.csv", b"\xff\xfe\x00", "text/csv")}
                     ).status_code == 400


def test_import_statuses_from_csv(province: Province, user: DashboardClient) -> None:
    hid = "ab" * 16
    body = f"hid,color,reasons,effective_at\n{hid},red,103,{NOW - 60}\n{'cd' * 16},yellow,201;202,\n"
    resp = user.post("/dashboard/ops/statuses", files={"file": ("s.csv", body, "text/csv")})
    assert resp.status_code == 200 and 'id="ops-message"' in resp.text
    with province.authority.engine.connect() as conn:
        held = conn.exec_driver_sql("SELECT color, reasons FROM status_log WHERE hid = ?", (bytes.fromhex(hid),)).all()
    assert held == [(2, "103")]
    bad = user.post("/dashboard/ops/statuses", files={"file": ("s.csv", "id_number,color\n140105199001010916,red\n",
                                                                 "text/csv")})
    assert bad.status_code == 400 and "hid key" in bad.text  # no key configured: refused, nothing imported


def test_revoke_a_checkpoint_from_the_page_and_the_cli(province: Province, user: DashboardClient) -> None:
    site = next(s for s in province.sites if s.checkpoint_id == "BJ-CY-0001")
    resp = user.post("/dashboard/ops/revoke", data={"checkpoint_id": site.checkpoint_id})
    assert resp.status_code == 200 and site.checkpoint_id in resp.text
    refused = requests.get(f"{province.url}/v1/policy", headers={"Authorization": f"Bearer {site.token}"}, timeout=10)
    assert refused.status_code == 401
    assert site.checkpoint_id not in table(user.get("/dashboard/fleet").text, "fleet", "checkpoint")
    assert user.post("/dashboard/ops/revoke", data={"checkpoint_id": "NO-SUCH"}).status_code == 404


def test_revoke_checkpoint_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "a.sqlite3"
    assert authority_main(["register-checkpoint", "--db", str(db), "CLI-1"]) == 0
    assert authority_main(["revoke-checkpoint", "--db", str(db), "CLI-1"]) == 0
    assert authority_main(["revoke-checkpoint", "--db", str(db), "CLI-1"]) == 2
    assert "not registered" in capsys.readouterr().err


def test_report_pdf_figures_equal_the_stats(province: Province, user: DashboardClient, tmp_path: Path) -> None:
    stats = province.stats()
    text = pdf_text(user.get(f"/dashboard/report.pdf{_period(province)}").content)
    assert "山西省健康码使用情况通报" in text
    assert f"核验人次 {stats['total']:,}" in text
    assert f"红码 {stats['by_color']['red']}" in text and f"体温异常 {stats['by_fever']['true']}" in text
    taiyuan = sum(n for r, n in stats["by_region"].items() if r.startswith("1401"))
    row = next(line for line in text.splitlines() if "太原市" in line and line.split()[0] == "1")
    assert row.split()[2] == f"{taiyuan:,}"
    assert LATE[0] in text and NEVER[0] in text  # the offline checkpoints are listed


def test_report_command_writes_the_pdf(province: Province, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.pdf"
    db = str(province.authority.engine.url)
    day = province.day.isoformat()
    assert authority_main(["report", "--db", db, "--from", day, "--to", day, "--out", str(out), "--lang", "en"]) == 0
    text = pdf_text(out.read_bytes())
    assert "Shanxi health-code usage report" in text and f"Scans {province.stats()['total']:,}" in text
    assert authority_main(["report", "--db", db, "--from", "2026-02-30", "--to", day, "--out", str(out)]) == 2
    assert "error" in capsys.readouterr().err


def test_admin_account_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "a.sqlite3")
    pw = tmp_path / "pw.txt"
    pw.write_text("a long enough password\n", encoding="utf-8")
    assert authority_main(["add-admin", "--db", db, "clerk", "--password-file", str(pw)]) == 0
    assert authority_main(["list-admins", "--db", db]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "clerk"
    pw.write_text("short\n", encoding="utf-8")
    assert authority_main(["add-admin", "--db", db, "clerk2", "--password-file", str(pw)]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: no prompt, one clear line
    assert authority_main(["add-admin", "--db", db, "clerk3"]) == 2
    assert "--password-file" in capsys.readouterr().err
    assert authority_main(["remove-admin", "--db", db, "clerk"]) == 0
    assert authority_main(["remove-admin", "--db", db, "clerk"]) == 2


def test_csv_uploads_are_bounded_like_every_body(province: Province, user: DashboardClient) -> None:
    junk = b"not,a,header\n" + b"x" * (7 * 2**20)
    resp = user.post("/dashboard/ops/register", files={"file": ("junk.csv", junk, "text/csv")})
    assert resp.status_code == 400 and "line 1" in resp.text
    huge = b"checkpoint_id\n" + b"x" * (9 * 2**20)  # over the server's 8 MB body limit
    assert user.post("/dashboard/ops/register", files={"file": ("huge.csv", huge, "text/csv")}).status_code == 413
    assert "SZ-1" not in table(user.get("/dashboard/fleet").text, "fleet", "checkpoint")
