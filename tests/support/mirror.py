"""A hostile mirror on loopback HTTP: what a cache, a CDN, a proxy or an attacker between a
checkpoint and the platform can do without the distribution key.

It forwards to the real authority and remembers every answer; a test can instead have it
serve captured real answers again (a replay), answer everything with `304 Not Modified`
(a frozen cache), or put any `Date` header on its answers. The documents it serves stay
genuinely signed: only their age and choice are hostile."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests


@dataclass(frozen=True)
class Captured:
    status: int
    body: bytes
    headers: dict[str, str]


class Mirror:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.captured: dict[str, Captured] = {}  # the last answer per path and query
        self.requests: list[str] = []  # "GET /v1/status?since=4 200", as answered
        self._replays: dict[str, Captured] = {}  # path prefix -> the answer served instead
        self._exact: dict[str, Captured] = {}  # path and query -> the answer served instead
        self.frozen = False  # answer every GET with 304
        self.date: str | None = None  # the Date header of every answer (None: the real time)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="mirror", daemon=True)
        self._thread.start()

    def capture(self, path: str, token: str) -> Captured:
        """Fetch an answer from the real platform, as a checkpoint holding `token` can."""
        resp = requests.get(self.upstream + path, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        got = Captured(resp.status_code, resp.content, dict(resp.headers))
        self.captured[path] = got
        return got

    def replay(self, prefix: str, answer: Captured) -> None:
        """From now on answer every request whose path starts with `prefix` with `answer`."""
        self._replays[prefix] = answer

    def replay_exact(self, path: str, answer: Captured) -> None:
        """From now on answer requests for exactly `path` (with its query) with `answer`."""
        self._exact[path] = answer

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)

    def _answer(self, method: str, path: str, headers: dict[str, str], data: bytes | None) -> Captured:
        if self.frozen and method == "GET":
            return Captured(304, b"", {})
        if path in self._exact:
            return self._exact[path]
        for prefix, answer in self._replays.items():
            if path.startswith(prefix):
                return answer
        resp = requests.request(method, self.upstream + path, data=data, headers=headers, timeout=30)
        got = Captured(resp.status_code, resp.content, dict(resp.headers))
        self.captured[path] = got
        return got

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def date_time_string(self, timestamp: float | None = None) -> str:
                return mirror.date or super().date_time_string(timestamp)

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                got = mirror._answer(method, self.path, headers, data)
                mirror.requests.append(f"{method} {self.path} {got.status}")
                self.send_response(got.status)  # adds Date (date_time_string above)
                for key in ("ETag", "Content-Type", "Cache-Control"):
                    if key in got.headers:
                        self.send_header(key, got.headers[key])
                self.send_header("Content-Length", str(len(got.body)))
                self.end_headers()
                if got.status != 304:
                    self.wfile.write(got.body)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

        return Handler
