"""The reference platform's state and operations, shared by the HTTP server and the CLI."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, exc, select

from checkpoint_app.authority import epoch, lookup, scans, schedule, statuslog
from checkpoint_app.authority.db import bump, checkpoints, documents, make_engine
from checkpoint_app.authority.pagecache import PageCache, SignedPage
from checkpoint_app.authority.tokens import TokenCache, token_hash
from checkpoint_app.core.bounds import MAX_PAGE_BYTES
from checkpoint_app.core.codes.cose import parse_sign1
from checkpoint_app.core.codes.signature import PrivateKey
from checkpoint_app.core.identity import IdDocument
from checkpoint_app.core.status_pages import StatusPage, encode_status_page
from checkpoint_app.core.trust.documents import open_document, sign_document
from checkpoint_app.core.trust.policy import Policy, parse_policy
from checkpoint_app.core.trust.trust_list import TrustList, parse_trust_list

log = logging.getLogger("checkpoint.authority")
DEFAULT_PAGE_SIZE = 10_000
_PARSERS: dict[str, Callable[[bytes], TrustList | Policy]] = {"trust-list": parse_trust_list, "policy": parse_policy}


__all__ = ["Authority", "LookupUnavailable", "SignedPage", "token_hash"]


@dataclass
class Authority:
    """The database, the distribution key that signs what is served, and the page size."""

    engine: Engine
    distribution_key: PrivateKey | None  # None: commands that sign nothing (set-status, stats)
    page_size: int = DEFAULT_PAGE_SIZE
    clock: Callable[[], float] = time.time
    admin_token: str | None = None
    hid_secret: bytes | None = None  # None: lookups by document are not offered (501)
    lookups_per_minute: int = lookup.LOOKUPS_PER_MINUTE
    # How long a server process answers from what it read (pagecache.py, tokens.py): 0 reads the
    # database for every request; `serve` uses 1 s.
    refresh_s: float = 0.0
    pages: PageCache = field(init=False, repr=False)
    tokens: TokenCache = field(init=False, repr=False)
    _documents: dict[str, tuple[int, bytes]] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.pages = PageCache(self.engine, self._sign_page, lambda: self.clock(), self.refresh_s,
                               lambda now: schedule.publish_due(self.engine, now))
        self.tokens = TokenCache(self.engine)

    @classmethod
    def open(cls, db_url: str, distribution_key: PrivateKey | None, **kw: Any) -> Authority:
        return cls(make_engine(db_url), distribution_key, **kw)

    @property
    def key(self) -> PrivateKey:
        if self.distribution_key is None:
            raise ValueError("this needs the distribution key (--key)")
        return self.distribution_key

    # -- documents ---------------------------------------------------------------------
    def publish(self, kind: str, signed: bytes) -> int:
        """Serve a signed trust list or policy; it must verify, not go back in serial, and never
        reuse one: the same serial again only for the same document (a restart's publish)."""
        payload = open_document(signed, [self.key.public_key()])
        doc = _PARSERS[kind](payload)
        with self.engine.begin() as conn:
            held = conn.execute(select(documents.c.serial, documents.c.body).where(documents.c.kind == kind)).first()
            if held is not None and doc.serial == held.serial:
                if parse_sign1(held.body).payload == payload:
                    return doc.serial
                raise ValueError(f"{kind} serial {doc.serial} is already published with other content;"
                                 " a serial is never reused")
            if held is not None and doc.serial < held.serial:
                raise ValueError(f"{kind} serial {doc.serial} is lower than the published {held.serial}")
            if doc.serial <= (floor := epoch.floor(conn, kind)):
                raise ValueError(f"{kind} serial {doc.serial} is not above {floor}, the floor set by new-epoch"
                                 " (checkpoints may hold serials up to it)")
            conn.execute(documents.delete().where(documents.c.kind == kind))
            conn.execute(documents.insert().values(kind=kind, serial=doc.serial, body=signed))
        self.pages.invalidate()  # pages announce the new serial
        log.info("published %s serial %d", kind, doc.serial)
        return doc.serial

    def document(self, kind: str) -> bytes | None:
        """The signed document served now: from memory while the serial that this process last
        read from the database (pagecache.py, once per refresh) is the one it holds."""
        state = self.pages.view().state
        serial = state.trust_serial if kind == "trust-list" else state.policy_serial
        held = self._documents.get(kind)
        if held is not None and held[0] == serial:
            return held[1]
        with self.engine.connect() as conn:
            row = conn.execute(select(documents.c.serial, documents.c.body).where(documents.c.kind == kind)).first()
        if row is None:
            return None
        self._documents[kind] = (int(row.serial), bytes(row.body))
        return self._documents[kind][1]

    # -- status log --------------------------------------------------------------------
    def set_statuses(self, changes: Iterable[statuslog.Change]) -> int:
        """Record changes; those dated after now are held until due (schedule.py). Returns the head."""
        head = schedule.record(self.engine, changes, int(self.clock()))
        self.pages.invalidate()
        return head

    def status_page(self, since: int, rebuild: bool, limit: int | None = None) -> SignedPage:
        """The signed page after `since`, with the changes that have come due published first
        (pagecache.py: from memory when this process read the log less than refresh_s ago).
        A page that would pass the checkpoints' 4 MiB bound (spec 4.4: entries with many
        reasons, a large --page-size) is made again with half the entries, until it fits."""
        limit = limit or self.page_size
        while True:
            served = self.pages.page(since, rebuild, limit)
            if len(served.body) <= MAX_PAGE_BYTES or limit == 1:
                return served
            limit //= 2

    def _sign_page(self, page: StatusPage) -> bytes:
        return sign_document(self.key, encode_status_page(page))

    def new_epoch(self, serial_gap: int = epoch.DEFAULT_SERIAL_GAP) -> epoch.NewEpoch:
        """After a restore from backup or a rebuilt log: checkpoints rebuild their caches."""
        started = epoch.new_epoch(self.engine, serial_gap)
        self.pages.invalidate()
        log.warning("new epoch %s of the status log; document serials must exceed %s", started.epoch.hex(),
                    started.floors)
        return started

    def compact(self, drop_removals_before: int | None) -> statuslog.CompactResult:
        result = statuslog.compact(self.engine, drop_removals_before)
        self.pages.invalidate()
        log.info("compacted the status log: %d entries deleted, horizon %d", result.deleted, result.horizon)
        return result

    # -- checkpoints and scans ---------------------------------------------------------
    def register_checkpoint(self, checkpoint_id: str, token: str | None = None) -> str:
        """Register (or re-key) a checkpoint; returns its bearer token. Only a hash is kept."""
        if not checkpoint_id or "." in checkpoint_id or len(checkpoint_id) > 64:
            raise ValueError("a checkpoint id is 1-64 characters without '.'")
        token = token or f"{checkpoint_id}.{secrets.token_urlsafe(24)}"
        with self.engine.begin() as conn:
            conn.execute(checkpoints.delete().where(checkpoints.c.checkpoint_id == checkpoint_id))
            conn.execute(checkpoints.insert().values(checkpoint_id=checkpoint_id, token_sha256=token_hash(token),
                                                     created_at=int(self.clock())))
            bump(conn, "checkpoints")
        self.tokens_changed()
        return token

    def tokens_changed(self) -> None:
        """A token was added or revoked through this process: every request from now sees it."""
        self.tokens.invalidate()
        self.pages.invalidate()

    def checkpoint_for(self, token: str) -> str | None:
        """The checkpoint of a bearer token, from memory (tokens.py); None for an unknown token."""
        self.tokens.follow(self.pages.view().state.checkpoints)
        return self.tokens.checkpoint_for(token)

    def ingest(self, checkpoint_id: str, body: Any) -> scans.IngestResult:
        rows, rejected = scans.parse_batch(checkpoint_id, body)
        try:
            return scans.ingest(self.engine, rows, rejected)
        except exc.IntegrityError:
            # The same event arrived in a parallel request between our check and insert.
            return scans.ingest(self.engine, rows, rejected)

    def stats(self, ts_from: int, ts_to: int) -> dict[str, Any]:
        return scans.stats(self.engine, ts_from, ts_to)

    # -- lookup by identity document (spec 5.1) -----------------------------------------
    def register_person(self, doc: IdDocument, hid: bytes, masked_name: str, iss: str) -> None:
        """Let lookups by this document find the person; only a keyed hash of it is kept."""
        if self.hid_secret is None:
            raise ValueError("registering a person for lookups needs the hid secret (--hid-key)")
        lookup.register(self.engine, self.hid_secret, doc, hid, masked_name, iss, int(self.clock()))

    def lookup(self, checkpoint_id: str, body: Any) -> bytes:
        """The signed answer to a lookup request; BadLookup (400), RateLimited (429), or
        LookupUnavailable (501) when this platform was started without the hid secret."""
        if self.hid_secret is None:
            raise LookupUnavailable("this platform answers no lookups (started without --hid-key)")
        request = lookup.parse_request(body)
        now = int(self.clock())
        lookup.admit(self.engine, checkpoint_id, now, self.lookups_per_minute)
        schedule.publish_due(self.engine, now)  # a change that took effect since the last page counts
        return sign_document(self.key, lookup.encode(lookup.answer(self.engine, self.hid_secret, request, now)))


class LookupUnavailable(Exception):
    """The platform holds no hid secret, so it cannot find anyone by document."""
