"""sync_once: trust list, policy, status pages, then the outbox (spec sections 4.3 and 5).

Each document and each page is applied whole or not at all; the first failure stops
the download (what was applied stays) but the upload is still tried, because the
outbox matters most. Call it in the thread that owns `store`."""

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
from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.http import DEFAULT_BACKOFF, Backoff, Http, SyncError, SyncFailure
from checkpoint_app.core.sync.upload import UploadResult, upload_outbox
from checkpoint_app.core.sync.verify import check_document, check_page, store_call

log = logging.getLogger("checkpoint.sync")
# After these the upload would only wait for the same dead link or refused token again.
_SAME_NETWORK = (SyncError.NETWORK, SyncError.TIMEOUT, SyncError.AUTH_REFUSED)


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
    purged_unsent: int = 0
    platform_time: int | None = None

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
class _Progress:
    docs: list[str] = field(default_factory=list)
    pages: int = 0
    entries: int = 0
    rebuilt: bool = False
    date: int | None = None


def _documents(store: Store, http: Http, keys: Sequence[PublicKey], now: int, p: _Progress) -> None:
    for kind in ("trust-list", "policy"):
        held = store.document(kind)
        answer = http.get(f"/v1/{kind}", etag=held.etag if held else None)
        p.date = answer.date or p.date
        if answer.status == 304:
            continue
        doc = check_document(store, kind, answer.body, keys, answer.etag)
        if doc is not None:
            store_call(partial(store.put_document, doc, now), kind)
            p.docs.append(kind)
        elif held is not None and answer.etag and answer.etag != held.etag:
            # Same serial under a new ETag: keep ours, but remember the tag so the next ask is a 304.
            tagged = replace(held, etag=answer.etag)
            store_call(partial(store.put_document, tagged, now), kind)


def _status(store: Store, http: Http, keys: Sequence[PublicKey], p: _Progress) -> None:
    """Fetch and apply pages. The next page is fetched in a helper thread while this one is
    applied (network and database overlap; the store is touched only by this thread)."""
    if store_call(lambda: store.abandon_rebuild(keep_first_sync=True), "status cache"):
        log.info("an interrupted cache rebuild is started over")
    since, rebuilding = store.resume_point(), False
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-fetch") as pool:
        pending = pool.submit(http.get, "/v1/status", {"since": since})
        while True:
            answer = pending.result()
            page = check_page(answer.body, keys, since, rebuilding)
            if page.more and page.to <= since and not page.reset:
                raise SyncFailure(SyncError.MALFORMED, f"status page ({since}, {page.to}] says more but stays put")
            rebuilding, since = rebuilding or page.reset, page.to
            if page.more:
                params = {"since": since, **({"rebuild": 1} if rebuilding else {})}
                pending = pool.submit(http.get, "/v1/status", params)
            store_call(partial(store.apply_status_page, page), "status page")
            p.pages, p.entries, p.date = p.pages + 1, p.entries + len(page.entries), answer.date or p.date
            p.rebuilt = p.rebuilt or page.reset
            if not page.more:
                return


def _checkpoint_id(store: Store, token: str) -> str:
    """The station's id from the settings, else the part of the token before the dot."""
    configured = store.get_setting("checkpoint_id")
    return configured if isinstance(configured, str) and configured else token.split(".", 1)[0]


def sync_once(store: Store, server_url: str, token: str, root_keys: Sequence[PublicKey],
              session: requests.Session | None = None, now: Callable[[], float] = time.time, *,
              attempts: int = 3, deadline_s: float = DEFAULT_DEADLINE_S, backoff: Backoff = DEFAULT_BACKOFF,
              checkpoint_id: str | None = None) -> SyncReport:
    """One full sync. Never raises for network, platform or document faults: see the report."""
    if not root_keys:
        raise ValueError("sync needs at least one pinned distribution key")
    http = Http(server_url, token, session, deadline_s=deadline_s, attempts=attempts, backoff=backoff, clock=now)
    p = _Progress()
    try:
        purged = store_call(lambda: store.purge(int(now())), "retention purge")
        http.waiting = store_call(store.pending_count, "outbox")
    except SyncFailure as exc:  # the store itself fails (disk full, damaged): nothing else can work
        return SyncReport(error=exc.code, detail=exc.detail)
    failure: SyncFailure | None = None
    try:
        _documents(store, http, root_keys, int(now()), p)
        _status(store, http, root_keys, p)
        store_call(lambda: store.record_sync(int(now()), p.date), "sync times")
    except SyncFailure as exc:
        failure = exc
        log.warning("sync stopped: %s", exc)
    up = UploadResult()
    if failure is None or failure.code not in _SAME_NETWORK:
        up = upload_outbox(store, http, checkpoint_id or _checkpoint_id(store, token), int(now()))
    failure = failure or up.failure
    report = SyncReport(documents_updated=tuple(p.docs), pages=p.pages, entries=p.entries, rebuilt=p.rebuilt,
                        cursor=store.cursor(), uploaded=up.accepted, duplicates=up.duplicates, rejected=up.rejected,
                        pending=store.pending_count(), purged_unsent=purged.deleted_unsent, platform_time=p.date)
    return report if failure is None else replace(report, error=failure.code, detail=failure.detail)
