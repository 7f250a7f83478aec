"""The reference authority on loopback for sync tests: a real server in a thread, on a real
SQLite file, seeded with the demo people, with a clock a test can shift.

The platform and the sync run on the real clock (a sync needs a page signed within
clock_skew_s of its now); `clock.offset` moves the platform's, `sync(now=...)` fixes the
checkpoint's."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.server import ServerHandle, start_in_thread
from checkpoint_app.core.codes.signature import PublicKey
from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.client import SyncReport, sync_once
from checkpoint_app.core.sync.http import Backoff
from checkpoint_app.demo.authority import seed
from checkpoint_app.demo.people import demo_keys_dir
from tests.support.clocks import ShiftedClock

# The session's start, for codes and status times. Through the environment, so that
# subprocesses and any second import agree on it.
NOW = int(os.environ.setdefault("CHECKPOINT_TEST_NOW", str(int(time.time()))))
DAY = 86400
FAST = Backoff(base_s=0.01, cap_s=0.05)
PUB_PEM = demo_keys_dir() / "distribution.pub.pem"


@dataclass
class Platform:
    authority: Authority
    handle: ServerHandle
    token: str
    keys: list[PublicKey]
    clock: ShiftedClock

    @property
    def url(self) -> str:
        return self.handle.url


@contextmanager
def running_platform(db: Path, page_size: int = 50) -> Iterator[Platform]:
    """A seeded authority (documents, the demo people, checkpoint TY-XD-0001) serving on loopback."""
    key = load_private_key(demo_keys_dir() / "distribution.pem")
    clock = ShiftedClock()
    authority = Authority.open(f"sqlite:///{db}", key, page_size=page_size, clock=clock)
    seed(authority, NOW)
    token = authority.register_checkpoint("TY-XD-0001")
    handle = start_in_thread(authority)
    try:
        yield Platform(authority, handle, token, [key.public_key()], clock)
    finally:
        handle.stop()
        authority.engine.dispose()


def sync(store: Store, url: str, token: str, keys: list[PublicKey], now: float | None = None,
         **kw: Any) -> SyncReport:
    """sync_once with fast retries; `now` fixes the checkpoint's clock (default: the real one)."""
    kw.setdefault("attempts", 2)
    kw.setdefault("backoff", FAST)
    kw.setdefault("deadline_s", 10.0)  # a whole request; generous for a loaded machine
    return sync_once(store, url, token, keys, now=time.time if now is None else lambda: now, **kw)
