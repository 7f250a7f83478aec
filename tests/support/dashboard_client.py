"""A logged-in dashboard user over real HTTP: the login form with its CSRF token, the
session cookie, and the CSRF token of the session for POSTs."""

from __future__ import annotations

import re
from typing import Any

import requests

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def form_csrf(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


class DashboardClient:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.http = requests.Session()

    def login(self, username: str, password: str, next_path: str = "") -> requests.Response:
        page = self.http.get(f"{self.url}/dashboard/login", timeout=10)
        return self.http.post(f"{self.url}/dashboard/login", timeout=10, data={
            "csrf": form_csrf(page.text), "username": username, "password": password, "next": next_path})

    def get(self, path: str, **kw: Any) -> requests.Response:
        kw.setdefault("timeout", 30)
        return self.http.get(self.url + path, **kw)

    def csrf(self) -> str:
        return form_csrf(self.get("/dashboard/ops").text)

    def post(self, path: str, csrf: str | None = None, **kw: Any) -> requests.Response:
        data = dict(kw.pop("data", {}))
        data["csrf"] = self.csrf() if csrf is None else csrf
        return self.http.post(self.url + path, data=data, timeout=60, **kw)
