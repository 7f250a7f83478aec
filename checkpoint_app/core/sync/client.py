"""sync_once: trust list, policy, status pages, then the outbox (spec sections 4.3 and 5).

Each document and each page is applied whole or not at all; the first failure stops
the download (what was applied stays) but the upload is still tried, because the
outbox matters most. A sync succeeds only when its last page is fresh: the freshness
facts count from the signed `at` of the pages, never from HTTP headers (see chain.py).
Call it in the thread that owns `store`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial

import requests

from checkpoint_app.core.bounds import DEFAULT_DEADLINE_S
from checkpoint_app.core.codes.signature import PublicKey
from checkpoint_app.core.status_pages import StatusPage
from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.chain import (
    DEFAULT_SKEW_S,
    DOCUMENT_KINDS,
    Chain,
    Held,
    announced,
    check_completion,
    check_fresh,
    check_replacement,
    require_announced,
    skew_of,
)
from checkpoint_app.core.sync.deadline import Cancel
from checkpoint_app.core.sync.http import DEFAULT_BACKOFF, Answer, Backoff, Http, SyncError, SyncFailure
from checkpoint_app.core.sync.upload import UploadResult, upload_outbox
from checkpoint_app.core.sync.verify import check_document, check_page, store_call

log = logging.getLogger("checkpoint.sync")
# After these the upload would only wait for the same dead link or refused token again (or,
# cancelled, must not start: the events stay queued for the next sync).
_SAME_NETWORK = (SyncError.NETWORK, SyncError.TIMEOUT, SyncError.AUTH_REFUSED, SyncError.CANCELLED)


@dataclass(frozen=True)
class SyncReport:
    error: SyncError | None = None
    detail: str = ""
    documents_updated: tuple[str, ...] = ()
    pages: int = 0
    entries: int = 0
    rebuilt: bool = False
    cursor: int = 0
    uploaded: int = 0
    duplicates: int = 0
    rejected: int = 0  # events the platform refused (kept locally, marked rejected)
    pending: int = 0
    purged: int = 0
    last_at: int | None = None  # the newest signed platform time held after the sync

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> str:
        docs = ",".join(self.documents_updated) or "none"
        text = (f"documents updated: {docs}; {self.pages} status pages, {self.entries} entries"
                f"{' (cache rebuilt)' if self.rebuilt else ''}, cursor {self.cursor}; uploaded {self.uploaded}"
                f" (+{self.duplicates} duplicates{f', {self.rejected} rejected' if self.rejected else ''}),"
                f" {self.pending} waiting")
        return text if self.ok else f"{text}; FAILED {self.error}: {self.detail}"


@dataclass
class _Sync:
    """One sync's parts and progress."""

    store: Store
    http: Http
    keys: Sequence[PublicKey]
    now: Callable[[], float]
    docs: list[str] = field(default_factory=list)
    pages: int = 0
    entries: int = 0
    rebuilt: bool = False
    skew_s: int = DEFAULT_SKEW_S  # the held policy's clock_skew_s

    def clock(self) -> int:
        return int(self.now())


def _fetch_document(s: _Sync, kind: str, etag: str | None) -> None:
    held = s.store.document(kind)
    answer = s.http.get(f"/v1/{kind}", etag=etag)
    if answer.status == 304:
        return
    doc = check_document(s.store, kind, answer.body, s.keys, answer.etag)
    if doc is not None:
        store_call(partial(s.store.put_document, doc, s.clock()), kind)
        s.docs.append(kind)
    elif held is not None and answer.etag and answer.etag != held.etag:
        # Same serial under a new ETag: keep ours, but remember the tag so the next ask is a 304.
        store_call(partial(s.store.put_document, replace(held, etag=answer.etag), s.clock()), kind)


def _documents(s: _Sync) -> None:
    for kind in DOCUMENT_KINDS:
        held = s.store.document(kind)
        _fetch_document(s, kind, held.etag if held else None)


def _announced_documents(s: _Sync, page: StatusPage) -> None:
    """Fetch what the page announces (no If-None-Match: a 304 would not bring the serial)."""
    wanted = announced(page, s.store)
    for kind, _ in wanted:
        log.info("status page announces a newer %s: fetching it", kind)
        _fetch_document(s, kind, None)
    require_announced(page, s.store, "the platform")
    if wanted:
        s.skew_s = skew_of(s.store, s.keys)


def _status_answer(answer: Answer) -> bytes:
    if answer.status != 200:  # spec 5: never a 304, which would let a mirror freeze the cache
        raise SyncFailure(SyncError.MALFORMED, f"/v1/status: HTTP {answer.status} instead of a signed page")
    return answer.body


