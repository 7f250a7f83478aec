"""The admin PIN, checked with the salted slow hash and the lockout of core.settings.

The window never sets a first PIN: whoever stood at the desk could choose it. The PIN is
set at install (`checkpoint-app set-pin`); without one this dialog only says so."""

from __future__ import annotations

import time
from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from checkpoint_app.core.settings import PinGuard, PinResult
from checkpoint_app.gui import texts
from checkpoint_app.gui.style import ERROR_TEXT
from checkpoint_app.workers.tasks import Task, TaskRunner


class PinDialog(QDialog):
    """Signals: pin_accepted(): the PIN was right."""

    pin_accepted = Signal()

    def __init__(self, guard: PinGuard, stored_hash: str, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PinDialog")
        self.guard, self.stored, self.tasks = guard, stored_hash, tasks
        self._check: Task | None = None  # the slow hash in flight
        self.no_pin = not stored_hash
        self.prompt, self.message = QLabel(), QLabel()
        self.message.setStyleSheet(f"color: {ERROR_TEXT}; font-weight: bold;")
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setValidator(QRegularExpressionValidator(r"\d{0,8}"))
        self.ok = QPushButton()
        self.ok.setDefault(True)
        self.ok.clicked.connect(self._on_ok)
        self.edit.returnPressed.connect(self._on_ok)
        self.checking = False
        lay = QVBoxLayout(self)
        for w in (self.prompt, self.edit, self.message, self.ok):
            lay.addWidget(w)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(texts.ui("enter_pin"))
        self.prompt.setText(texts.ui("no_pin" if self.no_pin else "enter_pin"))
        self.ok.setText(texts.ui("ok"))
        self.edit.setVisible(not self.no_pin)
        self._show_lock()

    def _show_lock(self) -> bool:
        until = None if self.no_pin else self.guard.locked()
        self.edit.setEnabled(until is None)
        if until is not None:
            self.message.setText(texts.ui("pin_locked", time=time.strftime("%H:%M:%S", time.localtime(until))))
        return until is not None

    def _on_ok(self) -> None:
        pin = self.edit.text()
        self.edit.clear()
        if self.no_pin:
            self.reject()
            return
        if self.checking or not pin:
            return  # Enter alone is a guard's key landing here (dismissing a result), not a guess
        # scrypt takes ~70 ms on purpose: off the GUI thread, so the preview never stalls.
        self.checking = True
        self.edit.setEnabled(False)
        self._check = self.tasks.run(partial(self.guard.check, pin, self.stored), self._on_checked, receiver=self)

    def done(self, result: int) -> None:
        """Closed (the guard, the idle timer, the shutdown): an answer still on its way is
        not acted on -- a right PIN must not open the settings after its dialog has gone."""
        if self._check is not None:
            self._check.cancel()
            self._check = None
        super().done(result)

    def _on_checked(self, result: PinResult) -> None:
        self._check = None
        self.checking = False
        self.edit.setEnabled(True)
        if result.ok:
            self.pin_accepted.emit()
            self.accept()
        elif not self._show_lock():
            self.message.setText(texts.ui("pin_wrong", n=result.failures_left))
