"""A small province for the hostile dashboard tests: the reference authority on loopback
(a real SQLite file, the real Flask app under waitress), its documents published, one admin
account and one registered checkpoint whose token plays the attacker or the unlucky
station. Cheaper than the demo day of tests/e2e: no scans until a test uploads them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from flask import Flask

from checkpoint_app.authority.dashboard import auth
from checkpoint_app.authority.fleet import FleetMonitor
from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.server import ServerHandle, start_in_thread
from checkpoint_app.demo.authority import seed
from tests.support.clocks import ShiftedClock
from tests.support.dashboard_client import DashboardClient
from tests.support.signed_docs import DIST_KEY

ADMIN, PASSWORD = "office-admin", "correct horse battery staple"
STATION = "TY-XD-0001"


@dataclass
class Site:
    authority: Authority
    handle: ServerHandle
    app: Flask
    token: str
    db: Path

    @property
    def url(self) -> str:
        return self.handle.url

    @property
    def fleet(self) -> FleetMonitor:
        monitor: FleetMonitor = self.app.extensions["fleet"]
        return monitor

    def admin(self) -> DashboardClient:
        client = DashboardClient(self.url)
        assert client.login(ADMIN, PASSWORD).status_code == 200
        return client

    def station(self, method: str, path: str, token: str | None = None, **kw: Any) -> requests.Response:
        """A request of the checkpoint, with its bearer token."""
        headers = {"Authorization": f"Bearer {token or self.token}", **kw.pop("headers", {})}
        return requests.request(method, self.url + path, headers=headers, timeout=60, **kw)

    def upload(self, events: list[dict[str, Any]], checkpoint_id: str = STATION, token: str | None = None,
               headers: dict[str, str] | None = None) -> requests.Response:
        body = json.dumps({"checkpoint_id": checkpoint_id, "events": events})
        return self.station("POST", "/v1/scans", token, data=body,
                            headers={"Content-Type": "application/json", **(headers or {})})


def event(event_id: str, ts: int, **fields: Any) -> dict[str, Any]:
    return {"event_id": event_id, "ts": ts, "action": "pass", "allow": True, "color": "green",
            "venue_id": "140105-mall-0007", "venue_type": "mall", **fields}


@contextmanager
def running_site(folder: Path, clock: ShiftedClock | None = None) -> Iterator[Site]:
    db = folder / "authority.sqlite3"
    authority = Authority.open(f"sqlite:///{db}", load_private_key(DIST_KEY), admin_token="stats-admin-token",
                               clock=clock or ShiftedClock())
    now = int(authority.clock())
    seed(authority, now)
    token = authority.register_checkpoint(STATION)
    auth.set_account(authority.engine, ADMIN, PASSWORD, now)
    with start_in_thread(authority) as handle:
        assert handle.app is not None
        yield Site(authority, handle, handle.app, token, db)
