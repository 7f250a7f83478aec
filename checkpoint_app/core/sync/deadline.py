"""A whole deadline for one HTTP request (spec 4.4).

Socket timeouts bound each wait for a byte, not the request: a server that sends one byte
every two seconds never trips them. So a watchdog timer shuts down the sockets that the
request uses when its deadline passes, and the blocked read returns at once. The sockets
are found through urllib3 connection classes that report them to the deadline active in
their thread (a sync fetches the next page in a helper thread, with its own deadline)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Sequence
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import allowed_gai_family
from urllib3.util.timeout import _DEFAULT_TIMEOUT

_active = threading.local()


class Cancel:
    """Ends a worker's requests from another thread (a shutdown): those in flight at once,
    and any it starts afterwards as soon as they start. A shutdown that waited for them
    would hold the window for a request's deadline, or a sync's retries (minutes)."""

    def __init__(self, parent: Cancel | None = None) -> None:
        """With a `parent`: also set when the parent is (a part of the work that may end early)."""
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._deadlines: set[Deadline] = set()
        self._children: set[Cancel] = set()
        self._parent = parent
        if parent is not None:
            parent._adopt(self)

    @property
    def is_set(self) -> bool:
        return self._event.is_set()

    def set(self) -> None:
        with self._lock:
            self._event.set()
            deadlines, children = list(self._deadlines), list(self._children)
        for deadline in deadlines:
            deadline.expire()
        for child in children:
            child.set()
        if self._parent is not None:  # set on its own: the parent need not hold it any longer
            self._parent._forget(self)

    def _adopt(self, child: Cancel) -> None:
        with self._lock:
            if not self._event.is_set():
                self._children.add(child)
                return
        child.set()

    def _forget(self, child: Cancel) -> None:
        with self._lock:
            self._children.discard(child)

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True as soon as cancelled."""
        return self._event.wait(seconds)

    def _add(self, deadline: Deadline) -> bool:
        with self._lock:
            if not self._event.is_set():
                self._deadlines.add(deadline)
            return not self._event.is_set()

    def _remove(self, deadline: Deadline) -> None:
        with self._lock:
            self._deadlines.discard(deadline)


class Deadline:
    """`with Deadline(s) as d:` — the sockets reported inside are shut down after s seconds,
    or when `cancel` is set."""

    def __init__(self, seconds: float, cancel: Cancel | None = None) -> None:
        self.seconds = seconds
        self.cancel = cancel
        self.end = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._fired = False
        self._timer = threading.Timer(seconds, self.expire)
        self._timer.daemon = True

    @property
    def expired(self) -> bool:
        return self._fired or time.monotonic() >= self.end

    def timeouts(self) -> tuple[float, float]:
        """(connect, read) socket timeouts: never past the deadline."""
        left = max(self.end - time.monotonic(), 0.001)
        return left, left

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            fired = self._fired
        if fired:
            _shutdown(sock)

    def expire(self) -> None:
        with self._lock:
            self._fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    def __enter__(self) -> Deadline:
        self._previous = getattr(_active, "deadline", None)
        _active.deadline = self
        self._timer.start()
        if self.cancel is not None and not self.cancel._add(self):
            self.expire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        self._timer.join()  # at once (cancelled): no watchdog thread outlives its request
        if self.cancel is not None:
            self.cancel._remove(self)
        with self._lock:
            self._sockets = []
        _active.deadline = self._previous


def _shutdown(sock: socket.socket) -> None:
    # socket.socket.shutdown, also for an SSLSocket: its own shutdown() would drop the TLS
    # state under a thread that is reading. A closed socket (fileno -1) raises: ignored.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _report(sock: socket.socket | None) -> None:
    deadline: Deadline | None = getattr(_active, "deadline", None)
    if deadline is not None:
        deadline.watch(sock)


def _connect(address: tuple[str, int], timeout: Any, source: tuple[str, int] | None,
             options: Sequence[tuple[int, int, Any]] | None) -> socket.socket:
    """urllib3's create_connection, with each socket reported before its connect(): a SYN
    never answered (a firewall that drops packets) is cut by the deadline or a Cancel like a
    read, where urllib3's own would wait out the connect timeout (shutdown() of a connecting
    socket ends its connect() at once)."""
    host, port = address
    err: OSError | None = None
    for family, kind, proto, _, addr in socket.getaddrinfo(host.strip("[]"), port, allowed_gai_family(),
                                                           socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            for option in options or ():
                sock.setsockopt(*option)
            if timeout is not _DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source:
                sock.bind(source)
            _report(sock)
            sock.connect(addr)
            return sock
        except OSError as exc:
            err = exc
            sock.close()
    raise err or OSError("getaddrinfo returns an empty list")


class _WatchedConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        # urllib3's own, with _connect for its create_connection: the plain socket is
        # reported before it connects (and covers a TLS handshake that dribbles).
        try:
            return _connect((self._dns_host, self.port), self.timeout, self.source_address, self.socket_options)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out. "
                                            f"(connect timeout={self.timeout})") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc

    def connect(self) -> None:
        super().connect()
        _report(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _report(self.sock)  # a kept-alive connection: no connect() this time
        super().request(*args, **kwargs)


class _WatchedTLSConnection(_WatchedConnection, HTTPSConnection):
    pass


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedConnection


class _WatchedTLSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedTLSConnection


_POOLS = {"http": _WatchedPool, "https": _WatchedTLSPool}


class _DeadlineAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager


def deadline_adapter() -> HTTPAdapter:
    """A requests adapter whose connections report their sockets to the active Deadline."""
    return _DeadlineAdapter()
