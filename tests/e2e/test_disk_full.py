"""A full disk: the store refuses the write with a clear error, loses nothing it had, and
works again once there is space. On a real, tiny tmpfs (needs root to mount; skipped
otherwise)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.core.events import ScanEvent
from checkpoint_app.core.store.store import Store
from tests.support.events import TURNED_BACK, scan_event
from tests.support.small_disk import fill, small_disk


def _event(i: int) -> ScanEvent:
    return scan_event(int(time.time()) + i, code_color="red", temperature_c=None, mask=None, **TURNED_BACK)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "disk", "4m") as mount:
        yield mount


def test_full_disk_refuses_the_write_and_keeps_the_rest(disk: Path) -> None:
    data = disk / "data"
    kept = [_event(i) for i in range(3)]
    with Store.open(data) as store:
        for e in kept:
            store.record_event(e)
        filler = fill(disk)
        # Sqlite may still fit a row in a free page of the file; keep writing until it is full.
        with pytest.raises(sqlite3.OperationalError, match="full"):
            for i in range(10_000):
                store.record_event(_event(100 + i))
        refused_total = store.pending_count()
        os.remove(filler)
        store.record_event(after := _event(9999))
        ids = {e.event_id for e in store.events_between(0, 2**62)}
    assert {e.event_id for e in kept} | {after.event_id} <= ids
    assert refused_total + 1 == len(ids)  # the refused write left nothing half-done
    with Store.open(data) as store:  # and the file is sound after the failure
        assert len(store.events_between(0, 2**62)) == len(ids)
