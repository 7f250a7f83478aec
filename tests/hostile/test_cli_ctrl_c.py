"""Ctrl-C at `checkpoint-app sync --once` while it waits on a platform that does not answer:
before, a traceback from deep inside requests; now one line and exit status 130 (pressed
once or twice), and the data folder syncs afterwards as if nothing happened."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.cli import main
from tests.support.sync_platform import PUB_PEM, Platform

LAUNCHER = "import sys; from checkpoint_app.cli import main; sys.exit(main())"


@pytest.fixture
def waiting_server() -> Iterator[tuple[str, threading.Event]]:
    """Accepts connections and never answers; the event is set at the first one."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.1)
    connected, stop, held = threading.Event(), threading.Event(), []

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
                connected.set()
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.getsockname()[1]}", connected
    stop.set()
    t.join()
    for s in held:
        s.close()
    srv.close()


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_while_sync_waits_on_the_platform(waiting_server: tuple[str, threading.Event], platform: Platform,
                                                 tmp_path: Path, presses: int) -> None:
    url, connected = waiting_server
    data = tmp_path / "cp"
    with subprocess.Popen([sys.executable, "-c", LAUNCHER, "sync", "--once", "--server", url, "--token", "a.b",
                           "--root-key", str(PUB_PEM), "--data-dir", str(data), "--timeout", "60"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        assert connected.wait(30), "sync never reached the platform"
        for _ in range(presses):
            proc.send_signal(signal.SIGINT)
            time.sleep(0.05)
        _out, err = proc.communicate(timeout=30)
    assert "Traceback" not in err and proc.returncode == 130, (proc.returncode, err[-3000:])
    assert [line for line in err.splitlines() if "Ctrl-C" in line] == ["checkpoint-app sync: stopped (Ctrl-C)"]
    # The data folder is whole: the real platform syncs it (the token given now is remembered).
    assert main(["sync", "--once", "--server", platform.url, "--token", platform.token, "--data-dir", str(data)]) == 0
