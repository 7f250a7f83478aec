"""A province for the dashboard tests: the reference authority on loopback after a demo day
of scans uploaded by real checkpoint stores, one checkpoint last seen two hours ago, one
registered and never seen, and an admin account."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from checkpoint_app.authority import bulk
from checkpoint_app.authority.dashboard import auth
from checkpoint_app.authority.dashboard.queries import day_start, today
from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.regions import OTHER
from checkpoint_app.authority.server import ServerHandle, start_in_thread
from checkpoint_app.demo.authority import seed
from checkpoint_app.demo.people import demo_keys_dir
from tests.support.clocks import FakeClock
from tests.support.demo_day import DemoSite, run_demo_day

ADMIN, PASSWORD = "office-admin", "correct horse battery staple"
ADMIN_TOKEN = "stats-admin-token"
LATE = ("LF-YD-0009", "141002-hotel-0004", "hotel")  # synced two hours before now
NEVER = ("YQ-CQ-0001", "140302-park-0001", "park")  # registered two hours ago, never seen
NOT_REFUSED = ("pass", "manual_entry")  # the actions that let a person in


@dataclass
class Province:
    authority: Authority
    handle: ServerHandle
    clock: FakeClock
    sites: list[DemoSite]
    day: dt.date

    @property
    def url(self) -> str:
        return self.handle.url

    def sources_per_city(self) -> dict[str, Counter[str]]:
        """What the demo day uploaded per city and spec 5.1 `source` (code, id_lookup, manual),
        as the test made it: the city of a Shanxi venue is its id's first 4 digits and 00,
        anything else is the dashboard's "other"."""
        out: dict[str, Counter[str]] = defaultdict(Counter)
        for site in self.sites:
            city = f"{site.venue_id[:4]}00" if site.venue_id.startswith("14") else OTHER
            out[city].update(site.sources)
        return dict(out)

    def stats(self) -> dict[str, Any]:
        resp = requests.get(f"{self.url}/v1/stats", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10)
        resp.raise_for_status()
        result: dict[str, Any] = resp.json()
        return result


def start_province(folder: Path, now: int, db_url: str | None = None) -> Province:
    key = load_private_key(demo_keys_dir() / "distribution.pem")
    clock = FakeClock(now)
    authority = Authority.open(db_url or f"sqlite:///{folder / 'authority.sqlite3'}", key, clock=clock,
                               admin_token=ADMIN_TOKEN)
    # Seeded before the clock is shifted back below: a status page may not hold entries dated
    # after its own signed time (spec 4.3), and the late checkpoint syncs two hours ago.
    seed(authority, now - 7200)
    handle = start_in_thread(authority)
    day = today(now) - dt.timedelta(days=1)
    keys = [key.public_key()]
    sites = run_demo_day(authority, handle.url, keys, folder, day_start(day))
    with clock.shifted(-7200):
        bulk.register_checkpoints(authority, [bulk.CheckpointSpec(*NEVER)])
        late = run_demo_day(authority, handle.url, keys, folder, day_start(day), per_checkpoint=10, seed=7,
                            sites=(LATE,))
    auth.set_account(authority.engine, ADMIN, PASSWORD, now)
    return Province(authority, handle, clock, sites + late, day)
