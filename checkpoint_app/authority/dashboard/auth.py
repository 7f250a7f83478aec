"""Dashboard accounts and sessions.

Passwords: scrypt from the standard library (hashlib.scrypt, RFC 7914; N=2^15, r=8, p=1,
about 30 ms here), salted, compared in constant time. Sessions live in the database, so
that every worker process verifies them, and logout or expiry ends them everywhere: the
browser holds a random id (HttpOnly, SameSite=Strict cookie), the table only its SHA-256,
with a per-session CSRF token that every POST must carry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, delete, select, update

from checkpoint_app.authority.db import admin_sessions, admin_users

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
IDLE_S = 30 * 60  # a session unused for 30 minutes ends
MAX_AGE_S = 12 * 3600  # and any session after 12 hours
TOUCH_EVERY_S = 60  # last_seen is written at most once a minute per session
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@")
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=2**26, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=2**26, dklen=32)
    except (ValueError, TypeError):
        return False
    return kind == "scrypt" and hmac.compare_digest(got, base64.b64decode(digest))


_DUMMY_HASH = hash_password(secrets.token_hex(16))  # an unknown user costs the same time as a known one


def check_new_account(username: str, password: str) -> None:
    if not (0 < len(username) <= 64 and set(username) <= USERNAME_CHARS):
        raise ValueError("a user name is 1-64 letters, digits or . _ - @")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")


def set_account(engine: Engine, username: str, password: str, now: int) -> bool:
    """Create the account or change its password (ending its sessions). True if it was new."""
    check_new_account(username, password)
    with engine.begin() as conn:
        held = conn.execute(select(admin_users.c.username).where(admin_users.c.username == username)).first()
        conn.execute(delete(admin_users).where(admin_users.c.username == username))
        conn.execute(delete(admin_sessions).where(admin_sessions.c.username == username))
        conn.execute(admin_users.insert().values(username=username, password_hash=hash_password(password),
                                                 created_at=now))
    return held is None


def remove_account(engine: Engine, username: str) -> bool:
    with engine.begin() as conn:
        conn.execute(delete(admin_sessions).where(admin_sessions.c.username == username))
        return conn.execute(delete(admin_users).where(admin_users.c.username == username)).rowcount > 0


def accounts(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(admin_users.c.username).order_by(admin_users.c.username)).scalars())


def verify_login(engine: Engine, username: str, password: str) -> bool:
    with engine.connect() as conn:
        stored = conn.execute(select(admin_users.c.password_hash).where(admin_users.c.username == username)).scalar()
    return check_password(password, stored or _DUMMY_HASH) and stored is not None


@dataclass(frozen=True)
class Session:
    username: str
    csrf: str


def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def open_session(engine: Engine, username: str, now: int) -> tuple[str, Session]:
    sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(delete(admin_sessions).where(admin_sessions.c.last_seen < now - IDLE_S))
        conn.execute(admin_sessions.insert().values(sid_sha256=_sid_hash(sid), username=username, csrf=csrf,
                                                    created_at=now, last_seen=now))
    return sid, Session(username, csrf)


def find_session(engine: Engine, sid: str, now: int) -> Session | None:
    """The live session of this cookie value, or None (unknown, idle too long or too old)."""
    if not sid or len(sid) > 128:
        return None
    key = _sid_hash(sid)
    with engine.connect() as conn:
        row = conn.execute(select(admin_sessions).where(admin_sessions.c.sid_sha256 == key)).first()
    if row is None:
        return None
    if now - row.last_seen > IDLE_S or now - row.created_at > MAX_AGE_S:
        close_session(engine, sid)
        return None
    if now - row.last_seen >= TOUCH_EVERY_S:
        with engine.begin() as conn:
            conn.execute(update(admin_sessions).where(admin_sessions.c.sid_sha256 == key).values(last_seen=now))
    return Session(row.username, row.csrf)


def close_session(engine: Engine, sid: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(admin_sessions).where(admin_sessions.c.sid_sha256 == _sid_hash(sid)))


@dataclass
class LoginThrottle:
    """At most `limit` failed logins per user name (and per address) in `window_s`, per process:
    slows a password guesser down without locking anyone out for long."""

    limit: int = 10
    window_s: int = 600
    clock: Callable[[], float] = time.monotonic
    # Names and addresses with a recent failure, at most: a guesser who varies the name made
    # the table grow with every request (each name was kept, failed or not, for good).
    max_keys: int = 10_000
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def blocked(self, *keys: str) -> bool:
        now = self.clock()
        hit = False
        with self._lock:
            for key in keys:
                recent = [t for t in self._failures.get(key, ()) if now - t < self.window_s]
                if recent:
                    self._failures[key] = recent
                else:
                    self._failures.pop(key, None)
                hit = hit or len(recent) >= self.limit
        return hit

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) >= self.max_keys:
                self._failures = {k: v for k, v in self._failures.items() if now - v[-1] < self.window_s}
            for key in keys:
                if key in self._failures or len(self._failures) < self.max_keys:
                    self._failures.setdefault(key, []).append(now)
