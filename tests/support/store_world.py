"""A checkpoint's world for the store and upload tests: the reference authority on loopback
(in a thread, real HTTP), a data folder synced from it with the command line, the demo
codes, and ways to look at the folder before and after ("nothing was lost")."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkpoint_app.authority.demo import demo_codes, demo_keys_dir
from checkpoint_app.authority.demo_server import seed
from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.server import ServerHandle, start_in_thread

PUB = demo_keys_dir() / "distribution.pub.pem"
STORE = "checkpoint.sqlite3"


@dataclass
class World:
    authority: Authority
    handle: ServerHandle
    token: str
    now: int

    @property
    def url(self) -> str:
        return self.handle.url

    def codes(self) -> dict[str, str]:
        return {c.label: c.text for c in demo_codes(self.now)}

    def sync_args(self, data: Path) -> list[str]:
        return ["sync", "--once", "--server", self.url, "--token", self.token, "--root-key", str(PUB),
                "--data-dir", str(data)]


@contextmanager
def loopback_platform(tmp: Path, page_size: int = 50) -> Iterator[World]:
    now = int(time.time())
    key = load_private_key(demo_keys_dir() / "distribution.pem")
    authority = Authority.open(f"sqlite:///{tmp / 'authority.sqlite3'}", key, page_size=page_size)
    seed(authority, now)
    token = authority.register_checkpoint("TY-XD-0001")
    handle = start_in_thread(authority)
    try:
        yield World(authority, handle, token, now)
    finally:
        handle.stop()


@dataclass(frozen=True)
class Done:
    code: int
    out: str
    err: str
    seconds: float


def run_cli(args: Sequence[str], *, env: dict[str, str] | None = None, timeout: float = 60,
            user: str | None = None, stdin: str | None = None) -> Done:
    """`checkpoint-app ARGS` in its own process (optionally as another user)."""
    cmd = [sys.executable, "-m", "checkpoint_app", *args]
    t0 = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, user=user, input=stdin,
                          cwd=Path(__file__).resolve().parents[2])
    return Done(done.returncode, done.stdout, done.stderr, time.monotonic() - t0)


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read through a plain connection: "exactly as before"."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in sorted(tables)}
    finally:
        conn.close()


def one_line_error(err: str, *needles: str) -> bool:
    """Exactly one line on stderr, no traceback, naming every needle."""
    return err.count("\n") == 1 and "Traceback" not in err and all(n in err for n in needles)
