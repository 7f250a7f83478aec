"""The store thread: owns the one SQLite connection of the window (STYLE rule 3). It
verifies codes (the status cache lives here), records events before they are shown,
and answers the statistics queries."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from checkpoint_app.core.checkpoint import Context, scan
from checkpoint_app.core.codes.signature import PublicKey
from checkpoint_app.core.configuration import PlatformAccess, choose_keys
from checkpoint_app.core.events import ScanEvent
from checkpoint_app.core.paths import store_path
from checkpoint_app.core.rules.facts import Freshness, freshness_level
from checkpoint_app.core.status import EmptyCache
from checkpoint_app.core.store.errors import StoreError, describe
from checkpoint_app.core.store.remembered import pinned_keys, remembered_access
from checkpoint_app.core.store.store import Store
from checkpoint_app.workers.values import RememberedSync, ScanResult, StoreStatus

log = logging.getLogger("checkpoint.store")
STATUS_MS = 5000
WATCH_MS = 1000  # how often the store is asked whether another process (a `sync`) changed it
CONTEXT_MAX_AGE_S = 30  # freshness facts are recomputed at least this often
NEVER_SYNCED = Freshness(cache_stale=True, offline_too_long=True, never_synced=True)


class StoreWorker(QObject):
    """Signals: ready(RememberedSync); remembered_changed(RememberedSync): another process
    (`sync --once`, `sync --from`) wrote to the store; context_changed(Context): the documents
    to decide with, without the cache; data_changed(): a sync (ours or another process's)
    changed the documents or statuses; scanned(ScanResult); recorded(str event_id);
    record_failed(str event_id); events_loaded(object: tuple of ScanEvent);
    status_changed(StoreStatus); failed(str): the store cannot be opened."""

    ready = Signal(object)
    remembered_changed = Signal(object)
    context_changed = Signal(object)
    data_changed = Signal()
    scanned = Signal(object)
    recorded = Signal(str)
    record_failed = Signal(str)
    events_loaded = Signal(object)
    status_changed = Signal(object)
    failed = Signal(str)

    def __init__(self, data_dir: Path, root_keys: Sequence[PublicKey], venue_type: str,
                 fallback: Callable[[], Context], clock: Callable[[], float] = time.time, *,
                 trust_fallback: bool = False) -> None:
        super().__init__()
        self._data_dir, self._root_keys, self._venue_type = data_dir, list(root_keys), venue_type
        self._configured_keys = list(root_keys)  # the settings'; those a `sync` remembered come first
        self._fallback = fallback  # the bundled documents, until a first sync
        # Only the demo and tests decide with the bundled (demo-key) documents in file mode;
        # a real checkpoint that never synced must not: its data is as old as it gets.
        self._trust_fallback = trust_fallback
        self._clock = clock
        self._store: Store | None = None
        self._ctx: Context | None = None
        self._ctx_at = 0.0
        self._file_mode = False
        self._timer: QTimer | None = None
        self._watch: QTimer | None = None
        self._version = 0

    @Slot()
    def start(self) -> None:
        try:
            self._store = Store.open(self._data_dir)
        except (StoreError, sqlite3.Error, OSError) as exc:  # disk full, permissions: one calm line
            why = describe(exc, store_path(self._data_dir)) if isinstance(exc, sqlite3.Error | OSError) else exc
            log.error("cannot open the store in %s: %s", self._data_dir, why)
            self.failed.emit(type(exc).__name__)
            return
        except Exception as exc:  # a bug: its traceback for the log, and the same out of service
            log.exception("cannot open the store in %s", self._data_dir)
            self.failed.emit(type(exc).__name__)
            return
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_status_due)
        self._timer.start(STATUS_MS)
        self._version = self._store.data_version()
        self._watch = QTimer(self)
        self._watch.timeout.connect(self._on_watch_due)
        self._watch.start(WATCH_MS)
        remembered = self._remembered()
        self._root_keys = self._keys(remembered)
        self._load_context()
        self.ready.emit(remembered)
        self._on_status_due()

    def _remembered(self) -> RememberedSync:
        assert self._store is not None
        try:
            keys = tuple(pinned_keys(self._store))
        except ValueError as exc:  # a remembered key that no longer parses: as if none
            log.warning("remembered distribution keys unusable: %s", exc)
            keys = ()
        access = remembered_access(self._store)
        return RememberedSync(access.server_url, access.token, keys)

    def _keys(self, remembered: RememberedSync) -> list[PublicKey]:
        return choose_keys(remembered=remembered.root_keys, configured=lambda: self._configured_keys)

    def _load_context(self) -> Context:
        assert self._store is not None
        now = int(self._clock())
        try:
            self._ctx = self._store.load_context(self._root_keys, self._venue_type, now)
            self._file_mode = False
        except (StoreError, ValueError) as exc:  # never synced, no key pinned, a document no longer verifies
            if not self._file_mode:
                log.info("no synced documents (%s); using the bundled documents", exc)
            ctx = self._fallback()
            freshness = ctx.freshness if self._trust_fallback else NEVER_SYNCED
            self._ctx = dataclasses.replace(ctx, cache=self._store, venue_type=self._venue_type, freshness=freshness)
            self._file_mode = self._trust_fallback
        self._ctx_at = self._clock()
        self.context_changed.emit(dataclasses.replace(self._ctx, cache=EmptyCache()))
        return self._ctx

    def _context(self) -> Context:
        if self._ctx is None or self._clock() - self._ctx_at > CONTEXT_MAX_AGE_S:
            return self._load_context()
        return self._ctx

    @Slot(str, float)
    def _on_code_read(self, text: str, t_frame: float) -> None:
        if self._store is None:
            return
        ctx = self._context()
        s = scan(text, ctx, int(self._clock()))
        self.scanned.emit(ScanResult(text, s, dataclasses.replace(ctx, cache=EmptyCache()), t_frame))

    @Slot(object)
    def _on_record_requested(self, event: ScanEvent) -> None:
        try:
            assert self._store is not None, "store not open"
            self._store.record_event(event)
        except (sqlite3.Error, OSError) as exc:  # the disk (full, read-only, failing): one line, no traceback
            log.error("recording event %s failed: %s", event.event_id, describe(exc, store_path(self._data_dir)))
            self.record_failed.emit(event.event_id)
            return
        except Exception:  # a bug: its traceback for the log
            log.exception("recording event %s failed", event.event_id)
            self.record_failed.emit(event.event_id)
            return
        self.recorded.emit(event.event_id)

    @Slot(object)
    def _on_platform_given(self, access: PlatformAccess) -> None:
        """The settings named another server or token: remembered as `sync` remembers them."""
        if self._store is None:
            return
        try:
            self._store.set_settings({"server_url": access.server_url, "token": access.token})
        except (sqlite3.Error, OSError) as exc:  # the store stays as it was; the settings file has them
            log.error("cannot remember the platform: %s", describe(exc, store_path(self._data_dir)))

    @Slot(int, int)
    def _on_events_requested(self, ts_from: int, ts_to: int) -> None:
        if self._store is not None:
            self.events_loaded.emit(tuple(self._store.events_between(ts_from, ts_to)))

    @Slot()
    def _on_synced(self) -> None:
        if self._store is not None:
            self._load_context()
            self.data_changed.emit()
            self._on_status_due()

    @Slot()
    def _on_watch_due(self) -> None:
        """A sync by another process (or a USB stick's `sync --from`) is decided with within
        about a second: SQLite's data_version changes when another connection commits."""
        if self._store is None:
            return
        version = self._store.data_version()
        if version == self._version:
            return
        self._version = version
        log.info("the store was changed by another process: reloading the documents")
        remembered = self._remembered()
        self._root_keys = self._keys(remembered)
        self._load_context()
        self.data_changed.emit()
        self._on_status_due()
        self.remembered_changed.emit(remembered)

    @Slot()
    def _on_status_due(self) -> None:
        if self._store is None:
            return
        ctx = self._context()
        times = self._store.sync_times()
        # The data's own time (spec 4.3): a USB stick's export time, not when it was applied.
        as_of = times.last_at if times.last_at is not None else times.local
        f = Freshness() if self._file_mode else ctx.freshness
        level = freshness_level(f, synced=as_of is not None, file_mode=self._file_mode)
        self.status_changed.emit(StoreStatus(self._store.pending_count(), as_of, f, level, f.clock_error))

    @Slot()
    def stop(self) -> None:
        for timer in (self._timer, self._watch):
            if timer is not None:
                timer.stop()
        if self._store is not None:
            self._store.close()
            self._store = None
