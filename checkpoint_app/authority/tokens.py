"""Checkpoint tokens checked from memory, not with a database query per request.

Each server process holds every token's SHA-256 with its checkpoint. The `checkpoints`
counter rises with every registration and revocation (in the same transaction), and the
page cache reads it at every refresh (pagecache.py: every second under `serve`); when it
has moved, the map is read again. So a revoked token is refused by every process within
one refresh (plus the read: about 0.1 s for 100,000 checkpoints). A token not in the map
is looked up in the database, so a checkpoint registered a moment ago is never refused.

Why a plain SHA-256 and not a slow password hash (scrypt, as for dashboard accounts):
tokens are 192 random bits, not chosen by people; nobody can try them from a leaked hash,
and the check must cost microseconds at 2,000 requests a second."""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine, select

from checkpoint_app.authority.db import checkpoints


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenCache:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._version: int | None = None
        self._by_hash: dict[str, str] = {}

    def follow(self, version: int) -> None:
        """Read the tokens again if they changed since they were read (the `checkpoints` counter)."""
        if version != self._version:
            with self.engine.connect() as conn:
                rows = conn.execute(select(checkpoints.c.token_sha256, checkpoints.c.checkpoint_id))
                self._by_hash = dict(rows.all())
            self._version = version

    def invalidate(self) -> None:
        self._version = None

    def checkpoint_for(self, token: str) -> str | None:
        digest = token_hash(token)
        held = self._by_hash
        found = held.get(digest)
        if found is None:
            with self.engine.connect() as conn:
                found = conn.execute(select(checkpoints.c.checkpoint_id)
                                     .where(checkpoints.c.token_sha256 == digest)).scalar()
            if found is not None and self._by_hash is held:  # not if the map was read again meanwhile
                held[digest] = found
        return found
