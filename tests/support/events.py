"""Scan events as the checkpoint records them: one builder, a green pass by default; a test
names only what its case changes."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from checkpoint_app.core.events import ScanEvent, new_event_id

# A red code turned back (reason 103), the other decision most tests need.
TURNED_BACK: dict[str, Any] = {"color": "red", "reasons": (103,), "action": "turn_back_isolation", "allow": False}


def scan_event(ts: int | None = None, **changes: Any) -> ScanEvent:
    """A green pass with a fresh event id, recorded at `ts` (default: now), changed by `changes`."""
    base = ScanEvent(event_id=new_event_id(), ts=int(time.time()) if ts is None else ts, venue_id="140105-mall-0007",
                     venue_type="mall", hid="ab" * 16, iss="140000", code_color="green", color="green", reasons=(),
                     temperature_c=36.6, mask=True, action="pass", allow=True, error=None, policy_serial=1,
                     operator="guard-03")
    return dataclasses.replace(base, **changes)
