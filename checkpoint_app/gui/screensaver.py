"""Keeping the screen awake while the kiosk runs, where the platform lets us.

Best effort by design: an entrance PC whose screen saver cannot be held off still scans,
so every failure here is logged once and otherwise ignored. Linux desktops expose
org.freedesktop.ScreenSaver on the session bus (GNOME, KDE, Xfce, LXQt): asked from the
tasks thread (workers/tasks.py), because a session bus may take the connection and never
answer, and the UI thread never blocks; hardware/session_bus.py bounds the exchange and
`release()` cuts it short. Windows has SetThreadExecutionState, which holds only while the
calling thread lives and returns at once: that one stays on the GUI thread. Bare X sessions
without that service need `xset s off -dpms` (see docs/installer-guide.md).
"""

from __future__ import annotations

import ctypes
import logging
import sys
import threading
import time
from functools import partial

from PySide6.QtCore import QObject

from checkpoint_app.hardware.session_bus import SCREENSAVER, BusError, SessionBus, session_address
from checkpoint_app.workers.tasks import Task, TaskRunner

log = logging.getLogger("checkpoint.kiosk")

_ES_CONTINUOUS = 0x80000000
_ES_SYSTEM_REQUIRED = 0x00000001
_ES_DISPLAY_REQUIRED = 0x00000002
DBUS_TIMEOUT_S = 2.0  # connect, authenticate, Hello and Inhibit, all together


class ScreenSaverInhibitor(QObject):
    """`inhibit()` starts it (Windows: done on return; D-Bus: `active` once the service
    answered); `release()` undoes it or cuts the attempt short (safe to call twice)."""

    def __init__(self, tasks: TaskRunner, app_name: str = "checkpoint",
                 reason: str = "Kiosk checkpoint is scanning") -> None:
        super().__init__()
        self._tasks = tasks
        self._app_name = app_name
        self._reason = reason
        self._bus: SessionBus | None = None  # while it is open, the screen stays on
        self._attempt: Task | None = None
        self._connection: _Connection | None = None  # the attempt's, for release() to cut short
        self._windows = False

    @property
    def active(self) -> bool:
        return self._bus is not None or self._windows

    @property
    def pending(self) -> bool:
        return self._attempt is not None

    def inhibit(self) -> None:
        if self.active or self.pending:
            return
        if sys.platform == "win32":
            self._inhibit_windows()
            return
        self._connection = _Connection()
        self._attempt = self._tasks.run(partial(_ask_dbus, self._app_name, self._reason, self._connection),
                                        self._on_answered, receiver=self)

    def release(self) -> None:
        if self._attempt is not None:
            self._attempt.cancel()
            self._attempt = None
        if self._connection is not None:
            self._connection.cut()  # the attempt in the tasks thread ends now, whatever it waits for
            self._connection = None
        if self._windows and sys.platform == "win32":  # _windows is only ever set there
            ctypes.windll.kernel32.SetThreadExecutionState(_ES_CONTINUOUS)
        if self._bus is not None:
            self._bus.close()  # the services drop an inhibition when its owner leaves the bus
        if self.active:
            log.info("screen saver inhibition released")
        self._bus = None
        self._windows = False

    def _on_answered(self, answer: SessionBus | str) -> None:
        self._attempt = self._connection = None  # the connection is ours now (or there is none)
        if isinstance(answer, str):
            log.info("screen saver not inhibited (%s); use xset s off -dpms", answer)
            return
        self._bus = answer
        log.info("screen saver inhibited over D-Bus")

    def _inhibit_windows(self) -> None:
        if sys.platform != "win32":  # called only there
            return
        flags = _ES_CONTINUOUS | _ES_DISPLAY_REQUIRED | _ES_SYSTEM_REQUIRED
        if not ctypes.windll.kernel32.SetThreadExecutionState(flags):
            log.warning("SetThreadExecutionState refused; the screen may blank")
            return
        self._windows = True
        log.info("screen saver inhibited (SetThreadExecutionState)")


class _Connection:
    """The attempt's connection, shared by the tasks thread (which opens it) and the GUI
    thread (which may cut it): whichever comes second closes it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bus: SessionBus | None = None
        self._cut = False

    def opened(self, bus: SessionBus) -> None:
        with self._lock:
            self._bus = bus
            if not self._cut:
                return
        bus.close()
        raise BusError("released before the service answered")

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            bus = self._bus
        if bus is not None:
            bus.close()


def _ask_dbus(app_name: str, reason: str, connection: _Connection) -> SessionBus | str:
    """In the tasks thread: the open connection holding the inhibition, or why there is none."""
    deadline = time.monotonic() + DBUS_TIMEOUT_S
    try:
        bus = SessionBus.connect(session_address(), deadline, opened=connection.opened)
        try:
            bus.call(SCREENSAVER, "Inhibit", "ss", [app_name, reason], deadline)
        except BaseException:
            bus.close()
            raise
    except BusError as exc:
        return str(exc)
    return bus
