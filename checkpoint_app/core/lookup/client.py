"""Asking the platform (spec 5.1): `POST /v1/lookup` over https:// (or loopback, for tests),
one attempt within a short deadline, and the answer checked before anything is decided.

One attempt, no retries: a person waits at the door, and without an answer the guard
records them by hand; a retry is the guard's choice (place the card again). The number
goes only into the request body: never into a log line, an error or the URL."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from checkpoint_app.core.codes.signature import PublicKey
from checkpoint_app.core.configuration import PlatformAccess, choose_platform
from checkpoint_app.core.identity import IdDocument
from checkpoint_app.core.lookup.answer import (
    LookupAnswer,
    LookupFailure,
    LookupProblem,
    check_answer,
    new_nonce,
    request_body,
)
from checkpoint_app.core.store import Store
from checkpoint_app.core.store.remembered import remembered_access
from checkpoint_app.core.sync.deadline import Cancel
from checkpoint_app.core.sync.http import Http, SyncError, SyncFailure

PATH = "/v1/lookup"
# Not the 60 s of a sync (spec 4.4 default): someone stands at the entrance meanwhile.
LOOKUP_DEADLINE_S = 10.0
_PROBLEMS = {
    SyncError.NETWORK: LookupProblem.NETWORK, SyncError.TIMEOUT: LookupProblem.TIMEOUT,
    SyncError.AUTH_REFUSED: LookupProblem.AUTH_REFUSED, SyncError.SERVER_ERROR: LookupProblem.SERVER_ERROR,
    SyncError.MALFORMED: LookupProblem.MALFORMED,
}


@dataclass(frozen=True)
class LookupPlatform:
    """Where to ask and whom to believe: what `sync` remembered in the data folder."""

    server_url: str
    token: str
    keys: tuple[PublicKey, ...]


def check_url(url: str) -> None:
    """Spec 5.1: the body holds the full number, so only https:// or a loopback address."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and _loopback(parts.hostname or ""):
        return
    raise LookupFailure(LookupProblem.NOT_HTTPS, "lookups go only to an https:// platform (or loopback, for tests)")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ask(platform: LookupPlatform, doc: IdDocument, clock_skew_s: int, *, now: Callable[[], float] = time.time,
        session: requests.Session | None = None, deadline_s: float = LOOKUP_DEADLINE_S,
        cancel: Cancel | None = None) -> LookupAnswer:
    """The platform's verified answer for `doc`, or LookupFailure (no answer: no decision)."""
    check_url(platform.server_url)
    if not platform.keys:
        raise LookupFailure(LookupProblem.NOT_CONFIGURED, "no distribution key pinned")
    nonce = new_nonce()
    http = Http(platform.server_url, platform.token, _session(platform.server_url, session),
                deadline_s=deadline_s, attempts=1, follow_redirects=False, cancel=cancel)
    try:
        reply = http.post_json(PATH, request_body(doc, nonce))
    except SyncFailure as exc:
        # The status only: an error page may quote the request (a proxy's, a firewall's).
        raise LookupFailure(_problem(exc), f"{PATH}: HTTP {exc.status}" if exc.status else exc.detail) from None
    return check_answer(reply.body, platform.keys, nonce, int(now()), clock_skew_s)


def _session(url: str, session: requests.Session | None) -> requests.Session:
    """For a loopback http:// platform, no proxy from the environment: HTTP_PROXY would carry
    the number in clear to the proxy. (https:// goes through a proxy as a tunnel: kept.)"""
    session = session or requests.Session()
    if urlsplit(url).scheme == "http":
        session.trust_env = False
    return session


def _problem(exc: SyncFailure) -> LookupProblem:
    if exc.status == 429:
        return LookupProblem.RATE_LIMITED
    return _PROBLEMS.get(exc.code, LookupProblem.REJECTED)


def chosen_platform(store: Store, keys: Sequence[PublicKey], configured: PlatformAccess) -> LookupPlatform | None:
    """The platform and token that `sync` remembered in the data folder (spec 9), else the
    settings' (core.configuration.choose_platform, the window's rule), with the pinned `keys`
    (choose_keys); None when one of them is missing."""
    chosen = choose_platform(remembered=remembered_access(store), configured=configured)
    if not (chosen.server_url and chosen.token and keys):
        return None
    return LookupPlatform(chosen.server_url, chosen.token, tuple(keys))
