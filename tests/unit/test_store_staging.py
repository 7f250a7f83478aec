"""A staged page (first sync, rebuild) is written in parts so that a scan event never waits
long for the write lock, and still counts whole or not at all: a page broken off between
parts leaves no row behind, a second sync that starts staging takes over and the first one
stops, and a stage written before parts existed is kept. The build that follows the last
page is short transactions too, and a second sync meanwhile (one that completes the stage
and builds it, or one that starts an interrupted rebuild over) makes the first one stop
before it writes again: it never swaps in a table that the other emptied or filled in part."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from checkpoint_app.core.status_pages import Entry, StatusPage
from checkpoint_app.core.store import Store, StoreError, build, cache
from checkpoint_app.core.store import store as store_module

EPOCH = b"\x0e" * 8
PEOPLE = [bytes([i]) * 16 for i in range(1, 11)]


def _page(since: int, to: int, entries: list[Entry], more: bool = True) -> StatusPage:
    return StatusPage(since, to, more, False, tuple(entries), 1000, EPOCH, 1, 1)


def _red(i: int, seq: int) -> Entry:
    return (PEOPLE[i], 2, (103,), 5, seq)


def _green(i: int, seq: int) -> Entry:
    return (PEOPLE[i], 1, (204,), 5, seq)


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


class _Steps:
    """The build's step_aside (between two of its transactions), counted per thread: at the
    n-th step of a thread, run what the test put there (pause it, let another go on)."""

    def __init__(self) -> None:
        self.count: Counter[str] = Counter()
        self.at: dict[tuple[str, int], Callable[[], None]] = {}

    def __call__(self) -> None:
        name = threading.current_thread().name
        self.count[name] += 1
        self.at.get((name, self.count[name]), lambda: None)()


def _pause(steps: _Steps, name: str, n: int) -> tuple[threading.Event, threading.Event]:
    reached, go = threading.Event(), threading.Event()

    def pause() -> None:
        reached.set()
        assert go.wait(10)
    steps.at[(name, n)] = pause
    return reached, go


def _in_thread(name: str, work: Callable[[Store], None], path: Path, errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        with Store.open(path) as s:
            try:
                work(s)
            except BaseException as exc:  # the test looks at it
                errors.append(exc)
    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> _Steps:
    steps = _Steps()
    monkeypatch.setattr(build, "step_aside", steps)
    monkeypatch.setattr(build, "BATCH", 1)
    monkeypatch.setattr(build, "CLEAR_BATCH", 1)
    return steps


def test_a_second_sync_that_builds_the_stage_meanwhile_makes_the_first_build_stop(tmp_path: Path,
                                                                                    steps: _Steps) -> None:
    with Store.open(tmp_path) as s:
        s.apply_status_page(_page(0, 4, [_red(i, i + 1) for i in range(4)]))
    # The first sync's last page completes the stage; its build stops before its third row.
    first_reached, first_go = _pause(steps, "first", 3)
    errors: list[BaseException] = []
    first = _in_thread("first", lambda s: s.apply_status_page(_page(4, 5, [_red(4, 5)], more=False)), tmp_path,
                       errors)
    assert first_reached.wait(10)

    def first_goes_on() -> None:  # the second build has its first row: the first one writes again
        first_go.set()
        first.join(10)
    steps.at[("MainThread", 2)] = first_goes_on
    # A second sync resumes after the staged pages: the platform's empty last page, and a build.
    with Store.open(tmp_path) as second:
        second.apply_status_page(_page(5, 5, [], more=False))
        assert not first.is_alive() and len(errors) == 1 and "another sync took over" in str(errors[0])
        assert second.cache_size() == 5 and all(second.lookup(p) is not None for p in PEOPLE[:5])
        assert second.cursor() == 5 and second.resume_point() == 5
    assert not list(tmp_path.glob("*.build*"))


def test_a_rebuild_started_over_by_a_second_sync_stops_building_and_the_old_cache_stays(
        tmp_path: Path, steps: _Steps) -> None:
    with Store.open(tmp_path) as s:
        s.apply_status_page(_page(0, 4, [_green(i, i + 1) for i in range(4)], more=False))
    steps.count.clear()  # that first sync's own build steps
    reset = StatusPage(0, 10, False, True, tuple(_red(i, i + 1) for i in range(4)), 2000, EPOCH, 1, 1)
    # The first sync rebuilds (a reset); its build stops before its second row.
    first_reached, first_go = _pause(steps, "first", 2)
    errors: list[BaseException] = []
    first = _in_thread("first", lambda s: s.apply_status_page(reset), tmp_path, errors)
    assert first_reached.wait(10)

    def first_goes_on() -> None:  # the second sync has cleared one built row: the first writes again
        first_go.set()
        first.join(10)
    steps.at[("MainThread", 2)] = first_goes_on
    # A second sync starts: it takes the rebuild for an interrupted one and starts it over.
    with Store.open(tmp_path) as second:
        assert second.abandon_rebuild(keep_first_sync=True)
        assert not first.is_alive() and len(errors) == 1 and "another sync took over" in str(errors[0])
        assert second.cache_size() == 4 and second.cursor() == 4
        assert all(second.lookup(p) == second.lookup(PEOPLE[0]) for p in PEOPLE[:4])  # still the old green
        tables = {r[0] for r in second._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not tables & {cache.SHADOW, cache.STAGE, cache.OLD}
