"""The scan counts kept at ingest equal what /v1/stats computes from the events (duplicates
once, odd spellings, missing venues), a recount gives the same, and bulk CSV files are
checked whole before anything is applied."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from checkpoint_app.authority import bulk, rollup
from checkpoint_app.authority.dashboard import queries
from checkpoint_app.authority.db import scan_counts_day, scan_counts_hour
from checkpoint_app.authority.issuing import hid_for
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.regions import OTHER, PROVINCE, shanxi

T0 = 1_780_000_000


def _event(i: int, **kw: Any) -> dict[str, Any]:
    ev = {"event_id": str(uuid.uuid4()), "ts": T0 + i * 600, "venue_id": "140105-mall-0007", "venue_type": "mall",
          "hid": None, "iss": "140000", "color": "green", "action": "pass", "allow": True, "temperature_c": 36.5}
    ev.update(kw)
    return ev


def _events() -> list[dict[str, Any]]:
    return [_event(0), _event(1, color="RED", action="Turn_Back_Isolation", allow=False),
            _event(2, temperature_c=38.0, action="fever_referral", allow=False), _event(3, temperature_c=None),
            _event(4, venue_id="", color=None, action="invalid_code", allow=False),
            _event(5, venue_id="110105-x", source="id_lookup"), _event(6, kind="manual", action="manual_entry"),
            _event(7, venue_id="140213-hotel-1", source="manual", action="manual_entry"), _event(200)]


@pytest.fixture
def authority(tmp_path: Path) -> Authority:
    a = Authority.open(f"sqlite:///{tmp_path / 'a.sqlite3'}", None, clock=lambda: T0)
    a.register_checkpoint("CP-1")
    return a


def _counts(a: Authority) -> queries.Counts:
    period = queries.Period(queries.today(T0 - 86400 * 2), queries.today(T0 + 86400 * 3))
    return queries.total(queries.by_day(a.engine, PROVINCE, period, shanxi()))


def test_counts_equal_the_stats_and_duplicates_count_once(authority: Authority) -> None:
    events = _events()
    authority.ingest("CP-1", {"checkpoint_id": "CP-1", "events": events})
    authority.ingest("CP-1", {"checkpoint_id": "CP-1", "events": [*events[:3], events[0]]})  # all duplicates
    stats, c = authority.stats(0, 2**62), _counts(authority)
    assert c.scans == stats["total"] == len(events)
    assert dict(c["color"]) == stats["by_color"] and dict(c["action"]) == stats["by_action"]
    assert dict(c["fever"]) == stats["by_fever"]
    assert dict(c["origin"]) == stats["by_source"] == {"code": 6, "id_lookup": 1, "manual": 2}
    assert dict(c["refused"]) == {"turn_back_isolation": 1, "fever_referral": 1, "invalid_code": 1}
    period = queries.Period(queries.today(T0), queries.today(T0 + 86400 * 3))
    cities = queries.by_child(authority.engine, PROVINCE, period, shanxi())
    assert {k: v.scans for k, v in cities.items()} == {"140100": 6, "140200": 1, OTHER: 2}


def test_the_source_is_the_events_own_never_a_text_inside_another_field(authority: Authority) -> None:
    forged = '", "source": "id_lookup", "kind": "manual'  # json.dumps escapes its quotes in the body
    # Like the colours, a source is read in any letter case (ID_Lookup); LIKE's wildcards are
    # no wildcards here (manual_, id%lookup).
    events = [_event(0, operator=forged), _event(1, venue_type='"source": "manual"'), _event(2, error=forged),
              _event(3, source="ID_Lookup"), _event(4, source=None, kind="manual"), _event(5, source="manual_"),
              _event(6, source="id%lookup")]
    result = authority.ingest("CP-1", {"checkpoint_id": "CP-1", "events": events})
    assert len(result.accepted) == len(events)
    stats, c = authority.stats(0, 2**62), _counts(authority)
    assert stats["by_source"] == dict(c["origin"]) == {"code": 5, "id_lookup": 1, "manual": 1}


def test_hourly_counts_add_up_to_the_day(authority: Authority) -> None:
    authority.ingest("CP-1", {"checkpoint_id": "CP-1", "events": _events()})
    day = queries.today(T0)
    hours = queries.by_hour(authority.engine, PROVINCE, day, shanxi())
    days = queries.by_day(authority.engine, PROVINCE, queries.Period(day, day), shanxi())
    assert sum(h.scans for h in hours.values()) == days[day.isoformat()].scans
    assert all(0 <= h < 24 for h in hours)


def test_a_recount_gives_the_same_counts(authority: Authority) -> None:
    authority.ingest("CP-1", {"checkpoint_id": "CP-1", "events": _events()})

    def snapshot() -> list[Any]:
        with authority.engine.connect() as conn:
            return [conn.execute(select(t).order_by(*t.primary_key.columns)).all()
                    for t in (scan_counts_hour, scan_counts_day)]

    before = snapshot()
    assert rollup.rebuild(authority.engine, chunk=4) == len(_events())
    assert snapshot() == before
    with authority.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(scan_counts_day)).scalar_one() > 0


def test_registration_csv_is_checked_whole_and_is_idempotent(authority: Authority) -> None:
    with pytest.raises(bulk.BulkError, match="line 1"):
        bulk.parse_checkpoints("id,venue\nA,140105-x\n")
    with pytest.raises(bulk.BulkError, match="line 3: checkpoint A is listed twice"):
        bulk.parse_checkpoints("checkpoint_id\nA\nA\n")
    with pytest.raises(bulk.BulkError, match="line 2: a venue id"):
        bulk.parse_checkpoints("checkpoint_id,venue_id\nA,mall-7\n")
    specs = bulk.parse_checkpoints("\ufeffcheckpoint_id,venue_id,venue_type\nA,140105-mall-1,mall\nCP-1,,\n")
    sheet = bulk.register_checkpoints(authority, specs)
    assert sheet[0].token.startswith("A.") and sheet[1].token == ""  # CP-1 was registered before
    assert authority.checkpoint_for(sheet[0].token) == "A"
    assert [r.token for r in bulk.register_checkpoints(authority, specs)] == ["", ""]
    assert authority.checkpoint_for(sheet[0].token) == "A"  # a re-run changes no token
    assert "registered before" in bulk.token_sheet(sheet).splitlines()[2]


def test_status_csv(authority: Authority) -> None:
    key = b"k" * 32
    text = ("id_number,hid,color,reasons,effective_at\n140105199001010913,,red,103,2026-03-03 08:00\n"
            f",{'ab' * 16},yellow,201;202,{T0}\n")
    changes = bulk.parse_statuses(text, T0, key)
    assert changes[0][:3] == (hid_for(key, "140105199001010913"), 2, (103,)) and changes[0][3] == 1772496000
    assert changes[1] == (bytes.fromhex("ab" * 16), 1, (201, 202), T0)
    for bad, reason in (("color\npurple\n", "line 2: color"), ("hid,color\nabcd,red\n", "32 hex"),
                        ("hid,color,reasons\n" + "ab" * 16 + ",red,x\n", "reasons"),
                        ("id_number,color\n1401,red\n", "hid key")):
        with pytest.raises(bulk.BulkError, match=reason):
            bulk.parse_statuses(bad, T0, None)
