"""Admin dialogs close themselves when nobody uses them: an admin session left open at the
entrance (the settings behind the PIN, with their "new admin PIN" field) is anyone's, and a
PIN dialog left open takes the guard's keys (a temperature and Enter counted as a wrong
PIN, five of them a lockout).

    IdleCloser(dialog, idle_ms=120_000)   # reject()s the dialog after two minutes without input
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QDialog, QWidget

log = logging.getLogger("checkpoint.admin")

PIN_IDLE_MS = 30_000
DIALOG_IDLE_MS = 120_000
_INPUT = (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel, QEvent.Type.TouchBegin)


class IdleCloser(QObject):
    def __init__(self, dialog: QDialog, idle_ms: int) -> None:
        super().__init__(dialog)
        self._dialog = dialog
        self._timer = QTimer(self, singleShot=True, interval=idle_ms)
        self._timer.timeout.connect(self._on_idle)
        dialog.finished.connect(self._stop)
        app = QCoreApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        self._timer.start()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT and isinstance(obj, QWidget) and self._inside(obj):
            self._timer.start()
        return False

    def _inside(self, widget: QWidget | None) -> bool:
        """In the dialog, or in one of its popups (a combo box's list is a window of its own)."""
        while widget is not None:
            if widget is self._dialog:
                return True
            widget = widget.parentWidget()
        return False

    def _on_idle(self) -> None:
        log.info("%s closed after %d s without input", self._dialog.objectName() or "dialog",
                 self._timer.interval() // 1000)
        self._dialog.reject()

    def _stop(self) -> None:
        self._timer.stop()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
