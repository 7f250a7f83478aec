"""Uploading the outbox: idempotent on event_id; only accepted or duplicate events leave it."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.http import Http, SyncError, SyncFailure
from checkpoint_app.core.sync.verify import store_call

log = logging.getLogger("checkpoint.sync")
BATCH = 500


@dataclass(frozen=True)
class UploadResult:
    accepted: int = 0
    duplicates: int = 0
    failure: SyncFailure | None = None


def _ids(obj: Any, key: str) -> list[str]:
    value = obj.get(key) if isinstance(obj, dict) else None
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise SyncFailure(SyncError.MALFORMED, f"upload answer: {key!r} is not a list of event ids")
    return value


def _batch(store: Store, http: Http, checkpoint_id: str, now: int) -> tuple[int, int]:
    """(accepted, duplicates) of one batch; (0, 0) when the outbox is empty."""
    events = store.pending_events(BATCH)
    if not events:
        return 0, 0
    body = {"checkpoint_id": checkpoint_id, "events": [e.to_wire() for e in events]}
    answer = http.post_json("/v1/scans", body)
    try:
        obj = json.loads(answer.body)
    except ValueError:
        raise SyncFailure(SyncError.MALFORMED, "upload answer is not JSON") from None
    sent = {e.event_id for e in events}
    accepted = [i for i in _ids(obj, "accepted") if i in sent]
    duplicates = [i for i in _ids(obj, "duplicates") if i in sent]
    if not accepted + duplicates:
        raise SyncFailure(SyncError.REJECTED, f"the platform took none of {len(events)} events")
    store_call(lambda: store.mark_sent(accepted + duplicates, now), "outbox")
    return len(accepted), len(duplicates)


def upload_outbox(store: Store, http: Http, checkpoint_id: str, now: int) -> UploadResult:
    accepted = duplicates = 0
    try:
        while True:
            a, d = _batch(store, http, checkpoint_id, now)
            if a + d == 0:
                break
            accepted, duplicates = accepted + a, duplicates + d
    except SyncFailure as exc:
        log.warning("upload stopped: %s (%d events still waiting)", exc, store.pending_count())
        return UploadResult(accepted, duplicates, exc)
    return UploadResult(accepted, duplicates)
