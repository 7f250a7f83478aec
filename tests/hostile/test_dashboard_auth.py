"""A checkpoint's token holder and a cross-site attacker against the dashboard's sessions:
the token reaches no admin page or data, every state change needs the session's CSRF
token in a POST, login issues a new session id and cookies carry their flags, logout
ends the session on the server, `next` never leaves the dashboard (nor breaks the
login), the login throttle's memory is bounded, and a revoked token is refused at once."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from checkpoint_app.authority.cli import main as authority_main
from checkpoint_app.authority.dashboard.web import Dashboard
from tests.support.dashboard_client import DashboardClient, form_csrf
from tests.support.hostile_dashboard import ADMIN, PASSWORD, STATION, Site, running_site

ADMIN_PAGES = ("/dashboard/", "/dashboard/area/140000", "/dashboard/fleet", "/dashboard/report",
               "/dashboard/report.pdf", "/dashboard/ops", "/dashboard/api/area/140000", "/dashboard/api/fleet")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with running_site(tmp_path_factory.mktemp("auth")) as s:
        yield s


def _revoked(site: Site, token: str) -> bool:
    return site.station("GET", "/v1/policy", token).status_code == 401


def test_a_checkpoint_token_reaches_no_admin_page_nor_the_statistics(site: Site) -> None:
    for path in ADMIN_PAGES:
        resp = site.station("GET", path, allow_redirects=False)
        assert resp.status_code in (302, 401), path
        assert resp.status_code == 401 or resp.headers["Location"].startswith("/dashboard/login"), path
    assert site.station("GET", "/v1/stats").status_code == 401
    for path in ("/dashboard/ops/revoke", "/dashboard/ops/register", "/dashboard/logout"):
        assert site.station("POST", path, data={"checkpoint_id": STATION}).status_code == 401, path
    assert not _revoked(site, site.token)


def test_every_state_change_needs_this_sessions_csrf_token_in_a_post(site: Site) -> None:
    target = site.authority.register_checkpoint("CSRF-0001")
    victim, other = site.admin(), site.admin()
    tries = [("", {}), ("forged", {}), (other.csrf(), {}), (None, {"X-CSRF-Token": ""})]
    for csrf, headers in tries:
        data = {"checkpoint_id": "CSRF-0001"} if csrf is None else {"checkpoint_id": "CSRF-0001", "csrf": csrf}
        resp = victim.http.post(f"{site.url}/dashboard/ops/revoke", data=data, headers=headers, timeout=10)
        assert resp.status_code == 403, csrf
    assert victim.get("/dashboard/ops/revoke?checkpoint_id=CSRF-0001").status_code == 405  # no GET with effects
    assert victim.get("/dashboard/logout").status_code == 405
    assert not _revoked(site, target)
    assert victim.post("/dashboard/ops/revoke", data={"checkpoint_id": "CSRF-0001"}).status_code == 200
    assert _revoked(site, target)


def test_login_needs_its_own_form_and_issues_a_new_session_with_its_flags(site: Site) -> None:
    page = requests.get(f"{site.url}/dashboard/login", timeout=10)
    bare = requests.post(f"{site.url}/dashboard/login", allow_redirects=False, timeout=10,
                         data={"csrf": form_csrf(page.text), "username": ADMIN, "password": PASSWORD})
    assert bare.status_code == 401 and "cp_dash_session" not in bare.headers.get("Set-Cookie", "")
    s = requests.Session()
    s.cookies.set("cp_dash_session", "chosen-by-the-attacker", path="/dashboard")
    page = s.get(f"{site.url}/dashboard/login", timeout=10)
    resp = s.post(f"{site.url}/dashboard/login", allow_redirects=False, timeout=10,
                  data={"csrf": form_csrf(page.text), "username": ADMIN, "password": PASSWORD})
    assert resp.status_code == 303
    cookie = resp.headers["Set-Cookie"]
    assert "cp_dash_session=" in cookie and "chosen-by-the-attacker" not in cookie
    assert all(flag in cookie for flag in ("HttpOnly", "SameSite=Strict", "Path=/dashboard"))
    assert requests.get(f"{site.url}/dashboard/api/fleet", cookies={"cp_dash_session": "chosen-by-the-attacker"},
                        timeout=10).status_code == 401


def test_logout_ends_the_session_on_the_server(site: Site) -> None:
    user = site.admin()
    sid = user.http.cookies.get("cp_dash_session")
    assert user.post("/dashboard/logout").status_code == 200  # followed to the login page
    assert requests.get(f"{site.url}/dashboard/api/fleet", cookies={"cp_dash_session": sid},
                        timeout=10).status_code == 401


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "\\\\evil.example",
                                    "/\\evil.example", "javascript:alert(1)", "/dashboard/\r\nSet-Cookie: x=1",
                                    "/dashboard/\nLocation: //evil.example", "/dashboard/\t//evil.example",
                                    "/dashboard//evil.example", "/dashboard/../v1/stats"])
def test_next_never_leaves_the_dashboard_nor_breaks_the_login(site: Site, target: str) -> None:
    client = DashboardClient(site.url)
    page = client.http.get(f"{site.url}/dashboard/login", timeout=10)
    resp = client.http.post(f"{site.url}/dashboard/login", allow_redirects=False, timeout=10, data={
        "csrf": form_csrf(page.text), "username": ADMIN, "password": PASSWORD, "next": target})
    assert resp.status_code == 303, resp.status_code
    assert resp.headers["Location"] == "/dashboard/"
    assert "x=1" not in resp.headers.get("Set-Cookie", "")


def test_a_next_within_the_dashboard_is_followed(site: Site) -> None:
    client = DashboardClient(site.url)
    resp = client.login(ADMIN, PASSWORD, next_path="/dashboard/fleet?city=140100&offline=1")
    assert resp.url.endswith("/dashboard/fleet?city=140100&offline=1")


def test_the_login_throttle_forgets_what_it_need_not_remember(site: Site) -> None:
    """Every user name tried was kept for good, a failure or not: memory grew with each
    request of a guesser who varies the name."""
    throttle = site.app.extensions["dashboard"].throttle
    assert isinstance(site.app.extensions["dashboard"], Dashboard)
    client = DashboardClient(site.url)
    page = client.http.get(f"{site.url}/dashboard/login", timeout=10)
    for i in range(60):
        page = client.http.post(f"{site.url}/dashboard/login", timeout=10, data={
            "csrf": form_csrf(page.text), "username": f"guess-{i}", "password": "wrong password"})
        assert page.status_code == 401
    assert "try again in 10 minutes" in page.text or "10分钟" in page.text  # the address is locked out
    assert len(throttle._failures) <= 12  # the ten failures counted, not every name tried since
    throttle._failures.clear()
    throttle.max_keys = 20
    for i in range(40):
        throttle.failed(f"user:n{i}")
    assert len(throttle._failures) <= 20
    throttle.max_keys = type(throttle)().max_keys
    throttle._failures.clear()


def test_a_token_revoked_on_the_page_is_refused_at_once_everywhere(site: Site) -> None:
    token = site.authority.register_checkpoint("REV-0001")
    assert not _revoked(site, token)
    assert site.admin().post("/dashboard/ops/revoke", data={"checkpoint_id": "REV-0001"}).status_code == 200
    assert site.station("GET", "/v1/status?since=0", token).status_code == 401
    assert site.upload([], "REV-0001", token).status_code == 401
    assert site.station("POST", "/v1/lookup", token, json={}).status_code == 401
    new = site.authority.register_checkpoint("REV-0001")
    assert not _revoked(site, new) and _revoked(site, token)


def test_a_token_revoked_by_the_command_is_refused_within_a_second(site: Site) -> None:
    token = site.authority.register_checkpoint("REV-0002")
    assert not _revoked(site, token)
    # Another writer of the database (here the command in this process, with its own engine),
    # as on a server where the operator runs it beside `serve`.
    assert authority_main(["revoke-checkpoint", "--db", str(site.db), "REV-0002"]) == 0
    deadline = time.monotonic() + 1.5
    while not _revoked(site, token):
        assert time.monotonic() < deadline, "the revoked token still works"
        time.sleep(0.1)
