"""Pages and tokens from memory as `serve` runs them (refresh_s 1, pagecache.py, tokens.py):
within a second the database is read once however many requests come, the page for a
cursor is signed once and shared, a full page is signed once until a compaction; what
another process changes is served within the refresh, what this process changes at once."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sqlalchemy import event

from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.authority.platform import Authority
from tests.support.signed_docs import DIST_KEY

REFRESH_S = 1.0


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Authority, Authority]:
    """A serving process's authority, and another process's (its own engine) on the same file."""
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    key = load_private_key(DIST_KEY)
    served = Authority.open(url, key, page_size=100, refresh_s=REFRESH_S)
    other = Authority.open(url, key, page_size=100)
    other.set_statuses([(os.urandom(16), 2, (103,), int(time.time()) - 60) for _ in range(250)])
    return served, other


def _statements(authority: Authority) -> list[str]:
    seen: list[str] = []
    event.listen(authority.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_a_second_of_requests_reads_the_database_once_and_signs_each_page_once(
        pair: tuple[Authority, Authority]) -> None:
    served, _ = pair
    token = served.register_checkpoint("CP-1")
    served.status_page(250, False)  # the first read
    served.checkpoint_for(token)
    seen = _statements(served)
    start = time.monotonic()
    tails = {id(served.status_page(200 + i % 3, False).body) for i in range(300)}
    assert all(served.checkpoint_for(token) == "CP-1" for _ in range(300))
    if time.monotonic() - start < REFRESH_S * 0.9:  # a loaded machine may cross a refresh: then it proves nothing
        assert seen == [] and len(tails) == 3  # three cursors, three signatures, no query
    full = served.status_page(0, False)
    assert full.page.more
    time.sleep(REFRESH_S + 0.1)
    assert served.status_page(0, False).body is full.body  # signed once, kept past the refresh


def test_changes_elsewhere_are_served_within_the_refresh_and_here_at_once(pair: tuple[Authority, Authority]) -> None:
    served, other = pair
    token = other.register_checkpoint("CP-2")
    assert served.checkpoint_for(token) == "CP-2"  # an unknown token is looked up: never refused when new
    first = served.status_page(250, False).page
    other.set_statuses([(os.urandom(16), 1, (201,), int(time.time()) - 5)])
    time.sleep(REFRESH_S + 0.1)
    assert served.status_page(250, False).page.to == first.to + 1
    served.set_statuses([(os.urandom(16), 1, (201,), int(time.time()) - 5)])
    assert served.status_page(250, False).page.to == first.to + 2  # its own change: at once
    full = served.status_page(0, False)
    from checkpoint_app.authority.bulk import revoke_checkpoint

    assert revoke_checkpoint(other.engine, "CP-2", int(time.time()))
    other.set_statuses([(h, 0, (), int(time.time()) - 1) for h, *_ in full.page.entries[:50]])
    other.compact(None)
    time.sleep(REFRESH_S + 0.1)
    assert served.checkpoint_for(token) is None  # revoked elsewhere: refused within the refresh
    again = served.status_page(0, False)
    assert again.body != full.body and again.page.to != full.page.to  # the compaction changed the page
