"""apply_folder: the signed documents of `checkpoint-authority export DIR`, for sites with no
network (USB stick, LAN share). Same checks as online; every page is verified before the
first is applied.

Layout: trust-list.cose, policy.cose, status-000001.cose ... (a chain from since=0).
Where the store's cursor is the start of one of the pages, the pages from there are
applied as usual; otherwise the cache is rebuilt from the whole chain in the shadow table.
The freshness times come from the signed `at` of the last page (the platform's clock at
export), as no HTTP Date exists here."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from checkpoint_app.core.bounds import MAX_DOCUMENT_BYTES, MAX_PAGE_BYTES, os_error_text, read_bounded
from checkpoint_app.core.codes.signature import PublicKey
from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.client import SyncReport
from checkpoint_app.core.sync.http import SyncError, SyncFailure
from checkpoint_app.core.sync.pages import StatusPage
from checkpoint_app.core.sync.verify import check_document, check_page, store_call


def _read(path: Path, limit: int) -> bytes:
    try:
        return read_bounded(path, limit)
    except OSError as exc:
        raise SyncFailure(SyncError.MALFORMED, f"cannot read {path.name}: {os_error_text(exc)}") from None


def _chain(folder: Path, keys: Sequence[PublicKey]) -> list[StatusPage]:
    pages: list[StatusPage] = []
    since, rebuilding = 0, False
    for path in sorted(folder.glob("status-*.cose")):
        page = check_page(_read(path, MAX_PAGE_BYTES), keys, since, rebuilding)
        pages.append(page)
        since, rebuilding = page.to, rebuilding or page.reset
        if not page.more:
            break
    if pages and pages[-1].more:
        raise SyncFailure(SyncError.GAP, f"the folder's status pages stop at {since} but say more follow")
    return pages


def _plan(pages: list[StatusPage], cursor: int) -> list[StatusPage]:
    """The pages to apply for this cursor (empty when the folder is not newer)."""
    if not pages or pages[-1].to <= cursor:
        return []
    start = next((i for i, p in enumerate(pages) if p.since == cursor and not p.reset), None)
    if start is not None and not any(p.reset for p in pages[:start]):
        return pages[start:]
    # Rebuild from the whole chain: the first page opens the shadow table.
    return [dataclasses.replace(pages[0], reset=True), *pages[1:]]


def apply_folder(store: Store, folder: Path, root_keys: Sequence[PublicKey],
                 now: Callable[[], float] = time.time) -> SyncReport:
    """Apply an exported folder. Never raises for a bad folder: see the report's error."""
    docs: list[str] = []
    applied: list[StatusPage] = []
    try:
        purged = store_call(lambda: store.purge(int(now())), "retention purge")
    except SyncFailure as exc:  # the store itself fails (disk full, damaged): nothing else can work
        return SyncReport(error=exc.code, detail=exc.detail)
    try:
        if not folder.is_dir():
            raise SyncFailure(SyncError.MALFORMED, f"{folder} is not a folder")
        checked = [(k, check_document(store, k, _read(folder / f"{k}.cose", MAX_DOCUMENT_BYTES), root_keys, None))
                   for k in ("trust-list", "policy")]
        pages = _chain(folder, root_keys)
        for kind, doc in checked:
            if doc is not None:
                store_call(partial(store.put_document, doc, int(now())), kind)
                docs.append(kind)
        store_call(store.abandon_rebuild, "status cache")
        for page in _plan(pages, store.cursor()):
            store_call(partial(store.apply_status_page, page), "status page")
            applied.append(page)
        exported_at = pages[-1].at if pages else None
        if exported_at is not None and (store.sync_times().local or 0) < exported_at:
            store_call(lambda: store.record_sync(exported_at, exported_at), "sync times")
    except SyncFailure as exc:
        return dataclasses.replace(_report(store, docs, applied, exc), purged_unsent=purged.deleted_unsent)
    return dataclasses.replace(_report(store, docs, applied, None), purged_unsent=purged.deleted_unsent)


def _report(store: Store, docs: list[str], applied: list[StatusPage], failure: SyncFailure | None) -> SyncReport:
    return SyncReport(
        error=failure.code if failure else None, detail=failure.detail if failure else "",
        documents_updated=tuple(docs), pages=len(applied), entries=sum(len(p.entries) for p in applied),
        rebuilt=any(p.reset for p in applied), cursor=store.cursor(), pending=store.pending_count(),
    )
