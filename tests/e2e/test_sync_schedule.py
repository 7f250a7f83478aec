"""Scheduled changes (spec 4.3, effect time): the platform publishes a change when it takes
effect, never ahead, and gives it its seq then; a newer change for the person cancels it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from checkpoint_app.authority import schedule, statuslog
from checkpoint_app.authority.cli import main as authority_main
from checkpoint_app.authority.db import status_log
from checkpoint_app.authority.issuing import hid_for
from checkpoint_app.core.checkpoint import Inputs, decide, scan
from checkpoint_app.core.status_pages import parse_status_page
from checkpoint_app.core.store import Store
from checkpoint_app.core.trust.documents import open_document
from checkpoint_app.demo.people import DEMO_PEOPLE, demo_codes, demo_keys_dir, hid_secret
from tests.support.sync_platform import DAY, Platform, sync
from tests.support.waiting import wait_for

GREEN = DEMO_PEOPLE[0]
HID = hid_for(hid_secret(), GREEN.id_number)


def _action(store: Store, platform: Platform, now: float) -> str:
    ctx = store.load_context(platform.keys, "mall", int(now))
    code = next(c.text for c in demo_codes(int(now)) if c.label == GREEN.label)
    return decide(scan(code, ctx, int(now)), Inputs(36.5, True), ctx).action


def _db(platform: Platform) -> str:
    return str(platform.authority.engine.url.database)


def test_a_removal_dated_14_days_ahead_waits_until_it_is_due(platform: Platform, store: Store,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    platform.authority.set_statuses([(HID, 2, (101,), int(time.time()) - 30)])  # confirmed after the code
    assert sync(store, platform.url, platform.token, platform.keys).ok
    due = int(time.time()) + 14 * DAY
    assert authority_main(["set-status", "--db", _db(platform), "--hid", HID.hex(), "--color", "green",
                           "--effective-at", str(due)]) == 0
    assert f"held until {due}" in capsys.readouterr().out
    head = statuslog.head(platform.authority.engine)
    report = sync(store, platform.url, platform.token, platform.keys)
    assert report.ok and report.entries == 0 and report.cursor == head  # nothing published ahead
    assert _action(store, platform, time.time()) == "hospital_transfer"

    platform.clock.offset = 14 * DAY + 60  # the platform's clock reaches the day, and so does the checkpoint's
    later = time.time() + 14 * DAY + 60
    report = sync(store, platform.url, platform.token, platform.keys, now=later)
    assert report.ok and report.entries == 1 and report.cursor == head + 1  # its seq given when published
    assert statuslog.current(platform.authority.engine, HID) == (HID, 0, (), due)
    assert store.lookup(HID) is None and _action(store, platform, later) == "pass"


def test_a_newer_change_cancels_the_pending_one(platform: Platform, store: Store) -> None:
    now = int(time.time())
    platform.authority.set_statuses([(HID, 2, (101,), now - 30)])
    platform.authority.set_statuses([(HID, 0, (), now + 14 * DAY)])
    assert schedule.pending(platform.authority.engine, HID) == [(HID, 0, (), now + 14 * DAY)]
    platform.authority.set_statuses([(HID, 2, (103,), now - 10)])  # newer: a close contact now
    assert schedule.pending(platform.authority.engine, HID) == []
    platform.clock.offset = 15 * DAY
    assert sync(store, platform.url, platform.token, platform.keys, now=time.time() + 15 * DAY).ok
    entry = store.lookup(HID)
    assert entry is not None and entry.reasons == (103,)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_several_server_processes_publish_a_due_change_once(platform: Platform, tmp_path: Path) -> None:
    db, key = _db(platform), str(demo_keys_dir() / "distribution.pem")
    ports = [_free_port(), _free_port()]
    launcher = "import sys; from checkpoint_app.authority.cli import main; sys.exit(main())"
    servers = [subprocess.Popen([sys.executable, "-c", launcher, "serve", "--db", db, "--key", key, "--port",
                                 str(port), "--threads", "8"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=dict(os.environ)) for port in ports]
    headers = {"Authorization": f"Bearer {platform.token}"}
    try:
        urls = [f"http://127.0.0.1:{port}/v1/status?since=0" for port in ports]

        def answers(url: str) -> bool:
            try:
                return requests.get(url, headers=headers, timeout=2).status_code == 200
            except requests.ConnectionError:
                return False

        wait_for(lambda: all(answers(u) for u in urls))
        people = [os.urandom(16) for _ in range(20)]
        due = int(time.time()) + 2
        platform.authority.set_statuses([(h, 1, (201,), due) for h in people])
        wait_for(lambda: time.time() > due + 0.2)
        with ThreadPoolExecutor(max_workers=16) as pool:
            pages = list(pool.map(lambda i: requests.get(urls[i % 2], headers=headers, timeout=20), range(64)))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    assert all(p.status_code == 200 for p in pages)
    with platform.authority.engine.connect() as conn:
        counts = conn.execute(select(status_log.c.hid, func.count()).where(status_log.c.hid.in_(people))
                              .group_by(status_log.c.hid)).all()
    assert sorted(n for _, n in counts) == [1] * 20  # each published exactly once, by whichever server
    last = parse_status_page(open_document(pages[-1].content, platform.keys), 0, skew_s=300)
    assert {e[0] for e in last.entries} >= set(people)
