"""The dashboard on PostgreSQL (a real server from the pgserver wheel): the scan counts and
the fleet's health are upserts with dialect-specific SQL, so they run here too.

Skipped where pgserver or psycopg is not installed; SQLite is the default database."""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

pgserver = pytest.importorskip("pgserver")
pytest.importorskip("psycopg")

from sqlalchemy import select  # noqa: E402

from checkpoint_app.authority import bulk, rollup  # noqa: E402
from checkpoint_app.authority.dashboard.fleet_view import revoked  # noqa: E402
from checkpoint_app.authority.db import checkpoint_health  # noqa: E402
from checkpoint_app.authority.fleet import FleetMonitor  # noqa: E402
from tests.support.dashboard_client import DashboardClient  # noqa: E402
from tests.support.dashboard_province import ADMIN, LATE, NEVER, PASSWORD, Province, start_province  # noqa: E402
from tests.support.html_tables import kpis, numbers, table  # noqa: E402
from tests.support.sync_platform import NOW  # noqa: E402


@pytest.fixture
def province(tmp_path: Path) -> Iterator[Province]:
    # PostgreSQL runs as the user 'pgserver' when the tests run as root: its folder must be
    # reachable for that user, which pytest's own 0700 temporary root is not.
    folder = Path(tempfile.mkdtemp(prefix="dashboard-pg-"))
    folder.chmod(0o755)
    server = pgserver.get_server(folder / "pg", cleanup_mode="stop")
    try:
        url = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
        p = start_province(tmp_path, NOW, db_url=url)
        yield p
        p.handle.stop()
        p.authority.engine.dispose()
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def test_dashboard_on_postgresql(province: Province) -> None:
    assert province.authority.engine.dialect.name == "postgresql"
    stats = province.stats()
    user = DashboardClient(province.url)
    assert user.login(ADMIN, PASSWORD).status_code == 200
    day = province.day.isoformat()
    html = user.get(f"/dashboard/area/140000?from={day}&to={day}").text
    k = kpis(html)
    assert k["scans"] == stats["total"] and k["red"] == stats["by_color"]["red"]
    made = sum(province.sources_per_city().values(), Counter[str]())
    assert stats["by_source"] == dict(made)  # the SQL of /v1/stats reads the source as on SQLite
    assert (k["id_lookups"], k["manual"]) == (made["id_lookup"], made["manual"])
    assert {d: r["scans"] for d, r in numbers(html, "per-day", "day").items() if r["scans"]} == stats["by_day"]
    taiyuan = numbers(user.get(f"/dashboard/area/140100?from={day}&to={day}").text, "ranked", "code")
    assert {c: r["scans"] for c, r in taiyuan.items() if r["scans"]} == {
        r: n for r, n in stats["by_region"].items() if r.startswith("1401")}
    fleet = table(user.get("/dashboard/fleet").text, "fleet", "checkpoint")
    assert {cid for cid, cols in fleet.items() if cols["#0"].startswith("●")} == {LATE[0], NEVER[0]}
    monitor = user.get("/dashboard/api/fleet").json()
    assert monitor["cities"]["141000"]["offline"] == 1
    # the health upsert on PostgreSQL: the newest of each time wins, a revoked one is listed
    engine = province.authority.engine
    older = FleetMonitor(engine, lambda: NOW - 600)
    older.observe(LATE[0], {"X-Checkpoint-Version": "0.0.9"}, synced=True)
    older.flush(force=True)
    newer = FleetMonitor(engine, lambda: NOW)
    newer.observe(LATE[0], {"X-Checkpoint-Version": "0.2.0", "X-Checkpoint-Waiting": "4"})
    newer.flush(force=True)
    with engine.connect() as conn:
        row = conn.execute(select(checkpoint_health).where(checkpoint_health.c.checkpoint_id == LATE[0])).one()
    assert (row.version, row.waiting, row.last_seen, row.last_sync) == ("0.2.0", 4, NOW, NOW - 600)
    assert bulk.revoke_checkpoint(engine, NEVER[0], NOW) and revoked(engine) == [(NEVER[0], NOW)]
    assert rollup.rebuild(engine) == stats["total"]
    again = kpis(user.get(f"/dashboard/area/140000?from={day}&to={day}").text)
    assert again == {**k, "offline": 0}  # the recount changed no count; LATE was seen now, NEVER revoked
