"""Kiosk mode for one top-level window: full screen, on top, and no way out without the PIN.

Usage from the composition root (the window owns the PIN dialog, this class only asks it):

    kiosk = KioskController(main_window, check_pin=pin_dialog_accepted)
    if settings.kiosk or args.kiosk:
        kiosk.enable()
    admin_button.clicked.connect(kiosk.request_exit)   # PIN right -> QCoreApplication.exit(0)
    # on SIGTERM / session end, before quitting: kiosk.release()

While enabled:
- the window is full screen with FramelessWindowHint | WindowStaysOnTopHint; whatever the
  window manager does (show desktop, iconify, another desktop, Alt+Tab) it is back full
  screen, on top and focused within a second (gui/window_guard.py); a window destroyed
  from outside ends the app with crash.EXIT_RESTART, so that its supervisor starts it anew;
- Esc, Alt+F4, Ctrl+Q, Ctrl+W and F11 aimed at the window or its children are swallowed,
  as key presses and as shortcut overrides (so a QAction bound to Ctrl+Q never fires);
- Close events are refused unless an exit was authorised (PIN, or `release()`); then the
  app leaves through QCoreApplication.exit(), because a refused close also refuses
  QApplication.quit() and the app would hang;
- the mouse cursor hides after `idle_ms` without mouse activity and comes back on movement;
- the screen saver is inhibited where the platform allows, when given an inhibitor
  (gui/screensaver.py; it asks from the tasks thread, so enable() never waits on D-Bus).
Qt cannot block keys the operating system handles itself (Ctrl+Alt+Del, the window
manager's bindings); the guard undoes their effect, and the kiosk session that
install-autostart sets up (resources/kiosk/openbox-rc.xml) has no such bindings at all.

Signals:
    escape_attempted(str): a blocked key ("Esc", "Alt+F4", ...) or "close" was refused.
    exit_refused(): request_exit() was called and the PIN check said no.
    exit_authorised(): the PIN check said yes (or release() was called); the app is leaving.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCursor, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QWidget

from checkpoint_app.crash import EXIT_RESTART
from checkpoint_app.gui.screensaver import ScreenSaverInhibitor
from checkpoint_app.gui.window_guard import WindowGuard

log = logging.getLogger("checkpoint.kiosk")

_Mod = Qt.KeyboardModifier
_BLOCKED: dict[tuple[int, _Mod], str] = {
    (int(Qt.Key.Key_Escape), _Mod.NoModifier): "Esc",
    (int(Qt.Key.Key_F4), _Mod.AltModifier): "Alt+F4",
    (int(Qt.Key.Key_Q), _Mod.ControlModifier): "Ctrl+Q",
    (int(Qt.Key.Key_W), _Mod.ControlModifier): "Ctrl+W",
    (int(Qt.Key.Key_F11), _Mod.NoModifier): "F11",
}
_KEY_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride)
_MOUSE_EVENTS = (QEvent.Type.MouseMove, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel,
                 QEvent.Type.TouchBegin, QEvent.Type.HoverMove)


class KioskController(QObject):
    """Locks `window` into kiosk mode between enable() and disable()/an authorised exit."""

    escape_attempted = Signal(str)
    exit_refused = Signal()
    exit_authorised = Signal()

    def __init__(self, window: QWidget, check_pin: Callable[[], bool], *, idle_ms: int = 3000,
                 inhibitor: ScreenSaverInhibitor | None = None,
                 leave: Callable[[int], None] = QCoreApplication.exit) -> None:
        super().__init__(window)
        self._window = window
        self._check_pin = check_pin
        self._inhibitor = inhibitor
        self._leave = leave  # injectable: QCoreApplication.exit() ends every later event loop of a test
        self._enabled = False
        self._exit_authorised = False
        self._cursor_hidden = False
        self._saved_flags = window.windowFlags()
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(idle_ms)
        self._idle.timeout.connect(self._on_idle)
        self.guard = WindowGuard(window, parent=self)
        self.guard.destroyed_outside.connect(self._on_window_destroyed)

    @property
    def enabled(self) -> bool:
        return self._enabled

    @property
    def cursor_hidden(self) -> bool:
        return self._cursor_hidden

    def enable(self) -> None:
        if self._enabled:
            return
        self._enabled, self._exit_authorised = True, False
        self._saved_flags = self._window.windowFlags()
        hints = Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
        self._window.setWindowFlags(self._saved_flags | hints)  # hides the window: show it again
        self._window.showFullScreen()
        _app().installEventFilter(self)
        self.guard.start()
        self._idle.start()
        if self._inhibitor is not None:
            self._inhibitor.inhibit()
        log.info("kiosk mode on")

    def disable(self) -> None:
        """Back to an ordinary window (settings changed, or an admin session)."""
        if not self._enabled:
            return
        self._unlock()
        self._window.setWindowFlags(self._saved_flags)
        self._window.showNormal()
        log.info("kiosk mode off")

    @Slot()
    def request_exit(self) -> bool:
        """Ask for the admin PIN; if it is right, leave the application."""
        if self._enabled and not self._check_pin():
            log.warning("kiosk exit refused: wrong or cancelled admin PIN")
            self.exit_refused.emit()
            return False
        log.info("kiosk exit authorised")
        self.release()
        self._leave(0)
        return True

    @Slot()
    def release(self) -> None:
        """Let the window close without a PIN: for the app's own shutdown (SIGTERM, logout)."""
        self._exit_authorised = True
        self.exit_authorised.emit()
        if self._enabled:
            self._unlock()  # the window stays as it is: it is about to go away

    def also_watch(self, guard: WindowGuard) -> None:
        """Another window of the kiosk (the visitor display): destroyed from outside, it
        cannot come back either, so the app leaves for its supervisor as for the main one."""
        guard.destroyed_outside.connect(self._on_window_destroyed)

    @Slot()
    def _on_window_destroyed(self) -> None:
        log.error("kiosk: the window was destroyed from outside; leaving for the supervisor to restart")
        self._exit_authorised = True
        self._unlock()
        self._leave(EXIT_RESTART)

    def _unlock(self) -> None:
        self._enabled = False
        _app().removeEventFilter(self)
        self.guard.stop()
        self._idle.stop()
        self._show_cursor()
        if self._inhibitor is not None:
            self._inhibitor.release()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _MOUSE_EVENTS:
            self._on_activity()
            return False
        if not self._mine(obj):
            return False
        if kind == QEvent.Type.Close and obj is self._window and not self._exit_authorised:
            event.ignore()
            self._refuse("close")
            return True
        if kind == QEvent.Type.WindowStateChange and obj is self._window and not self._window.isFullScreen():
            QTimer.singleShot(0, self._restore_full_screen)
            return False
        if kind in _KEY_EVENTS:
            assert isinstance(event, QKeyEvent)
            name = _BLOCKED.get((event.key(), event.modifiers() & ~_Mod.KeypadModifier))
            if name is not None:
                event.accept()  # an accepted ShortcutOverride keeps QActions from firing
                if kind == QEvent.Type.KeyPress and not event.isAutoRepeat():
                    self._refuse(name)
                return True
        return False

    def _mine(self, obj: QObject) -> bool:
        if isinstance(obj, QWidget):
            return obj.window() is self._window
        return obj is self._window.windowHandle()

    def _refuse(self, what: str) -> None:
        log.info("kiosk: refused %s", what)
        self.escape_attempted.emit(what)

    def _restore_full_screen(self) -> None:
        if self._enabled and not self._window.isFullScreen():
            log.info("kiosk: window left full screen; restoring it")
            self._window.showFullScreen()

    def _on_activity(self) -> None:
        if not self._enabled:
            return
        self._show_cursor()
        self._idle.start()

    def _on_idle(self) -> None:
        if self._enabled and not self._cursor_hidden:
            QGuiApplication.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))
            self._cursor_hidden = True

    def _show_cursor(self) -> None:
        if self._cursor_hidden:
            QGuiApplication.restoreOverrideCursor()
            self._cursor_hidden = False


def _app() -> QCoreApplication:
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("KioskController needs a QApplication")
    return app
