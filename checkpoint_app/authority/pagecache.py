"""Status pages from memory (spec 4.3, caching): each full page signed once, the others at
most once per `refresh_s`, and the database read once per `refresh_s`, not per request.

A server process keeps a view of the log: its counters and the newest TAIL_ROWS entries,
read in one snapshot and brought up to date every `refresh_s` seconds (one query for the
counters, one for the serials, one for the entries appended since). Almost every poll
asks from a cursor inside that tail, so it is answered without the database:

- a full page (`more` true, not a reset) never changes until a compaction or a new epoch,
  so it is kept, signed, under (epoch, generation, from, size): every compaction raises
  the generation, and the next refresh drops what was kept before;
- any other page (the last page of a chain, a reset) is kept until the next refresh and
  shared by every request from the same cursor meanwhile: its `at` is at most
  `refresh_s` old, well within the checkpoint's `clock_skew_s` (spec 4.3).

`refresh_s` 0 reads the database for every request (the library default: a change is
served the moment it is committed, as the tests expect); `serve` uses 1 s. A change made
through this process is seen at once either way (`invalidate`)."""

from __future__ import annotations

import bisect
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from checkpoint_app.authority.db import snapshot
from checkpoint_app.authority.statuslog import LogState, make_page, read_entries, read_state
from checkpoint_app.core.status_pages import Entry, StatusPage

TAIL_ROWS = 20_000  # two default pages: a checkpoint a day behind at 100 changes a minute is inside it
FULL_PAGE_BYTES = 64 * 2**20  # signed full pages kept per process, the oldest dropped first

PageKey = tuple[int, bool, int]  # (from, reset, page size)
Signer = Callable[[StatusPage], bytes]


@dataclass(frozen=True)
class SignedPage:
    page: StatusPage
    body: bytes  # the COSE_Sign1 that is served
    generation: int = 0  # of the log it was read from

    @property
    def name(self) -> str:
        """The same for every copy of a full page, whichever process signed it (at another
        `at`, with another signature): a weak ETag for the caches in front."""
        p = self.page
        return f"{p.epoch.hex()}.{self.generation}.{p.since}.{p.to}"


@dataclass
class _View:
    state: LogState
    tail_from: int  # the tail holds every entry with tail_from < seq <= state.head
    tail: list[Entry]  # ready for a page: read and converted once, served many times
    read_at: float
    pages: dict[PageKey, SignedPage] = field(default_factory=dict)  # signed from this view, until the next

    def tail_entries(self, start: int, n: int) -> list[Entry]:
        i = bisect.bisect_right(self.tail, start, key=lambda e: e[4])
        return self.tail[i:i + n]


class PageCache:
    def __init__(self, engine: Engine, sign: Signer, clock: Callable[[], float], refresh_s: float,
                 before_read: Callable[[int], None]) -> None:
        self.engine, self._sign, self._clock, self.refresh_s = engine, sign, clock, refresh_s
        self._before_read = before_read  # publishes the scheduled changes that have come due
        self._view: _View | None = None
        self._full: OrderedDict[tuple[bytes, int, int, int], SignedPage] = OrderedDict()
        self._full_bytes = 0
        self._lock = threading.Lock()  # one refresh at a time; one signer of a shared page
        self._full_lock = threading.Lock()

    def invalidate(self) -> None:
        """Read the database at the next request (a change was made through this process)."""
        if self._view is not None:
            self._view.read_at = float("-inf")

    def view(self) -> _View:
        view = self._view
        if view is not None and time.monotonic() - view.read_at < self.refresh_s:
            return view
        with self._lock:
            if self._view is view or self._view is None:  # None only when `view` is too
                self._view = self._refresh(view)
            return self._view

    def _refresh(self, old: _View | None) -> _View:
        read_at = time.monotonic()
        self._before_read(int(self._clock()))
        with snapshot(self.engine) as conn:
            state = read_state(conn)
            same = old is not None and (old.state.epoch, old.state.generation) == (state.epoch, state.generation)
            if old is not None and same and 0 <= state.head - old.state.head <= TAIL_ROWS:
                tail = old.tail + read_entries(conn, old.state.head, state.head, TAIL_ROWS + 1)
                tail_from = old.tail_from
                if len(tail) > 2 * TAIL_ROWS:
                    tail_from, tail = tail[-TAIL_ROWS - 1][4], tail[-TAIL_ROWS:]
            else:
                tail_from = max(0, state.head - TAIL_ROWS)
                tail = read_entries(conn, tail_from, state.head, TAIL_ROWS + 1)
        if old is None or not same:
            self._drop_full_pages()
        return _View(state, tail_from, tail, read_at)

    def page(self, since: int, rebuild: bool, limit: int) -> SignedPage:
        view = self.view()
        start, reset = view.state.start(since, rebuild)
        key = (start, reset, limit)
        served = view.pages.get(key)
        if served is None and not reset:  # a full page is never a reset
            served = self._full.get((view.state.epoch, view.state.generation, start, limit))
        if served is not None:
            return served
        if start < view.tail_from:
            return self._from_database(since, rebuild, limit)
        with self._lock:
            served = view.pages.get(key)
            if served is None:
                entries = view.tail_entries(start, limit + 1)
                page = make_page(view.state, start, reset, entries, limit, int(self._clock()))
                served = self._signed(view.state, page)
                self._keep(view, key, served)
        return served

    def _from_database(self, since: int, rebuild: bool, limit: int) -> SignedPage:
        """A page from before the tail (a rebuild, a checkpoint long offline): counters and rows
        from one snapshot, so that a compaction between them cannot hide a removal."""
        with snapshot(self.engine) as conn:
            state = read_state(conn)
            start, reset = state.start(since, rebuild)
            entries = read_entries(conn, start, state.head, limit + 1)
        served = self._signed(state, make_page(state, start, reset, entries, limit, int(self._clock())))
        view = self._view
        if view is not None and served.page.more and not reset \
                and (state.epoch, state.generation) == (view.state.epoch, view.state.generation):
            self._keep(view, (start, reset, limit), served)
        return served

    def _signed(self, state: LogState, page: StatusPage) -> SignedPage:
        return SignedPage(page, self._sign(page), state.generation)

    def _keep(self, view: _View, key: PageKey, served: SignedPage) -> None:
        if not (served.page.more and not served.page.reset):
            view.pages[key] = served
            return
        with self._full_lock:
            self._full[(view.state.epoch, view.state.generation, key[0], key[2])] = served
            self._full_bytes += len(served.body)
            while self._full_bytes > FULL_PAGE_BYTES and self._full:
                _, dropped = self._full.popitem(last=False)
                self._full_bytes -= len(dropped.body)

    def _drop_full_pages(self) -> None:
        with self._full_lock:
            self._full.clear()
            self._full_bytes = 0
