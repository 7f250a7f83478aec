"""The one road from an escaped bug, on any thread, to "out of service" and a restart.

crash.CrashHandler runs on the thread that failed; widgets and timers belong to the GUI
thread. This bridge turns the handler's two steps into a queued signal: the GUI thread
shows the out-of-service screen and, `restart_after_ms` later, leaves the event loop
with crash.EXIT_RESTART so that the supervisor (systemd Restart=always, or the Windows
start script's loop) starts a fresh process, which logs the crash as its restart reason.

    bridge = CrashBridge(show_out_of_service=window.show_out_of_service)
    bridge.install(RunMarker(paths.log_dir() / MARKER_FILE))   # after the window exists

Signals:
    crashed(): a bug escaped somewhere; emitted on the failing thread, handled in the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from checkpoint_app.crash import EXIT_RESTART, CrashHandler, RunMarker

log = logging.getLogger("checkpoint.crash")


class CrashBridge(QObject):
    crashed = Signal()

    def __init__(self, show_out_of_service: Callable[[], None], *, restart_after_ms: int | None = 5000,
                 leave: Callable[[int], None] = QCoreApplication.exit, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._show = show_out_of_service
        self._leave = leave
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._restart = restart_after_ms is not None
        self._timer.setInterval(restart_after_ms or 0)
        self._timer.timeout.connect(self._on_restart_due)
        self.crashed.connect(self._on_crashed)  # queued when emitted from another thread
        self.handler: CrashHandler | None = None

    def install(self, marker: RunMarker) -> CrashHandler:
        # the handler's only step is the signal: anything more must wait for the GUI thread
        self.handler = CrashHandler(marker, show_out_of_service=self.crashed.emit).install()
        return self.handler

    def uninstall(self) -> None:
        if self.handler is not None:
            self.handler.uninstall()
            self.handler = None

    @Slot()
    def _on_crashed(self) -> None:
        if self._timer.isActive():
            return  # a second failure while the screen already says out of service
        try:
            self._show()
        except Exception:  # the screen itself is broken: restart sooner, it is the only cure
            log.exception("showing the out-of-service screen failed")
            self._timer.setInterval(0)
            self._restart = True
        if self._restart:
            self._timer.start()

    def _on_restart_due(self) -> None:
        log.critical("restarting after a bug (exit code %d)", EXIT_RESTART)
        self._leave(EXIT_RESTART)
