"""A checkpoint's world for the store and upload tests: the reference authority on loopback
(in a thread, real HTTP), a data folder synced from it with the command line, the demo
codes, and ways to look at the folder before and after ("nothing was lost")."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.server import ServerHandle, start_in_thread
from checkpoint_app.demo.authority import seed
from checkpoint_app.demo.people import demo_codes, demo_keys_dir

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


Judge = Callable[[str, Any], "tuple[int, bytes] | None"]


class ScanGate:
    """A forwarding proxy in front of the authority whose `judge(path, json body)` may
    answer a request itself (a 413 for a batch it finds too large, a 404 of a misrouted
    URL) instead of passing it on. `seen` lists (path, number of events, status)."""

    def __init__(self, upstream: str, judge: Judge | None = None) -> None:
        self.upstream, self.judge = upstream, judge
        self.seen: list[tuple[str, int, int]] = []
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _pass(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else b""
                body = json.loads(data) if data else None
                verdict = gate.judge(self.path, body) if gate.judge else None
                if verdict is None:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                    resp = requests.request(method, gate.upstream + self.path, data=data or None, headers=headers,
                                            timeout=10)
                    verdict = (resp.status_code, resp.content)
                events = body.get("events") if isinstance(body, dict) else None
                gate.seen.append((self.path, len(events) if isinstance(events, list) else 0, verdict[0]))
                self.send_response(verdict[0])
                self.send_header("Content-Length", str(len(verdict[1])))
                self.end_headers()
                self.wfile.write(verdict[1])

            def do_GET(self) -> None:
                self._pass("GET")

            def do_POST(self) -> None:
                self._pass("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __enter__(self) -> ScanGate:
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
