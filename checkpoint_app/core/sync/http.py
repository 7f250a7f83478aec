"""HTTP for the sync: bearer token, timeouts, retries with jittered backoff, classified failures."""

from __future__ import annotations

import email.utils
import logging
import random
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import requests

log = logging.getLogger("checkpoint.sync")


class SyncError(StrEnum):
    NETWORK = "NETWORK"  # connection refused, reset, DNS
    TIMEOUT = "TIMEOUT"
    SERVER_ERROR = "SERVER_ERROR"  # 5xx after the retries
    AUTH_REFUSED = "AUTH_REFUSED"  # 401/403: wrong or revoked token
    REJECTED = "REJECTED"  # another 4xx: the platform calls the request malformed
    BAD_SIGNATURE = "BAD_SIGNATURE"  # a COSE document whose signature or key is wrong
    MALFORMED = "MALFORMED"  # not a document, or a document that breaks the spec
    GAP = "GAP"  # a status page that does not start where asked
    ROLLBACK = "ROLLBACK"  # a trust list or policy serial lower than the one held
    STORE = "STORE"  # the local store refused (disk full, damaged)


class SyncFailure(Exception):
    def __init__(self, code: SyncError, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


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
    status: int
    body: bytes
    etag: str | None
    date: int | None  # the platform's clock (HTTP Date), for clock_error


def _date(header: str | None) -> int | None:
    if not header:
        return None
    try:
        return int(email.utils.parsedate_to_datetime(header).timestamp())
    except (TypeError, ValueError):
        return None


DEFAULT_BACKOFF = Backoff()


class Http:
    def __init__(self, base_url: str, token: str, session: requests.Session | None = None, *,
                 timeout: tuple[float, float] = (5.0, 30.0), attempts: int = 3,
                 backoff: Backoff = DEFAULT_BACKOFF) -> None:
        self.base = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.headers = {"Authorization": f"Bearer {token}", "User-Agent": "checkpoint-app"}
        self.timeout, self.attempts, self.backoff = timeout, attempts, backoff

    def get(self, path: str, params: dict[str, Any] | None = None, etag: str | None = None) -> Answer:
        headers = dict(self.headers, **({"If-None-Match": etag} if etag else {}))
        return self._send("GET", path, params=params, headers=headers)

    def post_json(self, path: str, body: Any) -> Answer:
        return self._send("POST", path, json=body, headers=self.headers)

    def _send(self, method: str, path: str, **kw: Any) -> Answer:
        failure = SyncFailure(SyncError.NETWORK, "no attempt")
        for attempt in range(1, self.attempts + 1):
            try:
                return self._once(method, path, **kw)
            except SyncFailure as exc:
                if exc.code not in (SyncError.NETWORK, SyncError.TIMEOUT, SyncError.SERVER_ERROR):
                    raise
                failure = exc
            if attempt < self.attempts:
                delay = self.backoff.delay(attempt)
                log.info("%s %s failed (%s); retry %d in %.1f s", method, path, failure.code, attempt, delay)
                time.sleep(delay)
        raise failure

    def _once(self, method: str, path: str, **kw: Any) -> Answer:
        try:
            resp = self.session.request(method, self.base + path, timeout=self.timeout, **kw)
            body = resp.content
        except requests.Timeout as exc:
            raise SyncFailure(SyncError.TIMEOUT, f"{path}: no answer in time ({exc.__class__.__name__})") from None
        except requests.RequestException as exc:
            raise SyncFailure(SyncError.NETWORK, f"{path}: {exc.__class__.__name__}") from None
        code = resp.status_code
        if code in (401, 403):
            raise SyncFailure(SyncError.AUTH_REFUSED, f"{path}: the platform refused the token (HTTP {code})")
        if code >= 500 or code in (408, 409, 429):
            raise SyncFailure(SyncError.SERVER_ERROR, f"{path}: HTTP {code}")
        if code >= 400:
            raise SyncFailure(SyncError.REJECTED, f"{path}: HTTP {code}: {body[:200]!r}")
        return Answer(code, body, resp.headers.get("ETag"), _date(resp.headers.get("Date")))
