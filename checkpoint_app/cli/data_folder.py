"""What `verify` and `lookup` read from the data folder and write to it: the documents of
the last sync to decide with, and decisions recorded as scan events (spec section 9)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from checkpoint_app.core.checkpoint import Context, Decision
from checkpoint_app.core.events import event_from_decision
from checkpoint_app.core.store.remembered import pinned_keys, station
from checkpoint_app.core.store.store import Store
from checkpoint_app.core.trust.key_files import read_key_files


def synced_context(store: Store, now: int, root_keys: Sequence[Path] = ()) -> Context:
    """The context of the last sync, verified with the keys given now (as files), else with
    those `sync` remembered. The store is the context's cache: it must stay open."""
    keys = read_key_files(root_keys) if root_keys else pinned_keys(store)
    return store.load_context(keys, station(store).venue_type, now)


def store_context(data_dir: Path | None, root_keys: Sequence[Path], now: int | None = None) -> Context:
    """`verify --data-dir`. No integrity check: scripts run `verify` per code and it must
    start fast; the window and `sync` check the file when they open it."""
    store = Store.open(data_dir, check=False)
    return synced_context(store, int(time.time()) if now is None else now, root_keys)


def record_decisions(data_dir: Path | None, decisions: Sequence[Decision]) -> None:
    """`verify --record`: each decision to the outbox as a scan event."""
    with Store.open(data_dir, check=False) as store:
        st = station(store)
        for d in decisions:
            store.record_event(event_from_decision(d, st, d.scan.at))