def _accept(s: _Sync, chain: Chain, answer: Answer) -> StatusPage | None:
    """The page to apply after the checks of spec 4.3, its announced documents held; None for a
    page of another epoch, refused (the chain now asks for the new epoch's pages from 0)."""
    page = check_page(_status_answer(answer), s.keys, chain.since, chain.rebuilding, s.skew_s)
    if chain.foreign(page):
        chain.restart_for_new_epoch(page)
        return None
    if chain.starts_cache(page):
        check_replacement(page, s.store.sync_times().last_at, s.skew_s, s.clock() if page.reset else None)
    apply = chain.advance(page)
    if chain.rebuilding and not page.more:
        check_completion(page, _held(s.store), s.skew_s)
    _announced_documents(s, page)
    return apply


def _held(store: Store) -> Held:
    # While a first sync is staged there is no live cache: cursor 0 and no last_at, whatever
    # the epoch; otherwise expected_epoch is the live cache's.
    return Held(store.sync_times().last_at, store.cursor(), store.expected_epoch())


def _status(s: _Sync) -> None:
    """Fetch and apply pages. The next page is fetched in a helper thread while this one is
    applied (network and database overlap; the store is touched only by this thread). The
    helper's request ends with the sync: cancelled, or cut short when a page fails."""
    store = s.store
    if store_call(lambda: store.abandon_rebuild(keep_first_sync=True), "status cache"):
        log.info("an interrupted cache rebuild is started over")
    chain, s.skew_s = Chain(store.resume_point(), store.expected_epoch()), skew_of(store, s.keys)
    ahead = Cancel(s.http.cancel)
    fetch = partial(s.http.with_cancel(ahead).get, "/v1/status")
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-fetch") as pool:
        try:
            pending = pool.submit(fetch, chain.params())
            while True:
                page = _accept(s, chain, pending.result())
                if page is None or page.more:
                    pending = pool.submit(fetch, chain.params())
                if page is not None and _apply_page(s, page):
                    return
        finally:
            ahead.set()  # a page still being fetched is not waited for


def _apply_page(s: _Sync, page: StatusPage) -> bool:
    """Apply one accepted page; True after the last one (checked fresh)."""
    s.http.check_cancelled("/v1/status")  # between pages: a cancelled sync applies no more
    store_call(partial(s.store.apply_status_page, page), "status page")
    s.pages, s.entries, s.rebuilt = s.pages + 1, s.entries + len(page.entries), s.rebuilt or page.reset
    if page.more:
        return False
    check_fresh(page, s.clock(), s.skew_s)
    return True


def _checkpoint_id(store: Store, token: str) -> str:
    """The station's id from the settings, else the part of the token before the dot."""
    configured = store.get_setting("checkpoint_id")
    return configured if isinstance(configured, str) and configured else token.split(".", 1)[0]


def _warn_plain_http(server_url: str) -> None:
    if server_url.lower().startswith("http://"):
        log.warning("the platform %s is plain http: the documents are signed, but the token is not protected",
                    server_url)


def sync_once(store: Store, server_url: str, token: str, root_keys: Sequence[PublicKey],
              session: requests.Session | None = None, now: Callable[[], float] = time.time, *,
              attempts: int = 3, deadline_s: float = DEFAULT_DEADLINE_S, backoff: Backoff = DEFAULT_BACKOFF,
              checkpoint_id: str | None = None, cancel: Cancel | None = None) -> SyncReport:
    """One full sync; `deadline_s` is the whole deadline of each request (spec 4.4). Never
    raises for network, platform or document faults: see the report. `cancel`, set from
    another thread (a shutdown), ends it at once with CANCELLED: the request in flight ends
    (in its connect or a slow read too), no other is made, no further page is applied and
    the upload is not started. What was applied stays; the queued events stay queued."""
    if not root_keys:
        raise ValueError("sync needs at least one pinned distribution key")
    _warn_plain_http(server_url)
    http = Http(server_url, token, session, deadline_s=deadline_s, attempts=attempts, backoff=backoff, clock=now,
                cancel=cancel)
    s = _Sync(store, http, root_keys, now)
    try:
        purged = store_call(store.purge, "retention purge")
        http.waiting = store_call(store.pending_count, "outbox")
    except SyncFailure as exc:  # the store itself fails (disk full, damaged): nothing else can work
        return SyncReport(error=exc.code, detail=exc.detail)
    failure: SyncFailure | None = None
    try:
        _documents(s)
        _status(s)
        store_call(lambda: store.record_sync(s.clock()), "sync times")
    except SyncFailure as exc:
        failure = exc
        log.warning("sync stopped: %s", exc)
    up = UploadResult()
    if failure is None or failure.code not in _SAME_NETWORK:
        up = upload_outbox(store, http, checkpoint_id or _checkpoint_id(store, token), s.clock())
    failure = failure or up.failure
    report = SyncReport(documents_updated=tuple(s.docs), pages=s.pages, entries=s.entries, rebuilt=s.rebuilt,
                        cursor=store.cursor(), uploaded=up.accepted, duplicates=up.duplicates, rejected=up.rejected,
                        pending=store.pending_count(), purged=purged, last_at=store.sync_times().last_at)
    return report if failure is None else replace(report, error=failure.code, detail=failure.detail)
