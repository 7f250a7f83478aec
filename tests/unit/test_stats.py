"""Statistics over scan events and the pseudonymous CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC
from typing import Any

from checkpoint_app.core.events import ScanEvent, Station, manual_event
from checkpoint_app.core.stats import CSV_COLUMNS, compute, to_csv
from tests.support.events import scan_event

STATION = Station("CP-1", "venue-1", "mall")
T0 = 1_600_000_000 - 1_600_000_000 % 86400  # midnight UTC


def _ev(i: int, **kw: Any) -> ScanEvent:
    fields = {"ts": T0 + 3600 * 9 + i, "event_id": f"e{i}", "venue_id": "v", "temperature_c": 36.5, "operator": "",
              **kw}
    return scan_event(**fields)


def test_counts() -> None:
    events = [
        _ev(1), _ev(2, ts=T0 + 3600 * 10), _ev(3, action="fever_referral", allow=False, temperature_c=38.0),
        _ev(4, color="yellow", code_color="yellow", action="home_isolation", allow=False, temperature_c=None),
        _ev(5, color=None, code_color=None, hid=None, action="invalid_code", allow=False, error="EXPIRED",
            temperature_c=None),
        _ev(6, kind="abandoned", action="measure_temperature", allow=False, temperature_c=None),
        manual_event(STATION, T0 + 3600 * 9, "elderly", temperature_c=36.6),
    ]
    s = compute(events, UTC, 37.3)
    assert s.people == 6 and s.abandoned == 1 and s.manual == 1 and s.by_manual_reason == {"elderly": 1}
    assert s.by_color == {"green": 2 + 1, "yellow": 1, "none": 1}
    assert s.by_error == {"EXPIRED": 1} and s.fevers == 1 and s.allowed == 3
    assert s.per_hour[9] == 5 and s.per_hour[10] == 1 and sum(s.per_hour) == 6 and s.days == 1
    assert s.by_source == {"code": 5, "id_lookup": 0, "manual": 1}


def test_the_three_sources_are_counted_apart() -> None:
    """Spec 5.1: codes, lookups by document and manual records; an abandoned visit is no person."""
    events = [_ev(1), _ev(2, source="id_lookup"), _ev(3, source="id_lookup", hid=None, action="invalid_code",
                                                      error="NOT_FOUND", allow=False, color=None),
              _ev(4, source="id_lookup", kind="abandoned"), manual_event(STATION, T0, "no_smartphone")]
    s = compute(events, UTC, 37.3)
    assert s.by_source == {"code": 1, "id_lookup": 2, "manual": 1} and s.people == 4
    assert s.by_error == {"NOT_FOUND": 1}
    rows = list(csv.DictReader(io.StringIO(to_csv(events))))
    assert [r["source"] for r in rows] == ["code", "id_lookup", "id_lookup", "id_lookup", "manual"]


def test_csv_is_pseudonymous() -> None:
    text = to_csv([_ev(1, reasons=(201, 204))])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["reasons"] == "201 204" and rows[0]["allow"] == "1"
    assert set(rows[0]) == {*CSV_COLUMNS, "time_utc"}
    assert not {"name", "doc"} & set(rows[0])
