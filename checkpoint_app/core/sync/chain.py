"""The rules of spec 4.3 (1.1) on a chain of status pages, shared by the online and the
folder sync: where the chain stands (cursor, epoch, rebuild), what may replace the whole
cache, when a server's page is fresh, and which documents a page announces.

Why a whole-cache replacement is checked against `last_at`: pages that continue the
cursor within one epoch are the log's genuine history and can only move the cache
forward; a reset, or the first page of a new epoch's chain, throws the cache away, so a
replayed old one would roll it back (a confirmed case passing again). The same holds for
the last page of such a chain: the full pages of a rebuild are fixed history, but its last
page says where the new cache ends, and a genuine old one captured when the log was
shorter would end it before the cache it replaces (check_completion)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from checkpoint_app.core.codes.signature import PublicKey
from checkpoint_app.core.errors import DocumentError
from checkpoint_app.core.status_pages import StatusPage
from checkpoint_app.core.store import Store
from checkpoint_app.core.sync.http import SyncError, SyncFailure
from checkpoint_app.core.trust.documents import open_document
from checkpoint_app.core.trust.policy import parse_policy

log = logging.getLogger("checkpoint.sync")
DEFAULT_SKEW_S = 300  # spec 6, until a policy is held
DOCUMENT_KINDS = ("trust-list", "policy")


@dataclass
class Chain:
    """Where the next request starts and what its page must carry."""

    since: int
    epoch: bytes | None  # the epoch the next page must carry; None: take the next page's
    rebuilding: bool = False  # asking with rebuild=1: after a reset, or for a new epoch
    replacing: bool = False  # the next page starts a whole new cache (a new epoch's chain)

    def params(self) -> dict[str, Any]:
        return {"since": self.since, **({"rebuild": 1} if self.rebuilding else {})}

    def foreign(self, page: StatusPage) -> bool:
        """A page of another epoch that is not a reset: refused, the cache is rebuilt."""
        return not page.reset and self.epoch is not None and page.epoch != self.epoch

    def restart_for_new_epoch(self, page: StatusPage) -> None:
        if self.rebuilding:
            raise SyncFailure(SyncError.MALFORMED, f"status page of epoch {page.epoch.hex()} within a chain"
                                                   f" of epoch {(self.epoch or b'').hex()}")
        log.warning("the platform's status log is in a new epoch (%s, held %s): rebuilding the cache",
                    page.epoch.hex(), (self.epoch or b"").hex())
        self.since, self.epoch, self.rebuilding, self.replacing = 0, None, True, True

    def starts_cache(self, page: StatusPage) -> bool:
        return page.reset or self.replacing

    def advance(self, page: StatusPage) -> StatusPage:
        """Move past an accepted page; the page to apply (the first page of a new epoch's
        chain is applied as a reset: it opens the shadow cache)."""
        apply = dataclasses.replace(page, reset=True) if self.replacing else page
        if page.more and page.to <= self.since and not page.reset:
            raise SyncFailure(SyncError.MALFORMED, f"status page ({self.since}, {page.to}] says more but stays put")
        self.since, self.epoch = page.to, page.epoch
        self.rebuilding, self.replacing = self.rebuilding or page.reset, False
        return apply


def check_replacement(page: StatusPage, last_at: int | None, skew_s: int, now: int | None) -> None:
    """A page that replaces the whole cache: never older than `last_at - skew_s`, and when it is a
    server's reset (`now` given), within `skew_s` of now. Otherwise it is refused whole."""
    if page.reset and now is not None and abs(page.at - now) > skew_s:
        raise SyncFailure(SyncError.REPLAY, f"a reset page signed at {page.at} is not within {skew_s} s of"
                                            f" now ({now}): a replayed page or a wrong clock")
    if last_at is not None and page.at < last_at - skew_s:
        raise SyncFailure(SyncError.REPLAY, f"a page that replaces the cache was signed at {page.at}, before"
                                            f" the newest data held ({last_at}): a replayed page")


@dataclass(frozen=True)
class Held:
    """What the live cache stands on: the newest signed platform time, its cursor and epoch."""

    last_at: int | None
    cursor: int
    epoch: bytes | None


def check_completion(page: StatusPage, held: Held, skew_s: int) -> None:
    """The last page of a chain that replaces the whole cache: the new cache may not be older
    than the one held, by its signed time nor, within one epoch's append-only log, by its end."""
    check_replacement(page, held.last_at, skew_s, None)
    if held.epoch == page.epoch and page.to < held.cursor:
        raise SyncFailure(SyncError.REPLAY, f"a chain that replaces the cache ends at {page.to}, before the held"
                                            f" cursor {held.cursor} of the same epoch: an old last page, or a"
                                            " platform restored from a backup without"
                                            " `checkpoint-authority new-epoch`; the held cache stays")


def check_fresh(page: StatusPage, now: int, skew_s: int) -> None:
    """A server's last page must be fresh; its pages stay applied either way (spec 4.3)."""
    if abs(page.at - now) > skew_s:
        raise SyncFailure(SyncError.NOT_FRESH, f"the last status page was signed at {page.at}, not within"
                                               f" {skew_s} s of now ({now}): an old mirror or a wrong clock")


def announced(page: StatusPage, store: Store) -> list[tuple[str, int]]:
    """The documents the page announces with a higher serial than the store holds."""
    wanted = []
    for kind, serial in zip(DOCUMENT_KINDS, (page.trust_serial, page.policy_serial), strict=True):
        held = store.document(kind)
        if serial > (held.serial if held is not None else 0):
            wanted.append((kind, serial))
    return wanted


def require_announced(page: StatusPage, store: Store, where: str) -> None:
    for kind, serial in announced(page, store):
        held = store.document(kind)
        raise SyncFailure(SyncError.DOCUMENT_BEHIND,
                          f"status page ({page.since}, {page.to}] announces {kind} serial {serial}, but {where}"
                          f" has only {held.serial if held else 'none'}: the page is not applied")


def skew_of(store: Store, keys: Sequence[PublicKey]) -> int:
    """clock_skew_s of the held policy (spec 6's default before there is one)."""
    held = store.document("policy")
    if held is None:
        return DEFAULT_SKEW_S
    try:
        return parse_policy(open_document(held.body, keys)).clock_skew_s
    except DocumentError as exc:
        raise SyncFailure(SyncError.STORE, f"the held policy no longer verifies: {exc}") from None
