"""The in-process demo authority that `checkpoint-app --demo` starts."""

from __future__ import annotations

import time
from pathlib import Path

from checkpoint_app.core.checkpoint import Inputs, decide, scan
from checkpoint_app.core.codes.signature import load_public_pem
from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.client import sync_once
from checkpoint_app.demo.authority import start_demo_authority
from checkpoint_app.demo.people import demo_codes


def test_demo_authority_serves_the_demo_people(tmp_path: Path) -> None:
    demo = start_demo_authority(tmp_path / "authority")
    try:
        assert demo.url.startswith("http://127.0.0.1:") and demo.token.startswith(demo.checkpoint_id + ".")
        keys = [load_public_pem(demo.distribution_public_key.read_bytes())]
        with Store.open(tmp_path / "cp") as store:
            assert sync_once(store, demo.url, demo.token, keys).ok
            now = int(time.time())
            ctx = store.load_context(keys, "mall", now)
            actions = {c.label: decide(scan(c.text, ctx, now), Inputs(36.5, True), ctx).action
                       for c in demo_codes(now)}
    finally:
        demo.stop()
    assert actions == {"green": "pass", "yellow": "home_isolation", "red-hospital": "hospital_transfer",
                       "red-turn-back": "turn_back_isolation", "green-whitelist": "pass",
                       "expired": "invalid_code", "forged": "invalid_code"}
