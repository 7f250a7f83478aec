"""A staged page (first sync, rebuild) is written in parts so that a scan event never waits
long for the write lock, and still counts whole or not at all: a page broken off between
parts leaves no row behind, a second sync that starts staging takes over and the first one
stops, and a stage written before parts existed is kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from checkpoint_app.core.store import Store, StoreError, cache
from checkpoint_app.core.store import store as store_module
from checkpoint_app.core.sync.pages import Entry, StatusPage

EPOCH = b"\x0e" * 8
PEOPLE = [bytes([i]) * 16 for i in range(1, 11)]


def _page(since: int, to: int, entries: list[Entry], more: bool = True) -> StatusPage:
    return StatusPage(since, to, more, False, tuple(entries), 1000, EPOCH, 1, 1)


def _red(i: int, seq: int) -> Entry:
    return (PEOPLE[i], 2, (103,), 5, seq)


def _staged(path: Path) -> list[tuple[bytes, object]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT hid, st FROM status_stage ORDER BY rowid").fetchall()
    finally:
        conn.close()


@pytest.fixture(autouse=True)
def _small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "STAGE_PART", 2)


def test_a_staged_page_is_written_in_short_transactions(tmp_path: Path) -> None:
    with Store.open(tmp_path) as s:
        begins: list[str] = []
        s._conn.set_trace_callback(lambda q: begins.append(q) if q == "BEGIN IMMEDIATE" else None)
        s.apply_status_page(_page(0, 7, [_red(i, i + 1) for i in range(7)]))
        s._conn.set_trace_callback(None)
        assert len(begins) == 1 + 4 + 1  # claim, four parts of at most two rows, finish
        assert s.resume_point() == 7 and len(_staged(s.path)) == 7


def test_a_page_broken_off_between_parts_leaves_no_row_behind(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(tmp_path) as s:
        s.apply_status_page(_page(0, 2, [_red(0, 1), _red(1, 2)]))
    parts = 0

    def crash_after_two_parts() -> None:
        nonlocal parts
        parts += 1
        if parts == 3:
            raise KeyboardInterrupt  # the process dies between two parts of page (2, 8]

    monkeypatch.setattr(store_module, "step_aside", crash_after_two_parts)
    with Store.open(tmp_path) as s, pytest.raises(KeyboardInterrupt):
        s.apply_status_page(_page(2, 8, [_red(i, i + 1) for i in range(2, 8)]))
    assert len(_staged(tmp_path / "checkpoint.sqlite3")) == 6  # two whole-page rows, four of the broken page
    monkeypatch.undo()
    monkeypatch.setattr(cache, "STAGE_PART", 2)
    # The platform compacted meanwhile: the resumed page no longer holds persons 2-5.
    with Store.open(tmp_path) as s:
        assert s.resume_point() == 2
        s.apply_status_page(_page(2, 8, [_red(6, 7), _red(7, 8)], more=False))
        assert s.cache_size() == 4 and s.lookup(PEOPLE[2]) is None and s.cursor() == 8


def test_a_second_sync_takes_over_the_stage_and_the_first_one_stops(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    page = _page(0, 6, [_red(i, i + 1) for i in range(6)])
    first, second = Store.open(tmp_path), Store.open(tmp_path)
    calls = 0

    def second_sync_meanwhile() -> None:
        nonlocal calls
        calls += 1
        if calls == 2:  # between the first sync's parts
            monkeypatch.setattr(store_module, "step_aside", lambda: None)
            second.apply_status_page(page)

    monkeypatch.setattr(store_module, "step_aside", second_sync_meanwhile)
    try:
        with pytest.raises(StoreError, match="another sync took over"):
            first.apply_status_page(page)
        assert [hid for hid, _ in _staged(first.path)] == PEOPLE[:6]  # each row once, in order
        assert first.resume_point() == 6
    finally:
        first.close()
        second.close()


def test_a_stage_written_before_parts_existed_is_kept(tmp_path: Path) -> None:
    with Store.open(tmp_path) as s:
        s.apply_status_page(_page(0, 3, [_red(i, i + 1) for i in range(3)]))
        s._conn.execute("DELETE FROM state WHERE key = ?", (cache.STAGE_ROWS,))  # as an older version left it
        s.apply_status_page(_page(3, 5, [_red(3, 4), _red(4, 5)], more=False))
        assert s.cache_size() == 5 and all(s.lookup(p) is not None for p in PEOPLE[:5])
