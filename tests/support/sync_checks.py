"""What the sync and authority tests check against: the cache a status log gives, a store's
snapshot, and a fault-injecting proxy between a checkpoint and the authority."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

from checkpoint_app.authority.db import status_log
from checkpoint_app.authority.platform import Authority


def expected_state(authority: Authority, upto: int | None = None) -> dict[bytes, tuple[int, tuple[int, ...], int]]:
    """The cache that applying every log entry up to `upto`, in order, gives (spec 4.3)."""
    state: dict[bytes, tuple[int, tuple[int, ...], int]] = {}
    with authority.engine.connect() as conn:
        query = select(status_log).order_by(status_log.c.seq)
        if upto is not None:
            query = query.where(status_log.c.seq <= upto)
        for row in conn.execute(query):
            reasons = tuple(int(r) for r in row.reasons.split(",")) if row.reasons else ()
            if row.color == 0 and not reasons:
                state.pop(row.hid, None)
            else:
                state[row.hid] = (row.color, reasons, row.effective_at)
    return state


def cache_state(path: Path) -> dict[bytes, tuple[int, tuple[int, ...], int]]:
    """The store's live cache, read through a second connection."""
    from checkpoint_app.core.store.packing import unpack

    conn = sqlite3.connect(path)
    try:
        return {hid: (int(unpack(st)[0]), unpack(st)[1], at) for hid, st, at in conn.execute("SELECT * FROM status")}
    finally:
        conn.close()


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (read through a second connection): 'exactly as before'."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in sorted(tables)}
    finally:
        conn.close()


Fault = Callable[[str, int, bytes], tuple[int, bytes] | None]


class FaultProxy:
    """Forwards to the authority; `fault(path, status, body)` may replace the answer."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.fault: Fault | None = None
        self.requests: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _forward(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                resp = requests.request(method, proxy.upstream + self.path, data=data, headers=headers, timeout=10)
                status, body = resp.status_code, resp.content
                proxy.requests.append(f"{method} {self.path} {status}")
                changed = proxy.fault(self.path, status, body) if proxy.fault else None
                if changed is not None:
                    status, body = changed
                self.send_response(status)
                for key in ("ETag", "Content-Type"):
                    if key in resp.headers and changed is None:
                        self.send_header(key, resp.headers[key])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._forward("GET")

            def do_POST(self) -> None:
                self._forward("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
