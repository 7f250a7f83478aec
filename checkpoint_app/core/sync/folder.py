"""apply_folder: the signed documents of `checkpoint-authority export DIR`, for sites with no
network (USB stick, LAN share). The rules of spec 4 hold as online (spec 9); every page is
verified before the first is applied.

Layout: trust-list.cose, policy.cose, status-000001.cose ... (a chain from since=0).
Where the store's cursor is the start of one of the pages of the same epoch, the pages
from there are applied as usual; otherwise the chain replaces the whole cache, which a
folder older than the data held (`last_at`) may not do. An export's pages are as old as
the export: the freshness facts count from their signed `at` like any other."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from checkpoint_app.core.bounds import MAX_DOCUMENT_BYTES, MAX_PAGE_BYTES, os_error_text, read_bounded
from checkpoint_app.core.codes.signature import PublicKey
from checkpoint_app.core.status_pages import StatusPage
from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.chain import (
    DOCUMENT_KINDS,
    Held,
    check_completion,
    check_replacement,
    require_announced,
    skew_of,
)
from checkpoint_app.core.sync.client import SyncReport
from checkpoint_app.core.sync.http import SyncError, SyncFailure
from checkpoint_app.core.sync.verify import check_document, check_page, store_call


def _read(path: Path, limit: int) -> bytes:
    try:
        return read_bounded(path, limit)
    except OSError as exc:
        raise SyncFailure(SyncError.MALFORMED, f"cannot read {path.name}: {os_error_text(exc)}") from None


def _chain(folder: Path, keys: Sequence[PublicKey], skew_s: int) -> list[StatusPage]:
    pages: list[StatusPage] = []
    since, rebuilding = 0, False
    for path in sorted(folder.glob("status-*.cose")):
        page = check_page(_read(path, MAX_PAGE_BYTES), keys, since, rebuilding, skew_s)
        if pages and page.epoch != pages[0].epoch:
            raise SyncFailure(SyncError.MALFORMED, f"{path.name} is of another epoch than the pages before it")
        pages.append(page)
        since, rebuilding = page.to, rebuilding or page.reset
        if not page.more:
            break
    if pages and pages[-1].more:
        raise SyncFailure(SyncError.GAP, f"the folder's status pages stop at {since} but say more follow")
    return pages


def _plan(store: Store, pages: list[StatusPage], skew_s: int) -> list[StatusPage]:
    """The pages to apply (empty when the folder holds nothing newer for this cache)."""
    if not pages:
        return []
    cursor, epoch = store.cursor(), store.expected_epoch()
    if epoch is None or epoch == pages[0].epoch:
        if pages[-1].to <= cursor:
            return []
        start = next((i for i, p in enumerate(pages) if p.since == cursor and not p.reset), None)
        if start is not None and not any(p.reset for p in pages[:start]):
            return pages[start:]
    # The whole chain replaces the cache (a reset from 0): never with older data than held,
    # at its start nor at its end (a stick with the pages of two exports mixed).
    held = Held(store.sync_times().last_at, cursor, epoch)
    check_replacement(pages[0], held.last_at, skew_s, None)
    check_completion(pages[-1], held, skew_s)
    return [dataclasses.replace(pages[0], reset=True), *pages[1:]]


def _documents(store: Store, folder: Path, keys: Sequence[PublicKey], now: int) -> list[str]:
    checked = [(k, check_document(store, k, _read(folder / f"{k}.cose", MAX_DOCUMENT_BYTES), keys, None))
               for k in DOCUMENT_KINDS]
    for kind, doc in checked:
        if doc is not None:
            store_call(partial(store.put_document, doc, now), kind)
    return [kind for kind, doc in checked if doc is not None]


def apply_folder(store: Store, folder: Path, root_keys: Sequence[PublicKey],
                 now: Callable[[], float] = time.time) -> SyncReport:
    """Apply an exported folder. Never raises for a bad folder: see the report's error."""
    docs: list[str] = []
    applied: list[StatusPage] = []
    try:
        purged = store_call(store.purge, "retention purge")
    except SyncFailure as exc:  # the store itself fails (disk full, damaged): nothing else can work
        return SyncReport(error=exc.code, detail=exc.detail)
    failure: SyncFailure | None = None
    try:
        if not folder.is_dir():
            raise SyncFailure(SyncError.MALFORMED, f"{folder} is not a folder")
        skew = skew_of(store, root_keys)
        pages = _chain(folder, root_keys, skew)  # checked before the documents change anything
        docs = _documents(store, folder, root_keys, int(now()))
        store_call(store.abandon_rebuild, "status cache")
        for page in _plan(store, pages, skew_of(store, root_keys)):
            require_announced(page, store, "the folder")
            store_call(partial(store.apply_status_page, page), "status page")
            applied.append(page)
        store_call(lambda: store.record_sync(int(now())), "sync times")
    except SyncFailure as exc:
        failure = exc
    return dataclasses.replace(_report(store, docs, applied, failure), purged=purged)


def _report(store: Store, docs: list[str], applied: list[StatusPage], failure: SyncFailure | None) -> SyncReport:
    return SyncReport(
        error=failure.code if failure else None, detail=failure.detail if failure else "",
        documents_updated=tuple(docs), pages=len(applied), entries=sum(len(p.entries) for p in applied),
        rebuilt=any(p.reset for p in applied), cursor=store.cursor(), pending=store.pending_count(),
        last_at=store.sync_times().last_at,
    )
