"""Stopping the authority's threaded server (the demo, every e2e test) while requests are in
flight. A waitress worker that finishes a request wakes the loop by writing to a pipe; stop()
had the loop close that pipe first, so a late worker wrote to a closed descriptor (EBADF,
'Exception when servicing', in about one stop in ten under load) or into whatever pipe,
socket or file had just reused its number."""

from __future__ import annotations

import logging
import os
import socket
import threading
from pathlib import Path

import pytest

from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.server import start_in_thread
from checkpoint_app.resources import resource
from tests.support.signed_docs import DIST_KEY
from tests.support.waiting import wait_for


@pytest.fixture
def authority(tmp_path: Path) -> Authority:
    a = Authority.open(f"sqlite:///{tmp_path / 'authority.sqlite3'}", load_private_key(DIST_KEY))
    a.publish("policy", resource("policy", "default-policy.cose").read_bytes())
    a.register_checkpoint("CP-1", "CP-1.token")
    return a


def test_a_worker_that_wakes_the_loop_after_stop_writes_to_no_reused_descriptor(authority: Authority) -> None:
    handle = start_in_thread(authority)
    server = handle._server  # what a waitress worker holds
    handle.stop()
    read, write = os.pipe()  # the lowest free numbers: those the trigger's pipe had
    try:
        server.pull_trigger()  # what a worker that finishes a request does
        os.set_blocking(read, False)
        with pytest.raises(BlockingIOError):
            os.read(read, 1)
    finally:
        os.close(read)
        os.close(write)


class _Clients:
    """Threads that each connect, send three requests at once and read the first answer's
    first byte, then close, over and over: there is always a request being served."""

    def __init__(self, port: int, count: int = 3) -> None:
        self.port, self.answers, self.stopping = port, 0, threading.Event()
        self.threads = [threading.Thread(target=self._ask) for _ in range(count)]
        for thread in self.threads:
            thread.start()

    def _ask(self) -> None:
        request = b"GET /v1/policy HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer CP-1.token\r\n\r\n"
        while not self.stopping.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                    s.sendall(request * 3)
                    if s.recv(1):
                        self.answers += 1
            except OSError:
                pass  # refused or reset once the server stops

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()


def test_stopping_with_requests_in_flight_logs_no_error(authority: Authority, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="waitress")
    for _ in range(15):
        handle = start_in_thread(authority)
        clients = _Clients(int(handle.url.rsplit(":", 1)[1]))
        try:
            wait_for(lambda c=clients: c.answers >= 3, what="three answers")
            handle.stop()
        finally:
            clients.stop()
        assert not handle._server.task_dispatcher.threads, "a worker outlived stop()"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
