"""Helpers of the lookup tests (spec 5.1): a platform on the real clock that answers lookups
for the demo people, and a worker that hammers the rate limit from another process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.authority.lookup import RateLimited
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.server import ServerHandle, start_in_thread
from checkpoint_app.demo.authority import seed
from checkpoint_app.demo.people import DEMO_PEOPLE, demo_keys_dir, hid_secret

PEOPLE = {p.label: p for p in DEMO_PEOPLE}
# Valid, and known to nobody.
STRANGER = "110101200001010002"
ROOT_PEM = demo_keys_dir() / "distribution.pub.pem"


@dataclass
class LookupPlatform:
    authority: Authority
    handle: ServerHandle
    token: str

    @property
    def url(self) -> str:
        return self.handle.url


def open_authority(url: str, **kw: Any) -> Authority:
    return Authority.open(url, load_private_key(demo_keys_dir() / "distribution.pem"), hid_secret=hid_secret(), **kw)


@contextmanager
def lookup_platform(tmp_path: Path, **kw: Any) -> Iterator[LookupPlatform]:
    """The demo platform on the real clock (answers must be fresh) with one checkpoint."""
    authority = open_authority(f"sqlite:///{tmp_path / 'authority.sqlite3'}", **kw)
    seed(authority, int(time.time()))
    token = authority.register_checkpoint("TY-XD-0001")
    handle = start_in_thread(authority)
    try:
        yield LookupPlatform(authority, handle, token)
    finally:
        handle.stop()
        authority.engine.dispose()


def body(number: str, nonce: str = "00" * 16, doc_type: int = 1) -> dict[str, Any]:
    return {"doc_type": doc_type, "doc": number, "nonce": nonce}


def hammer(url: str, checkpoint_id: str, n: int, start: Any, results: Any) -> None:
    """In a process of its own: n lookups as fast as possible once every process is ready
    (`start`, a Barrier); puts (answered, refused with 429) on `results`."""
    authority = open_authority(url)
    authority.checkpoint_for("warm-up")  # connected before the start
    start.wait(60)
    answered = refused = 0
    for _ in range(n):
        try:
            authority.lookup(checkpoint_id, body(PEOPLE["green"].id_number))
            answered += 1
        except RateLimited:
            refused += 1
    authority.engine.dispose()
    results.put((answered, refused))


class RecordingProxy:
    """Forwards to the platform and keeps every request body it saw (what left the checkpoint);
    `replace(path, body)` may swap an answer (a replay, a forgery)."""

    def __init__(self, upstream: str) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        import requests

        self.sent: list[tuple[str, bytes]] = []
        self.answers: list[tuple[str, bytes]] = []
        self.replace: Any = None
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _forward(self, method: str) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.sent.append((self.path, data))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                resp = requests.request(method, upstream + self.path, data=data or None, headers=headers, timeout=10)
                content = resp.content
                proxy.answers.append((self.path, content))
                if proxy.replace is not None:
                    content = proxy.replace(self.path, content)
                self.send_response(resp.status_code)
                self.send_header("Content-Type", resp.headers.get("Content-Type", "application/octet-stream"))
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

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
