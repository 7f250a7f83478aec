"""A checkpoint's token holder against the fleet view: texts no database, page or PDF can
write (a lone surrogate, which JSON spells "\\ud800"; NUL, which PostgreSQL refuses), and
absurd fleet headers. One upload must not take the fleet page or the fleet's records down
for every checkpoint, and the fleet's records survive a failed database write."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from checkpoint_app.authority.db import checkpoint_health
from tests.support.hostile_dashboard import STATION, Site, event, running_site

BAD_TEXTS = ("\ud800", "140105-\udfff", "140105-\x00", "140105-\x1b[31m")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with running_site(tmp_path) as s:
        yield s


def _health(site: Site, checkpoint_id: str) -> dict[str, object] | None:
    with site.authority.engine.connect() as conn:
        row = conn.execute(select(checkpoint_health).where(checkpoint_health.c.checkpoint_id == checkpoint_id)).first()
    return None if row is None else dict(row._mapping)


@pytest.mark.parametrize("field", ["venue_id", "venue_type", "action", "operator", "event_id"])
def test_an_event_with_unwritable_text_is_rejected_and_the_rest_of_its_batch_taken(site: Site, field: str) -> None:
    now = int(time.time())
    bad = [{**event(f"bad-{i}", now), field: f"{field[:2]}-{t}"} for i, t in enumerate(BAD_TEXTS)]
    resp = site.upload([event("good-1", now), *bad])
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["accepted"] == ["good-1"]
    assert len(body["rejected"]) == len(BAD_TEXTS)
    assert all("no control characters" in r["error"] for r in body["rejected"])
    with site.authority.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM scans")).scalar() == 1


def test_a_rejected_event_never_becomes_the_checkpoints_venue(site: Site) -> None:
    now = int(time.time())
    assert site.upload([event("e-1", now)]).status_code == 200
    resp = site.upload([event("e-2", now, venue_id="\ud800", venue_type="\udfff")])
    assert resp.status_code == 200 and resp.json()["rejected"], resp.text
    assert site.fleet.snapshot()[STATION].venue_id == "140105-mall-0007"
    admin = site.admin()
    page = admin.get("/dashboard/fleet")
    assert page.status_code == 200 and "140105-mall-0007" in page.text
    assert admin.get("/dashboard/report.pdf").status_code == 200
    assert site.fleet.flush(force=True) == 1
    assert _health(site, STATION)["venue_id"] == "140105-mall-0007"  # type: ignore[index]


def test_one_checkpoints_upload_cannot_stop_the_fleets_records_of_the_others(site: Site) -> None:
    other = site.authority.register_checkpoint("TY-XD-0002")
    now = int(time.time())
    assert site.upload([event("o-1", now)], "TY-XD-0002", other).status_code == 200
    # The last event is rejected (its time is 1970): on the old code its venue was taken all
    # the same, and the surrogate failed the batch write of every checkpoint, again and again.
    assert site.upload([event("p-1", now), event("p-2", 5, venue_id="140105-\ud800")]).status_code == 200
    site.fleet.flush(force=True)
    assert _health(site, "TY-XD-0002") is not None and _health(site, STATION) is not None


def test_the_fleets_records_are_kept_when_the_database_write_fails(site: Site) -> None:
    now = int(time.time())
    assert site.upload([event("w-1", now)]).status_code == 200
    with site.authority.engine.begin() as conn:
        conn.execute(text("ALTER TABLE checkpoint_health RENAME TO checkpoint_health_away"))
    try:
        with pytest.raises(Exception, match="checkpoint_health"):
            site.fleet.flush()
    finally:
        with site.authority.engine.begin() as conn:
            conn.execute(text("ALTER TABLE checkpoint_health_away RENAME TO checkpoint_health"))
    assert site.fleet.flush() == 1  # due again at once, not a minute later, and not lost
    assert _health(site, STATION)["last_upload"] is not None  # type: ignore[index]


ABSURD = [("X-Checkpoint-Clock", "-1"), ("X-Checkpoint-Clock", str(2**70)), ("X-Checkpoint-Clock", "1e9"),
          ("X-Checkpoint-Clock", "１７００００００００"), ("X-Checkpoint-Waiting", "-5"),
          ("X-Checkpoint-Waiting", str(2**70)), ("X-Checkpoint-Waiting", "NaN"),
          ("X-Checkpoint-Version", "<script>alert(1)</script>"), ("X-Checkpoint-Version", "9" * 10_000),
          ("X-Checkpoint-Version", "1.0\u202e")]


@pytest.mark.parametrize(("name", "value"), ABSURD)
def test_absurd_fleet_headers_are_ignored_never_refused_nor_shown(site: Site, name: str, value: str) -> None:
    resp = site.station("GET", "/v1/policy", headers={name: value.encode().decode("latin-1")})
    assert resp.status_code == 200
    health = site.fleet.snapshot()[STATION]
    assert (health.version, health.clock_offset, health.waiting) == (None, None, None)
    page = site.admin().get("/dashboard/fleet")
    assert page.status_code == 200 and "<script>alert" not in page.text and "9" * 100 not in page.text
