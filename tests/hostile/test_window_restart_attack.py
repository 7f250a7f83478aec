"""A guard's attack on the shutdown (issue 14 item 3): the window is quit and started again,
four times, with everything busy at once -- the sync stuck on a status page that comes one
byte every 2 s, the camera (a video file of codes) decoding, a thermometer streaming a
reading every 10 ms, and the ID card reader unplugged in the first round and missing in
the others. Each shutdown returns within 2 s and leaves no thread running; every event
recorded is still in the outbox."""

from __future__ import annotations

import os
import threading
import time
import tty
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from checkpoint_app.core.store import Store
from checkpoint_app.demo.video import make_demo_video
from checkpoint_app.workers.hardware_workers import ThermometerWorker
from tests.support.hostile_http import HostileServer, relay, slow_body
from tests.support.id_card_sim import SimReader
from tests.support.qt_harness import Harness
from tests.support.store_world import World, loopback_platform, run_cli

MakeApp = Callable[..., Harness]
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
ROUNDS = 4


class StreamingThermometer:
    """A line-protocol thermometer on a pty that sends a reading every 10 ms, whoever listens."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sim-thermometer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            try:
                os.write(self.master, b"36.6\r\n")
            except BlockingIOError:  # nobody reads: the pty's buffer is full
                continue

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2.0)
        os.close(self.master)
        os.close(self._slave)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with loopback_platform(tmp_path) as w:
        yield w


@pytest.fixture
def thermometer() -> Iterator[StreamingThermometer]:
    t = StreamingThermometer()
    os.set_blocking(t.master, False)
    yield t
    t.close()


def busy_window(make_app: MakeApp, data: Path, video: Path, thermometer: StreamingThermometer, reader: SimReader,
                srv: HostileServer, *, unplug: bool) -> Harness:
    """A window with everything busy: its sync stuck, decoding, readings streaming, the
    reader gone (unplugged now, or missing from the start)."""
    stuck = len([r for r in srv.requests if r.startswith("/v1/status")])
    h = make_app(data=data, bundled=False, camera=str(video), thermometer_port=thermometer.path,
                 id_reader_serial_port=str(reader.path))
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    h.app.start_hardware(qapp)
    readings: list[float] = []
    therm = next(w for w in h.app.hardware if isinstance(w, ThermometerWorker))
    therm.temperature_read.connect(readings.append)
    h.qtbot.waitUntil(lambda: len([r for r in srv.requests if r.startswith("/v1/status")]) > stuck, timeout=20000)
    h.qtbot.waitUntil(lambda: h.app.decoder is not None and h.app.decoder.frames > 5, timeout=20000)
    h.qtbot.waitUntil(lambda: len(readings) > 3, timeout=10000)
    if unplug:
        h.qtbot.waitUntil(lambda: reader.commands != [], timeout=10000)  # it was talking to the reader
        reader.unplug()
    h.qtbot.waitUntil(lambda: "id_reader" in h.window.status.device_problems, timeout=10000)
    return h


def test_quit_and_restart_with_everything_busy(make_app: MakeApp, tmp_path: Path, world: World,
                                              thermometer: StreamingThermometer) -> None:
    video = make_demo_video(tmp_path / "video", world.now).path
    reader = SimReader(tmp_path / "ttyUSB-idreader")
    data = tmp_path / "checkpoint"
    assert run_cli(world.sync_args(data)).code == 0
    with HostileServer() as srv:
        srv.serve("/v1/status", slow_body(b"\xa0" * 4096, 2.0))
        srv.serve("/", relay(world.url))
        with Store.open(data) as store:
            store.set_setting("server_url", srv.url)
        before = set(threading.enumerate())
        recorded: set[str] = set()
        for round_ in range(ROUNDS):
            h = busy_window(make_app, data, video, thermometer, reader, srv, unplug=round_ == 0)
            if round_ == 0:  # the video's first code decided (with a streamed temperature) and recorded
                h.qtbot.waitUntil(lambda h=h: bool(h.events()), timeout=30000)
            recorded |= {e.event_id for e in h.events()}
            started = time.monotonic()
            h.app.shutdown()
            elapsed = time.monotonic() - started
            print(f"round {round_ + 1}: shutdown in {elapsed:.3f} s, {h.app.decoder and h.app.decoder.frames} frames "
                  f"decoded, {len(recorded)} events so far")
            assert elapsed < 2.0
            assert not any(t.thread.isRunning() for t in h.app.threads)
            left = [t.name for t in threading.enumerate() if t not in before and t.is_alive()
                    and not t.name.startswith(("hostile", "sim-")) and not isinstance(t, threading._DummyThread)]
            assert left == []
            with Store.open(data, check=False) as store:
                assert recorded <= {e.event_id for e in store.pending_events(1000, None)}
        assert recorded
