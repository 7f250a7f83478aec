"""Every scan event says how the person was identified (spec 5.1): code, id_lookup, manual;
records written before the field existed read back with the right one."""

from __future__ import annotations

import json
from pathlib import Path

from checkpoint_app.core.checkpoint import Inputs, decide, scan
from checkpoint_app.core.events import Station, event_from_decision, manual_event
from checkpoint_app.core.store import Store
from tests.support.core_pki import NOW, Pki

STATION = Station("CP-1", "140105-mall-1", "mall")


def test_codes_and_manual_records_carry_their_source(pki: Pki) -> None:
    ctx = pki.context()
    d = decide(scan(pki.issue(), ctx, NOW), Inputs(36.5, True), ctx)
    assert event_from_decision(d, STATION, NOW).to_wire()["source"] == "code"
    assert event_from_decision(d, STATION, NOW, kind="abandoned").source == "code"
    assert manual_event(STATION, NOW, "elderly").to_wire()["source"] == "manual"


def test_records_from_before_the_source_field_read_back_with_one(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        code = event_from_decision_wire(kind="decision")
        manual = event_from_decision_wire(kind="manual", event_id="m-1", action="manual_entry")
        with store.transaction() as conn:
            for body in (code, manual):
                conn.execute("INSERT INTO events (event_id, ts, body, sent) VALUES (?, ?, ?, NULL)",
                             (body["event_id"], body["ts"], json.dumps(body)))
        got = {e.event_id: e.source for e in store.pending_events()}
    assert got == {"c-1": "code", "m-1": "manual"}


def event_from_decision_wire(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "event_id": "c-1", "ts": NOW, "venue_id": "v", "venue_type": "mall", "hid": None, "iss": None,
        "code_color": None, "color": None, "reasons": [], "temperature_c": 36.5, "mask": True, "action": "pass",
        "allow": True, "error": None, "policy_serial": 1, "operator": "", "kind": "decision", "manual_reason": None}
    return base | changes
