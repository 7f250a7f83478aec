"""Dashboard pages at province scale: 30 days x 10,000 checkpoints x 100 scans a day.

    .venv/bin/python bench/dashboard_bench.py --db sqlite
    .venv/bin/python bench/dashboard_bench.py --db postgres

Generates, straight into the database, what ingest would have left after 30 M events:
the registered checkpoints with their health (3 % not seen for hours), and the hourly and
daily scan counts (rollup.py's tables) of events spread over the counties of Shanxi, the
hours of the day and the outcomes of the default policy (numpy multinomials, seeded; the
totals are exact: days x checkpoints x scans a day). The dashboard never reads the events
themselves, so they are not generated. Then it starts the real server on loopback, logs in
and times every page and API the dashboard uses (and the report PDF), 5 times each.
Run by hand, not in CI."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import requests
from sqlalchemy import Engine, insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checkpoint_app.authority.dashboard import auth  # noqa: E402
from checkpoint_app.authority.dashboard.queries import day_start, today  # noqa: E402
from checkpoint_app.authority.db import checkpoint_health, checkpoints, scan_counts_day, scan_counts_hour  # noqa: E402
from checkpoint_app.authority.platform import Authority  # noqa: E402
from checkpoint_app.authority.regions import shanxi  # noqa: E402
from checkpoint_app.authority.server import start_in_thread  # noqa: E402

# outcome: weight, and its facets (color, action, fever, refused action or None, origin)
OUTCOMES = (
    (780, "green", "pass", "false", None, "code"), (20, "green", "pass", "false", None, "id_lookup"),
    (60, "yellow", "home_isolation", "false", "home_isolation", "code"),
    (25, "red", "turn_back_isolation", "false", "turn_back_isolation", "code"),
    (10, "red", "hospital_transfer", "false", "hospital_transfer", "code"),
    (30, "none", "invalid_code", "unknown", "invalid_code", "code"),
    (20, "green", "fever_referral", "true", "fever_referral", "code"),
    (15, "green", "wear_mask", "false", "wear_mask", "code"),
    (40, "none", "manual_entry", "false", None, "manual"),
)
HOUR_WEIGHTS = np.array([1, 1, 1, 1, 1, 2, 8, 30, 60, 55, 45, 40, 50, 45, 40, 40, 45, 60, 55, 35, 20, 10, 4, 2], float)
PAGES = ("/dashboard/area/140000", "/dashboard/area/140100", "/dashboard/area/140105", "/dashboard/fleet",
         "/dashboard/fleet?city=140100&offline=1", "/dashboard/ops", "/dashboard/report")
APIS = ("/dashboard/api/area/140000", "/dashboard/api/area/140100", "/dashboard/api/fleet")


def _facets(o: tuple[object, ...]) -> list[tuple[str, str]]:
    _, color, action, fever, refused, origin = o
    out = [("all", ""), ("color", str(color)), ("action", str(action)), ("fever", str(fever)),
           ("origin", str(origin))]
    return out + ([("refused", str(refused))] if refused else [])


def _checkpoints(engine: Engine, n: int, now: int, rng: np.random.Generator) -> np.ndarray:
    counties = [d.code for c in shanxi().cities() for d in shanxi().counties(c.code)]
    weights = rng.uniform(0.3, 3.0, len(counties))
    where = rng.choice(len(counties), size=n, p=weights / weights.sum())
    seen = now - rng.integers(0, 300, n)
    late = rng.random(n) < 0.03
    seen[late] -= rng.integers(3700, 86400 * 3, late.sum())
    cps = [{"checkpoint_id": f"CP-{i:06d}", "token_sha256": f"{i:064x}", "created_at": now - 40 * 86400}
           for i in range(n)]
    health = [{"checkpoint_id": f"CP-{i:06d}", "venue_id": f"{counties[where[i]]}-mall-{i:04d}", "venue_type": "mall",
               "region": counties[where[i]], "version": "0.1.0", "clock_offset": int(rng.integers(-3, 4)),
               "waiting": 0, "last_seen": int(seen[i]), "last_sync": int(seen[i]), "last_upload": int(seen[i])}
              for i in range(n)]
    with engine.begin() as conn:
        conn.execute(insert(checkpoints), cps)
        conn.execute(insert(checkpoint_health), health)
    per_county = np.bincount(where, minlength=len(counties))
    return np.array([(counties[i], per_county[i]) for i in range(len(counties)) if per_county[i]], dtype=object)


def _counts(engine: Engine, sites: np.ndarray, days: list[dt.date], per_day: int, rng: np.random.Generator) -> int:
    weights = np.array([o[0] for o in OUTCOMES], float)
    facets = [_facets(o) for o in OUTCOMES]
    total = 0
    for day in days:
        start, name = day_start(day), day.isoformat()
        hour_rows, day_rows = [], []
        for region, n_sites in sites:
            events = int(n_sites) * per_day
            total += events
            day_acc: dict[tuple[str, str], int] = {}
            for hour, in_hour in enumerate(rng.multinomial(events, HOUR_WEIGHTS / HOUR_WEIGHTS.sum())):
                acc: dict[tuple[str, str], int] = {}
                for k, n in enumerate(rng.multinomial(in_hour, weights / weights.sum())):
                    for f in facets[k] if n else ():
                        acc[f] = acc.get(f, 0) + int(n)
                hour_rows += [{"hour": start + hour * 3600, "region": region, "facet": f, "value": v, "n": n}
                              for (f, v), n in acc.items()]
                for key, n in acc.items():
                    day_acc[key] = day_acc.get(key, 0) + n
            day_rows += [{"day": name, "region": region, "facet": f, "value": v, "n": n}
                         for (f, v), n in day_acc.items()]
        with engine.begin() as conn:
            conn.execute(insert(scan_counts_hour), hour_rows)
            conn.execute(insert(scan_counts_day), day_rows)
    return total


@contextmanager
def _database(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'bench.sqlite3'}"
        return
    import pgserver

    tmp.chmod(0o755)  # run as root, PostgreSQL runs as the user 'pgserver' and must reach its folder
    server = pgserver.get_server(tmp / "pg", cleanup_mode="stop")
    try:
        yield server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        server.cleanup()


def _login(url: str) -> requests.Session:
    s = requests.Session()
    page = s.get(f"{url}/dashboard/login", timeout=30)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    s.post(f"{url}/dashboard/login", timeout=30,
           data={"csrf": csrf.group(1), "username": "bench", "password": "bench password 1"}).raise_for_status()
    return s


def _time(s: requests.Session, url: str, rounds: int) -> tuple[float, float, int]:
    took = []
    for _ in range(rounds):
        t = time.perf_counter()
        resp = s.get(url, timeout=120)
        took.append(time.perf_counter() - t)
        resp.raise_for_status()
    return statistics.median(took), max(took), len(resp.content)


def run(kind: str, days: int, n: int, per_day: int, rounds: int, keep: Path | None) -> None:
    rng = np.random.default_rng(2020)
    now = int(time.time())
    last = today(now)
    span = [last - dt.timedelta(days=i) for i in range(days)][::-1]
    with tempfile.TemporaryDirectory() as tmp, _database(kind, keep or Path(tmp)) as db:
        authority = Authority.open(db, None)
        if not auth.accounts(authority.engine):  # a kept database is used as it is
            t = time.perf_counter()
            sites = _checkpoints(authority.engine, n, now, rng)
            events = _counts(authority.engine, sites, span, per_day, rng)
            print(f"{kind}: generated {n:,} checkpoints and the counts of {events:,} events "
                  f"({days} days) in {time.perf_counter() - t:.0f} s")
            auth.set_account(authority.engine, "bench", "bench password 1", now)
        handle = start_in_thread(authority)
        s = _login(handle.url)
        period = f"from={span[0].isoformat()}&to={last.isoformat()}"
        print(f"{'page (30-day period)':55} {'median':>8} {'max':>8} {'bytes':>9}")
        worst = 0.0
        for path in (*PAGES, *APIS, "/dashboard/report.pdf"):
            joiner = "&" if "?" in path else "?"
            med, top, size = _time(s, f"{handle.url}{path}{joiner}{period}", rounds)
            worst = max(worst, top)
            print(f"{path:55} {med * 1000:7.0f}ms {top * 1000:7.0f}ms {size:9,}")
        print(f"slowest answer {worst * 1000:.0f} ms (target < 1000 ms)")
        handle.stop()
        authority.engine.dispose()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--checkpoints", type=int, default=10_000)
    p.add_argument("--per-day", type=int, default=100, help="scans per checkpoint per day")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--keep", type=Path, metavar="DIR", help="keep the database in DIR (and reuse it if there)")
    a = p.parse_args()
    run(a.db, a.days, a.checkpoints, a.per_day, a.rounds, a.keep)


if __name__ == "__main__":
    main()
