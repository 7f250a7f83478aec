"""Keeping the screen awake while the kiosk runs, where the platform lets us.

Best effort by design: an entrance PC whose screen saver cannot be held off still scans,
so every failure here is logged once and otherwise ignored. Linux desktops expose
org.freedesktop.ScreenSaver on the session bus (GNOME, KDE, Xfce, LXQt); Windows has
SetThreadExecutionState, which holds only while the calling thread lives, so call this
from the GUI thread. Bare X sessions without that service need `xset s off -dpms` (see
docs/installer-guide.md).
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger("checkpoint.kiosk")

_ES_CONTINUOUS = 0x80000000
_ES_SYSTEM_REQUIRED = 0x00000001
_ES_DISPLAY_REQUIRED = 0x00000002
_DBUS_TIMEOUT_MS = 2000  # a hung session bus must not freeze the window at start
_CONNECTION = "checkpoint-screensaver"  # a private connection: closing it ends the inhibition


class ScreenSaverInhibitor:
    """`inhibit()` returns whether it worked; `release()` undoes it (safe to call twice)."""

    def __init__(self, app_name: str = "checkpoint", reason: str = "Kiosk checkpoint is scanning") -> None:
        self._app_name = app_name
        self._reason = reason
        self._cookie: int | None = None
        self._windows = False

    @property
    def active(self) -> bool:
        return self._cookie is not None or self._windows

    def inhibit(self) -> bool:
        if self.active:
            return True
        try:
            if sys.platform == "win32":
                return self._inhibit_windows()
            return self._inhibit_dbus()
        except Exception:  # best effort: log with context, never stop the kiosk for this
            log.exception("screen saver inhibition failed")
            return False

    def release(self) -> None:
        try:
            if self._windows and sys.platform == "win32":  # _windows is only ever set there
                ctypes.windll.kernel32.SetThreadExecutionState(_ES_CONTINUOUS)
            elif self._cookie is not None:
                from PySide6.QtDBus import QDBusConnection

                # The services drop an inhibition when its owner leaves the bus; closing our
                # private connection does that without UnInhibit's uint32 argument, which
                # PySide6 cannot marshal (Python ints go out as int32).
                QDBusConnection.disconnectFromBus(_CONNECTION)
        except Exception:
            log.exception("releasing the screen saver inhibition failed")
        else:
            if self.active:
                log.info("screen saver inhibition released")
        self._cookie = None
        self._windows = False

    def _inhibit_windows(self) -> bool:
        if sys.platform != "win32":  # called only there
            return False
        flags = _ES_CONTINUOUS | _ES_DISPLAY_REQUIRED | _ES_SYSTEM_REQUIRED
        if not ctypes.windll.kernel32.SetThreadExecutionState(flags):
            log.warning("SetThreadExecutionState refused; the screen may blank")
            return False
        self._windows = True
        log.info("screen saver inhibited (SetThreadExecutionState)")
        return True

    def _inhibit_dbus(self) -> bool:
        from PySide6.QtDBus import QDBus, QDBusConnection, QDBusMessage

        bus = QDBusConnection.connectToBus(QDBusConnection.BusType.SessionBus, _CONNECTION)
        if not bus.isConnected():
            log.info("no D-Bus session bus; screen saver not inhibited (use xset s off -dpms)")
            QDBusConnection.disconnectFromBus(_CONNECTION)
            return False
        msg = QDBusMessage.createMethodCall("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                                            "org.freedesktop.ScreenSaver", "Inhibit")
        msg.setArguments([self._app_name, self._reason])
        reply = bus.call(msg, QDBus.CallMode.Block, _DBUS_TIMEOUT_MS)
        if reply.type() != QDBusMessage.MessageType.ReplyMessage or not reply.arguments():
            log.info("screen saver service refused Inhibit: %s", reply.errorMessage() or "no reply")
            QDBusConnection.disconnectFromBus(_CONNECTION)
            return False
        self._cookie = int(reply.arguments()[0])
        log.info("screen saver inhibited over D-Bus (cookie %d)", self._cookie)
        return True
