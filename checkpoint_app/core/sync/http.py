"""HTTP for the sync: bearer token, a whole deadline and a size bound on every request
(spec 4.4), retries with jittered backoff, classified failures."""

from __future__ import annotations

import copy
import http.client
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import requests
import urllib3

from checkpoint_app import __version__
from checkpoint_app.core.bounds import (
    DEFAULT_DEADLINE_S,
    MAX_ANSWER_BYTES,
    MAX_DOCUMENT_BYTES,
    MAX_PAGE_BYTES,
    size_text,
)
from checkpoint_app.core.sync.deadline import Cancel, Deadline, deadline_adapter

log = logging.getLogger("checkpoint.sync")
# Spec 4.4, per API path: reading stops at the bound, whatever the answer announces.
BODY_LIMITS = {"/v1/trust-list": MAX_DOCUMENT_BYTES, "/v1/policy": MAX_DOCUMENT_BYTES, "/v1/status": MAX_PAGE_BYTES}
_ERROR_BODY = 1024  # what an error answer may show of itself in the message
_CHUNK = 64 * 1024
_TRANSPORT = (requests.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError,
              ValueError)


class SyncError(StrEnum):
    NETWORK = "NETWORK"  # connection refused, reset, DNS
    TIMEOUT = "TIMEOUT"  # the request's whole deadline passed
    SERVER_ERROR = "SERVER_ERROR"  # 5xx after the retries
    AUTH_REFUSED = "AUTH_REFUSED"  # 401/403: wrong or revoked token
    REJECTED = "REJECTED"  # another 4xx: the platform calls the request malformed
    TOO_LARGE = "TOO_LARGE"  # 413: the upload splits its batch in half and sends each
    BAD_SIGNATURE = "BAD_SIGNATURE"  # a COSE document whose signature or key is wrong
    MALFORMED = "MALFORMED"  # not a document, a document that breaks the spec, or one beyond its size bound
    GAP = "GAP"  # a status page that does not start where asked
    ROLLBACK = "ROLLBACK"  # a trust list or policy serial lower than the one held
    STORE = "STORE"  # the local store refused (disk full, damaged)
    REPLAY = "REPLAY"  # a reset or a new epoch's pages older than the data held, or a server's stale reset
    NOT_FRESH = "NOT_FRESH"  # the last page's signed time is not within clock_skew_s of now
    DOCUMENT_BEHIND = "DOCUMENT_BEHIND"  # a page announces a document serial that could not be obtained
    CANCELLED = "CANCELLED"  # stopped from another thread (a shutdown): no further request is made


