"""The local store (SQLite): status cache, signed documents, cursor, outbox, settings.

Qt-free. See store.Store for which thread may call it."""

from __future__ import annotations

from checkpoint_app.core.store.errors import NotSyncedError, StoreError
from checkpoint_app.core.store.store import Store, StoredDocument, SyncTimes

__all__ = ["NotSyncedError", "Store", "StoreError", "StoredDocument", "SyncTimes"]
