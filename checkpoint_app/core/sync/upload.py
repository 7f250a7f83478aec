"""Uploading the outbox (spec 5), idempotent on event_id, with one rule for leaving the queue:
an event leaves it when the platform has answered it accepted, duplicate or rejected, and
never otherwise.

- 408, 429, 5xx and network faults: Http retries with backoff; after that the upload stops
  and the events wait for the next sync.
- 413: the batch is split in half and each half sent (down to single events).
- Another 4xx (not 401/403/409) calls the batch malformed. The platform judges each event
  on its own (a bad event comes back under `rejected`), so a 4xx for the whole request is
  about the request (a wrong URL, a proxy, an incompatible platform), not about these
  events: they stay queued, the upload stops, and the sync reports REJECTED until it is
  mended. They are never dropped.
- An event the answer does not mention stays queued.

Each event is sent at most once per sync: the batches walk the queue in (ts, event_id)
order, so an event left queued does not come round again until the next sync."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

from checkpoint_app.core.events import ScanEvent
from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.http import Http, SyncError, SyncFailure
from checkpoint_app.core.sync.verify import store_call

log = logging.getLogger("checkpoint.sync")
BATCH = 500
_REASON_CHARS = 200


@dataclass(frozen=True)
class UploadResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    failure: SyncFailure | None = None


@dataclass
class _Tally:
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0


@dataclass(frozen=True)
class _Answer:
    taken: list[str]  # accepted and duplicates
    accepted: int
    rejected: dict[str, str]  # event_id -> the platform's reason


def upload_outbox(store: Store, http: Http, checkpoint_id: str, now: int) -> UploadResult:
    tally = _Tally()
    after: tuple[int, str] | None = None
    try:
        while events := store_call(partial(store.pending_events, BATCH, after), "outbox"):
            after = (events[-1].ts, events[-1].event_id)
            _send(store, http, checkpoint_id, events, now, tally)
    except SyncFailure as exc:
        log.warning("upload stopped: %s (%d events still waiting)", exc, store.pending_count())
        return UploadResult(tally.accepted, tally.duplicates, tally.rejected, exc)
    return UploadResult(tally.accepted, tally.duplicates, tally.rejected)


def _send(store: Store, http: Http, checkpoint_id: str, events: list[ScanEvent], now: int, tally: _Tally) -> None:
    try:
        reply = http.post_json("/v1/scans", {"checkpoint_id": checkpoint_id, "events": [e.to_wire() for e in events]})
    except SyncFailure as exc:
        if exc.code is not SyncError.TOO_LARGE or len(events) == 1:
            raise
        half = len(events) // 2
        log.info("the platform finds %d events too large a batch; sending %d and %d", len(events), half,
                 len(events) - half)
        _send(store, http, checkpoint_id, events[:half], now, tally)
        _send(store, http, checkpoint_id, events[half:], now, tally)
        return
    answer = _read_answer(reply.body, {e.event_id for e in events})
    store_call(partial(store.mark_sent, answer.taken, now), "outbox")
    if answer.rejected:
        store_call(partial(store.mark_rejected, answer.rejected, now), "outbox")
        for eid, why in answer.rejected.items():
            log.info("the platform rejected scan event %s: %s", eid, why)
        log.warning("the platform rejected %d of %d events; they are kept locally, marked rejected",
                    len(answer.rejected), len(events))
    unanswered = len(events) - len(answer.taken) - len(answer.rejected)
    if unanswered:
        log.warning("the platform did not answer %d of %d events; they stay queued", unanswered, len(events))
    tally.accepted += answer.accepted
    tally.duplicates += len(answer.taken) - answer.accepted
    tally.rejected += len(answer.rejected)


def _read_answer(body: bytes, sent: set[str]) -> _Answer:
    try:
        obj = json.loads(body)
    except ValueError:
        raise SyncFailure(SyncError.MALFORMED, "upload answer is not JSON") from None
    if not isinstance(obj, dict):
        raise SyncFailure(SyncError.MALFORMED, "upload answer is not a JSON object")
    accepted = [i for i in _ids(obj, "accepted") if i in sent]
    duplicates = [i for i in _ids(obj, "duplicates") if i in sent]
    rejected = {eid: why for eid, why in _rejected(obj) if eid in sent}
    taken = set(accepted) | set(duplicates)
    if len(taken) < len(accepted) + len(duplicates) or taken & rejected.keys():
        # Contradictory: leave every event queued (the next upload is idempotent).
        raise SyncFailure(SyncError.MALFORMED, "upload answer names an event twice")
    return _Answer(accepted + duplicates, len(accepted), rejected)


def _ids(obj: dict[str, Any], key: str) -> list[str]:
    value = obj.get(key)
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise SyncFailure(SyncError.MALFORMED, f"upload answer: {key!r} is not a list of event ids")
    return value


def _rejected(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """`rejected` (absent from a version 1.0 platform's answer: none)."""
    value = obj.get("rejected", [])
    if not isinstance(value, list):
        raise SyncFailure(SyncError.MALFORMED, "upload answer: 'rejected' is not a list")
    out: list[tuple[str, str]] = []
    for item in value:
        eid = item.get("event_id") if isinstance(item, dict) else None
        if not isinstance(eid, str):
            continue  # an event the platform could not name: none of ours is nameless
        why = item.get("error")
        out.append((eid, (why if isinstance(why, str) and why else "no reason given")[:_REASON_CHARS]))
    return out