class SyncFailure(Exception):
    def __init__(self, code: SyncError, detail: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.status = status  # the HTTP status when the platform answered with an error


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter: a fleet that lost the network together does not
    come back in step."""

    base_s: float = 0.5
    cap_s: float = 300.0

    def delay(self, failures: int) -> float:
        return random.uniform(0, min(self.cap_s, self.base_s * 2 ** max(failures - 1, 0)))


@dataclass(frozen=True)
class Answer:
    """An HTTP answer. No Date: it is not signed, and the platform's time comes only from the
    signed pages (spec 5)."""

    status: int
    body: bytes
    etag: str | None


DEFAULT_BACKOFF = Backoff()


class Http:
    """Each request, with its retries counted apart, is done within `deadline_s` seconds:
    connect, headers and body, however slowly the bytes arrive."""

    def __init__(self, base_url: str, token: str, session: requests.Session | None = None, *,
                 deadline_s: float = DEFAULT_DEADLINE_S, attempts: int = 3,
                 backoff: Backoff = DEFAULT_BACKOFF, clock: Callable[[], float] = time.time,
                 follow_redirects: bool = True, cancel: Cancel | None = None) -> None:
        if not deadline_s > 0:
            raise ValueError("the request deadline must be a positive number of seconds")
        self.base = base_url.rstrip("/")
        self.session = session or requests.Session()
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, deadline_adapter())
        # identity: a compressed answer would be bounded only after it was inflated.
        self.headers = {"Authorization": f"Bearer {token}", "User-Agent": "checkpoint-app",
                        "Accept-Encoding": "identity"}
        self.deadline_s, self.attempts, self.backoff = deadline_s, attempts, backoff
        self.clock = clock
        # False for a request whose body must reach this platform only (a lookup: a 307
        # would send the full ID number again to any URL the answer names).
        self.follow_redirects = follow_redirects
        self.cancel = cancel  # set from another thread: this request and the retries end now
        self.waiting: int | None = None  # events in the outbox, for X-Checkpoint-Waiting

    def fleet_headers(self) -> dict[str, str]:
        """The optional health headers of spec 1.1 section 5, fresh for each request."""
        out = {"X-Checkpoint-Version": __version__, "X-Checkpoint-Clock": str(int(self.clock()))}
        if self.waiting is not None:
            out["X-Checkpoint-Waiting"] = str(self.waiting)
        return out

    def get(self, path: str, params: dict[str, Any] | None = None, etag: str | None = None) -> Answer:
        headers = dict(self.headers, **self.fleet_headers(), **({"If-None-Match": etag} if etag else {}))
        return self._send("GET", path, params=params, headers=headers)

    def post_json(self, path: str, body: Any) -> Answer:
        return self._send("POST", path, json=body, headers=dict(self.headers, **self.fleet_headers()))

    def _send(self, method: str, path: str, **kw: Any) -> Answer:
        failure = SyncFailure(SyncError.NETWORK, "no attempt")
        for attempt in range(1, self.attempts + 1):
            self.check_cancelled(path)
            try:
                return self._once(method, path, **kw)
            except SyncFailure as exc:
                self.check_cancelled(path)  # what the cancel cut short is no network fault
                if exc.code not in (SyncError.NETWORK, SyncError.TIMEOUT, SyncError.SERVER_ERROR):
                    raise
                failure = exc
            if attempt < self.attempts:
                delay = self.backoff.delay(attempt)
                log.info("%s %s failed (%s); retry %d in %.1f s", method, path, failure.code, attempt, delay)
                if self.cancel is None:
                    time.sleep(delay)
                else:
                    self.cancel.wait(delay)
        raise failure

    def with_cancel(self, cancel: Cancel) -> Http:
        """The same client (session, headers, deadline) under another Cancel."""
        other = copy.copy(self)
        other.cancel = cancel
        return other

    def check_cancelled(self, what: str) -> None:
        """SyncFailure(CANCELLED) once `cancel` is set: called before each request and
        between the steps of a sync, so that a cancelled one makes no further request."""
        if self.cancel is not None and self.cancel.is_set:
            raise SyncFailure(SyncError.CANCELLED, f"{what}: cancelled")

    def _once(self, method: str, path: str, **kw: Any) -> Answer:
        with Deadline(self.deadline_s, self.cancel) as deadline:
            try:
                with self.session.request(method, self.base + path, timeout=deadline.timeouts(), stream=True,
                                          allow_redirects=self.follow_redirects, **kw) as resp:
                    result = self._answer(resp, path, deadline)
                if deadline.expired:  # the watchdog's shutdown can look like the end of a short answer
                    raise TimeoutError(path)
                return result
            except _TRANSPORT as exc:
                if deadline.expired or isinstance(exc, requests.Timeout):
                    raise SyncFailure(SyncError.TIMEOUT,
                                      f"{path}: no complete answer within {self.deadline_s:g} s") from None
                raise SyncFailure(SyncError.NETWORK, f"{path}: {exc.__class__.__name__}") from None

    def _answer(self, resp: requests.Response, path: str, deadline: Deadline) -> Answer:
        code = resp.status_code
        if code in (401, 403):
            raise SyncFailure(SyncError.AUTH_REFUSED, f"{path}: the platform refused the token (HTTP {code})", code)
        if code >= 500 or code in (408, 409, 429):
            raise SyncFailure(SyncError.SERVER_ERROR, f"{path}: HTTP {code}", code)
        if code == 413:
            raise SyncFailure(SyncError.TOO_LARGE, f"{path}: HTTP 413: the platform finds the request too large", code)
        if 300 <= code < 400 and code != 304:  # a redirect not followed (or one without a Location)
            raise SyncFailure(SyncError.REJECTED, f"{path}: HTTP {code}: a redirect, not followed", code)
        if code >= 400:
            text = _read(resp, _ERROR_BODY, deadline)
            raise SyncFailure(SyncError.REJECTED, f"{path}: HTTP {code}: {text[:200]!r}", code)
        limit = BODY_LIMITS.get(path, MAX_ANSWER_BYTES)
        announced = resp.headers.get("Content-Length", "")
        if announced.strip().isdigit() and int(announced) > limit:
            raise SyncFailure(SyncError.MALFORMED, f"{path}: the answer announces {int(announced)} bytes, "
                                                   f"more than the {size_text(limit)} bound")
        body = _read(resp, limit, deadline)
        if len(body) > limit:
            raise SyncFailure(SyncError.MALFORMED, f"{path}: the answer is larger than {size_text(limit)}; "
                                                   "stopped reading there")
        return Answer(code, body, resp.headers.get("ETag"))


def _read(resp: requests.Response, limit: int, deadline: Deadline) -> bytes:
    """The body, or its first bytes past `limit` (reading stops there), checking the
    deadline between chunks; the deadline's watchdog ends a read that blocks."""
    chunks: list[bytes] = []
    total = 0
    for chunk in resp.iter_content(_CHUNK):
        if deadline.expired:
            raise TimeoutError("deadline")
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            break
    return b"".join(chunks)
