"""Leave cleanly on SIGTERM (systemd stopping the unit, a shutdown) and SIGINT.

Python runs a signal handler only when the interpreter gets control, and a Qt event loop
waiting in C++ never gives it: without help, `systemctl --user stop checkpoint` waits its
timeout and then SIGKILLs the app, whose next start logs "killed". signal.set_wakeup_fd
writes a byte to a socket on each signal; a QSocketNotifier on the other end wakes the
event loop, and the handler then runs `leave` on the GUI thread, on the one shutdown path.

    stopper = SignalQuitter(lambda: (kiosk.release(), QCoreApplication.exit(0)))
"""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Callable, Sequence
from types import FrameType

from PySide6.QtCore import QObject, QSocketNotifier, Slot

log = logging.getLogger("checkpoint.app")

DEFAULT_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class SignalQuitter(QObject):
    """Calls `leave()` in the GUI thread when one of `signals` arrives; `close()` undoes it."""

    def __init__(self, leave: Callable[[], None], signals: Sequence[signal.Signals] = DEFAULT_SIGNALS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._leave = leave
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._old_handlers = {s: signal.signal(s, self._on_signal) for s in signals}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_wakeup)

    @staticmethod
    def _on_signal(_signum: int, _frame: FrameType | None) -> None:
        pass  # replaces the default (die at once); the wakeup byte carries the signal number

    @Slot()
    def _on_wakeup(self) -> None:
        try:
            data = self._reader.recv(64)
        except BlockingIOError:
            return
        names = ", ".join(sorted({signal.Signals(b).name for b in data if b in self._old_handlers}))
        if names:
            log.info("received %s: leaving", names)
            self._leave()

    def close(self) -> None:
        self._notifier.setEnabled(False)
        for sig, handler in self._old_handlers.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(self._old_fd)
        self._reader.close()
        self._writer.close()
