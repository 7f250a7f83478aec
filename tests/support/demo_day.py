"""A demo day of scans at checkpoints across Shanxi, recorded by real checkpoint stores and
uploaded by the real sync client to the reference authority over loopback.

Deterministic (seeded): each checkpoint records `per_checkpoint` events spread over the
day, with green passes, yellow and red codes, invalid codes, fevers, lookups by identity
document (spec 5.1, `"source": "id_lookup"`) and manual records."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from checkpoint_app.authority.platform import Authority
from checkpoint_app.core.codes.signature import PublicKey
from checkpoint_app.core.events import ScanEvent, Station, manual_event, new_event_id
from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.client import sync_once
from checkpoint_app.core.sync.http import Backoff

# (checkpoint id, venue id, venue type): Taiyuan, Datong, Changzhi, Jinzhong, Linfen, and one outside Shanxi.
SITES = (
    ("TY-XD-0001", "140105-mall-0007", "mall"),
    ("TY-XD-0002", "140105-hospital-0001", "hospital"),
    ("TY-YZ-0001", "140106-railway_station-0001", "railway_station"),
    ("DT-PC-0001", "140213-supermarket-0003", "supermarket"),
    ("CZ-LZ-0001", "140403-government-0002", "government"),
    ("JZ-YC-0001", "140702-residential-0010", "residential"),
    ("LF-YD-0001", "141002-bus_station-0001", "bus_station"),
    ("BJ-CY-0001", "110105-office_building-0001", "office_building"),
)
# (weight, color, action, allow, temperature)
OUTCOMES = (
    (70, "green", "pass", True, 36.5), (8, "yellow", "home_isolation", False, 36.6),
    (4, "red", "turn_back_isolation", False, 36.4), (2, "red", "hospital_transfer", False, 36.8),
    (3, None, "invalid_code", False, None), (3, "green", "fever_referral", False, 38.2),
    (2, "green", "wear_mask", False, 36.5),
)
FAST = Backoff(base_s=0.01, cap_s=0.05)


@dataclass(frozen=True)
class DemoSite:
    checkpoint_id: str
    venue_id: str
    venue_type: str
    token: str
    store: Store
    sources: Counter[str]  # the events it recorded and uploaded, by spec 5.1 `source`


def events_for(site: tuple[str, str, str], day_start: int, n: int, rng: random.Random) -> list[ScanEvent]:
    cid, venue, kind = site
    station = Station(cid, venue, kind, "guard-1")
    out: list[ScanEvent] = []
    weights = [o[0] for o in OUTCOMES]
    for _ in range(n):
        ts = day_start + 7 * 3600 + rng.randrange(14 * 3600)
        roll = rng.random()
        if roll < 0.03:
            out.append(manual_event(station, ts, "no_smartphone", temperature_c=36.5, mask=True))
            continue
        _, color, action, allow, temp = rng.choices(OUTCOMES, weights)[0]
        out.append(ScanEvent(new_event_id(), ts, venue, kind, f"{rng.getrandbits(128):032x}", "140000", color, color,
                             (), temp, True, action, allow, None if color else "BAD_SIGNATURE", 1, "guard-1",
                             source="id_lookup" if roll < 0.07 else "code"))
    return out


def run_demo_day(authority: Authority, url: str, keys: list[PublicKey], folder: Path, day_start: int,
                 per_checkpoint: int = 60, seed: int = 13, now: int | None = None,
                 sites: tuple[tuple[str, str, str], ...] = SITES) -> list[DemoSite]:
    """Register the sites, record their events and sync each once (the upload carries them)."""
    rng = random.Random(seed)
    made: list[DemoSite] = []
    for site in sites:
        token = authority.register_checkpoint(site[0])
        store = Store.open(folder / site[0])
        events = events_for(site, day_start, per_checkpoint, rng)
        for event in events:
            store.record_event(event)
        moment = now if now is not None else int(authority.clock())
        report = sync_once(store, url, token, keys, now=lambda m=moment: m, attempts=2, backoff=FAST,
                           deadline_s=20.0, checkpoint_id=site[0])
        assert report.ok and report.pending == 0, report.summary()
        made.append(DemoSite(site[0], site[1], site[2], token, store, Counter(e.source for e in events)))
    return made
