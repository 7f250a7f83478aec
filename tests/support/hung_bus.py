"""A D-Bus session bus that takes every connection and never answers: a real unix socket
(a wedged dbus-daemon, or a stale socket a dying session still holds). With `say_ok` it
answers the authentication and then goes silent (a daemon stuck after the handshake).

    with HungBus(tmp_path / "bus", say_ok=False) as bus:
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.address
        ... bus.accepted  # connections taken so far
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from types import TracebackType


class HungBus:
    def __init__(self, path: Path, *, say_ok: bool = False) -> None:
        self.path, self.say_ok = path, say_ok
        self.address = f"unix:path={path}"
        self.accepted = 0
        self._conns: list[socket.socket] = []
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(path))
        self._listener.listen(16)
        self._thread = threading.Thread(target=self._serve, name="hung-bus", daemon=True)

    def __enter__(self) -> HungBus:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(5)
        for c in self._conns:
            c.close()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self._conns.append(conn)
            self.accepted += 1
            if self.say_ok:
                conn.settimeout(5)
                try:
                    conn.recv(4096)  # the nul byte and AUTH EXTERNAL
                    conn.sendall(b"OK 0123456789abcdef0123456789abcdef\r\n")
                except OSError:
                    pass
