"""Scan ingest rate of the reference authority: events per second through POST /v1/scans.

    .venv/bin/python bench/ingest_bench.py --events 100000 --batch 500 [--db postgres]

A real server on loopback (waitress in a thread), real HTTP with keep-alive, batches as a
checkpoint uploads them (spec section 5), each event new. Run by hand, not in CI.
On a machine shared with other work the wall-clock rate swings; the CPU time per event
(client and server together, both in this process) is the figure to compare."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checkpoint_app.authority.platform import Authority  # noqa: E402
from checkpoint_app.authority.server import start_in_thread  # noqa: E402

COLORS = ("green", "green", "green", "green", "yellow", "red")
ACTIONS = {"green": ("pass", True), "yellow": ("home_isolation", False), "red": ("turn_back_isolation", False)}


def _event(i: int, t0: int) -> dict[str, object]:
    color = COLORS[i % len(COLORS)]
    action, allow = ACTIONS[color]
    return {"event_id": str(uuid.uuid4()), "ts": t0 + i % 86400, "venue_id": f"1401{5 + i % 5:02d}-mall-0007",
            "venue_type": "mall", "hid": f"{i:032x}", "iss": "140000", "code_color": color, "color": color,
            "reasons": [], "temperature_c": 36.5 + (i % 13) / 10, "mask": True, "action": action, "allow": allow,
            "error": None, "policy_serial": 1, "operator": "g"}


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


def run(kind: str, events: int, batch: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, _database(kind, Path(tmp)) as url:
        authority = Authority.open(url, None)
        token = authority.register_checkpoint("BENCH-1")
        handle = start_in_thread(authority)
        for thread in threading.enumerate():  # the dashboard's one-off warm-up is not ingest
            if thread.name == "report-warm-up":
                thread.join()
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        t0 = int(time.time()) - 86400
        bodies = [{"checkpoint_id": "BENCH-1", "events": [_event(i, t0) for i in range(s, min(s + batch, events))]}
                  for s in range(0, events, batch)]
        took: list[float] = []
        start, cpu = time.perf_counter(), time.process_time()
        for body in bodies:
            t = time.perf_counter()
            resp = session.post(f"{handle.url}/v1/scans", json=body, timeout=60)
            took.append(time.perf_counter() - t)
            resp.raise_for_status()
        total, cpu = time.perf_counter() - start, time.process_time() - cpu
        handle.stop()
        held = authority.stats(0, 2**62)["total"]
        authority.engine.dispose()
    print(f"{kind}: {events:,} events in batches of {batch}: {events / total:,.0f} events/s "
          f"(batch p50 {statistics.median(took) * 1000:.1f} ms, max {max(took) * 1000:.1f} ms); held {held:,}; "
          f"CPU {cpu / events * 1e6:.0f} us/event (server and client, this process)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    a = p.parse_args()
    run(a.db, a.events, a.batch)


if __name__ == "__main__":
    main()
