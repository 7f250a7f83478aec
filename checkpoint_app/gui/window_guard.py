"""Keeps a kiosk window full screen, shown, on top and focused, whatever the window manager does.

Qt cannot forbid what a window manager does to a window: openbox's default keys show the
desktop (Super+D), iconify (Alt+Space menu), switch desktops (Ctrl+Alt+arrows) and pass
the focus on (Alt+Tab); any X client can minimise the window or destroy it (xdotool
windowminimize / windowclose). So the guard looks every `interval_ms` and undoes it:

- hidden (iconified, desktop shown, another desktop): withdraw and map the window again,
  which every window manager places on the current desktop, full screen, raised;
- not full screen: full screen again;
- focus elsewhere (another application's window is active): raise and activate ours, or
  the dialog that is open on it;
- destroyed from outside (X11 DestroyNotify for our window): nothing of the window is
  left to bring back, so `destroyed_outside` is emitted and the app leaves with a code
  its supervisor restarts.

A window that only fails one look may be in the middle of a show (an expose or a resize
lags a map by a few ms), so "hidden" and "not full screen" must be seen twice; with the
default 200 ms the window is back within half a second.

Signals:
    restored(str): the window was brought back; the argument says from what.
    destroyed_outside(): the native window was destroyed by someone else.
"""

from __future__ import annotations

import ctypes
import logging

from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray, QObject, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

log = logging.getLogger("checkpoint.kiosk")

_XCB_DESTROY_NOTIFY = 17
_HIDDEN, _WINDOWED, _UNFOCUSED = "hidden", "not full screen", "focus elsewhere"


class _DestroyWatcher(QAbstractNativeEventFilter):
    """Sees X11 DestroyNotify events (xcb_destroy_notify_event_t: the window id at byte 8)."""

    def __init__(self, window_id: int, on_destroyed: SignalInstance) -> None:
        super().__init__()
        self.window_id = window_id
        self._signal = on_destroyed

    def nativeEventFilter(self, event_type: QByteArray | bytes | bytearray | memoryview,
                          message: int) -> tuple[bool, int]:
        name = event_type.data() if isinstance(event_type, QByteArray) else event_type
        if bytes(name) == b"xcb_generic_event_t":
            address = int(message)  # a shiboken VoidPtr at run time
            kind = ctypes.c_uint8.from_address(address).value & 0x7F
            if kind == _XCB_DESTROY_NOTIFY and ctypes.c_uint32.from_address(address + 8).value == self.window_id:
                self._signal.emit()
        return False, 0


class WindowGuard(QObject):
    restored = Signal(str)
    destroyed_outside = Signal()

    def __init__(self, window: QWidget, *, take_focus: bool = True, interval_ms: int = 200,
                 parent: QObject | None = None) -> None:
        super().__init__(parent or window)
        self._window = window
        self._take_focus = take_focus
        self._strikes = 0
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.check)
        self._watcher: _DestroyWatcher | None = None

    def start(self) -> None:
        self._strikes = 0
        self._timer.start()
        if QGuiApplication.platformName() == "xcb" and self._watcher is None:
            self._watcher = _DestroyWatcher(int(self._window.winId()), self.destroyed_outside)
            _app().installNativeEventFilter(self._watcher)

    def stop(self) -> None:
        self._timer.stop()
        if self._watcher is not None:
            _app().removeNativeEventFilter(self._watcher)
            self._watcher = None

    def problem(self) -> str | None:
        w = self._window
        handle = w.windowHandle()
        if handle is None:
            return None
        if w.isMinimized() or not w.isVisible() or not handle.isExposed():
            return _HIDDEN
        if not w.isFullScreen() or w.geometry() != w.screen().geometry():
            return _WINDOWED
        if self._take_focus and QGuiApplication.applicationState() != Qt.ApplicationState.ApplicationActive:
            return _UNFOCUSED
        return None

    def check(self) -> None:
        why = self.problem()
        if why is None:
            self._strikes = 0
            return
        self._strikes += 1
        if why != _UNFOCUSED and self._strikes < 2:
            return
        self._strikes = 0
        self._bring_back(why)

    def _bring_back(self, why: str) -> None:
        log.warning("kiosk: window %s; bringing it back", why)
        w = self._window
        if why == _HIDDEN:
            w.hide()  # withdrawn, so that showing it is a new map on the current desktop
        # Its normal geometry is the whole screen too: a window manager that maps it without
        # honouring the full-screen state still shows all of it.
        w.setGeometry(w.screen().geometry())
        if why == _WINDOWED:
            w.setWindowState(Qt.WindowState.WindowNoState)  # else Qt thinks it is full screen already
        w.setWindowState(Qt.WindowState.WindowFullScreen)
        w.show()  # not showFullScreen(): it activates, and a visitor display never takes the focus
        w.raise_()
        if self._take_focus:
            modal = QApplication.activeModalWidget()
            target = modal if modal is not None and modal.isVisible() else w
            target.raise_()
            target.activateWindow()
        self.restored.emit(why)


def _app() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("WindowGuard needs a QApplication")
    return app
