"""A hostile HTTP server on loopback, and hostile clients, for the bounds tests (spec 4.4).

Raw sockets, one thread per connection, so that the server can do what no well-behaved
framework would: dribble a body or the headers one byte at a time, stream chunks or a
body without end, announce gigabytes, answer nothing. Each behaviour is a function of the
connection; `HostileServer.serve(path_prefix, behaviour)` picks one per request path.

    with HostileServer() as srv:
        srv.serve("/v1/trust-list", slow_body(b"x" * 100, interval_s=2))
        ... srv.url ...
        srv.sent  # bytes written so far, over all connections

The server stops writing as soon as the client goes away, so `sent` also shows where the
client stopped reading (plus what the kernel's socket buffers held). `relay(upstream)`
passes a path on to the real platform, so a sync can get as far as the hostile step;
`BlackHole` is a platform that never takes the connection (a firewall dropping the SYN)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

Behaviour = Callable[["Connection"], None]


class Connection:
    """One accepted connection, with the request line that came in."""

    def __init__(self, server: HostileServer, sock: socket.socket, request: bytes) -> None:
        self.server, self.sock, self.request = server, sock, request

    @property
    def path(self) -> str:
        parts = self.request.split(b" ", 2)
        return parts[1].decode("latin-1") if len(parts) > 1 else ""

    def send(self, data: bytes) -> None:
        """Write; raises ConnectionError when the client has gone (or the test ends)."""
        if self.server.stopping.is_set():
            raise ConnectionError("server stopping")
        self.sock.sendall(data)
        with self.server.lock:
            self.server.sent += len(data)

    def wait(self, seconds: float) -> None:
        if self.server.stopping.wait(seconds):
            raise ConnectionError("server stopping")


def _head(status: int = 200, **headers: Any) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(body: bytes, status: int = 200, **headers: Any) -> Behaviour:
    """A normal answer (use it for a prepared page behind a hostile one)."""
    def run(c: Connection) -> None:
        c.send(_head(status, Content_Length=len(body), Connection="close", **headers) + body)
    return run


def slow_body(body: bytes, interval_s: float, step: int = 1) -> Behaviour:
    """Honest headers, then the body `step` bytes every `interval_s` seconds."""
    def run(c: Connection) -> None:
        c.send(_head(Content_Length=len(body), Content_Type="application/cose"))
        for i in range(0, len(body), step):
            c.wait(interval_s)
            c.send(body[i:i + step])
    return run


def slow_headers(interval_s: float) -> Behaviour:
    """A status line, then a header that never ends, one byte every `interval_s` seconds."""
    def run(c: Connection) -> None:
        c.send(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while True:
            c.wait(interval_s)
            c.send(b"a")
    return run


def endless_chunks(chunk: int = 64 * 1024) -> Behaviour:
    """Transfer-Encoding: chunked, and chunks as fast as the client takes them, forever."""
    def run(c: Connection) -> None:
        c.send(_head(Transfer_Encoding="chunked", Content_Type="application/cose"))
        piece = f"{chunk:x}\r\n".encode() + b"\xa0" * chunk + b"\r\n"
        while True:
            c.send(piece)
    return run


def huge_body(size: int, *, announce: bool = True) -> Behaviour:
    """A body of `size` bytes (Content-Length says so when `announce`; else the body runs
    until the connection closes), written as fast as the client reads."""
    def run(c: Connection) -> None:
        headers = {"Content_Length": size} if announce else {"Connection": "close"}
        c.send(_head(Content_Type="application/cose", **headers))
        block = b"\x80" * (256 * 1024)
        left = size
        while left > 0:
            c.send(block[:left])
            left -= len(block)
    return run


def silent() -> Behaviour:
    """Read the request, answer nothing, keep the connection open."""
    def run(c: Connection) -> None:
        while True:
            c.wait(3600)
    return run


class HostileServer:
    """Listens on 127.0.0.1 (an ephemeral port); behaviours chosen by path prefix."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, Behaviour]] = []
        self.sent = 0
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._conns: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._acceptor = threading.Thread(target=self._accept, name="hostile-accept", daemon=True)
        self._acceptor.start()

    def serve(self, prefix: str, behaviour: Behaviour) -> None:
        """Answer requests whose path starts with `prefix` (the first matching route wins)."""
        self.routes.append((prefix, behaviour))

    def _accept(self) -> None:
        self._listener.settimeout(0.1)
        while not self.stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                continue
            with self.lock:
                self._conns.append(sock)
            t = threading.Thread(target=self._handle, args=(sock,), name="hostile-conn", daemon=True)
            self._threads.append(t)
            t.start()

    def _handle(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            request = _read_request(sock)
            conn = Connection(self, sock, request)
            with self.lock:
                self.requests.append(conn.path)
            behaviour = next((b for prefix, b in self.routes if conn.path.startswith(prefix)), None)
            if behaviour is None:
                conn.send(_head(404, Content_Length=0, Connection="close"))
            else:
                behaviour(conn)
        with contextlib.suppress(OSError):
            sock.close()

    def stop(self) -> None:
        self.stopping.set()
        with self.lock:
            for sock in self._conns:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        self._acceptor.join(5)
        for t in self._threads:
            t.join(5)
        self._listener.close()

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _read_request(sock: socket.socket) -> bytes:
    """The request head (up to the blank line); a body, if any, is left unread."""
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    sock.settimeout(None)
    return data


SLOWLORIS = b"GET /v1/status?since=0 HTTP/1.1\r\nHost: x\r\n"  # a request head that never ends


@contextlib.contextmanager
def half_open_connections(host: str, port: int, count: int,
                          partial: bytes = SLOWLORIS) -> Iterator[list[socket.socket]]:
    """`count` client connections that each send the start of a request and then nothing
    (a slowloris), held open for the block."""
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            s = socket.create_connection((host, port), timeout=5)
            s.sendall(partial)
            socks.append(s)
        time.sleep(0.2)  # let the server take them all in
        yield socks
    finally:
        for s in socks:
            s.close()


def relay(upstream: str) -> Behaviour:
    """A GET passed on to `upstream` (the real platform) and its answer sent back whole."""
    def run(c: Connection) -> None:
        head = c.request.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
        keep = {k: v for k, v in headers.items() if k.lower() in ("authorization", "if-none-match")}
        resp = requests.get(upstream + c.path, headers=keep, timeout=10)
        extra = {"ETag": resp.headers["ETag"]} if "ETag" in resp.headers else {}
        answer(resp.content, resp.status_code, **extra)(c)
    return run


class BlackHole:
    """A platform whose connections are never taken: a listener with a full backlog, so a
    client's SYN goes unanswered and its connect() waits (a firewall that drops packets)."""

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._filler = socket.create_connection(("127.0.0.1", self.port), timeout=5)  # the one backlog slot

    def connecting(self) -> int:
        """Client sockets now waiting in connect() to this port (SYN_SENT in /proc/net/tcp)."""
        port = f"{self.port:04X}"
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
        return sum(1 for line in lines if line.split()[2].endswith(f":{port}") and line.split()[3] == "02")

    def close(self) -> None:
        self._filler.close()
        self._listener.close()

    def __enter__(self) -> BlackHole:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
