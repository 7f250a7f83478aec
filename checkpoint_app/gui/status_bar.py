"""The status bar: camera, sync state and last sync time with graduated freshness,
clock problems and events waiting to upload. Warnings are coloured and worded."""

from __future__ import annotations

import time

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from checkpoint_app.core.rules.facts import FreshnessLevel
from checkpoint_app.gui import texts
from checkpoint_app.gui.style import BAD, CHIP_NEUTRAL, INK, OK, WARN, WHITE
from checkpoint_app.workers.values import CameraState, StoreStatus, SyncOutcome

_LEVEL_COLOURS = {FreshnessLevel.FRESH: OK, FreshnessLevel.FILE: OK, FreshnessLevel.STALE: WARN,
                  FreshnessLevel.TOO_OLD: BAD, FreshnessLevel.NEVER: BAD}
# NONE: no camera on purpose (a scanner-only site): said, without an alarm colour.
_CAMERA_COLOURS = {CameraState.RUNNING: OK, CameraState.STARTING: WARN, CameraState.RECONNECTING: WARN,
                   CameraState.FAILED: BAD, CameraState.STOPPED: BAD, CameraState.NONE: CHIP_NEUTRAL}
_SYNC_COLOURS = {"ok": OK, "running": OK, "idle": OK, "off": WARN, "failed": BAD}


def _chip(label: QLabel, text: str, colour: str) -> None:
    fg = INK if colour in (WARN, CHIP_NEUTRAL) else WHITE
    label.setText(text)
    label.setStyleSheet(f"background: {colour}; color: {fg}; padding: 2px 10px; border-radius: 6px; font-size: 18px;")


class StatusBarWidget(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.camera, self.sync, self.freshness = QLabel(), QLabel(), QLabel()
        self.last_sync, self.clock, self.pending = QLabel(), QLabel(), QLabel()
        self.devices, self.sound = QLabel(), QLabel()
        for w in (self.camera, self.sync, self.freshness, self.last_sync, self.clock, self.pending, self.devices,
                  self.sound):
            w.setObjectName("status_" + str(len(self.children())))
            self.addWidget(w)
        for w in (self.last_sync, self.pending):  # plain text: "02:30 12 to upload" ran together
            w.setStyleSheet("padding: 0px 12px;")
        self.setStyleSheet("QLabel { font-size: 18px; }")
        self.camera_state, self.sync_state = CameraState.STARTING, "off"
        self.store: StoreStatus | None = None
        self.device_problems: set[str] = set()
        self.sound_state: str | None = None  # None: sound works; else a key of texts.SOUND_STATES

    @Slot(object)
    def _on_store_status(self, status: StoreStatus) -> None:
        self.store = status
        self.show_state()

    @Slot(object)
    def _on_camera_state(self, state: CameraState) -> None:
        self.camera_state = state
        self.show_state()

    @Slot()
    def _on_sync_started(self) -> None:
        self.sync_state = "running"
        self.show_state()

    @Slot(object)
    def _on_sync_finished(self, outcome: SyncOutcome) -> None:
        self.sync_state = "ok" if outcome.ok else "failed"
        self.show_state()

    def device_failed(self, device: str) -> None:
        """A device ("gate", "thermometer", "scanner") reported a problem; it shows until
        the device works again, so the guard knows to open the gate or type by hand."""
        self.device_problems.add(device)
        self.show_state()

    def device_working(self, device: str) -> None:
        if device in self.device_problems:
            self.device_problems.discard(device)
            self.show_state()

    def show_sound(self, no_output: bool, muted: bool) -> None:
        """No audio output is a problem the guard must know of (no alarm for a red code);
        sound turned off in the settings is a choice, shown without alarm colours."""
        self.sound_state = "muted" if muted else "no_output" if no_output else None
        self.show_state()

    def _problem(self, device: str) -> str:
        """A scanner-only site has no camera to fall back on (texts.DEVICE_PROBLEMS)."""
        return "scanner_only" if device == "scanner" and self.camera_state is CameraState.NONE else device

    def show_state(self) -> None:
        self.sound.setVisible(self.sound_state is not None)
        if self.sound_state is not None:
            _chip(self.sound, texts.tr(texts.SOUND_STATES[self.sound_state]),
                  BAD if self.sound_state == "no_output" else CHIP_NEUTRAL)
        self.devices.setVisible(bool(self.device_problems))
        if self.device_problems:
            _chip(self.devices, " · ".join(texts.tr(texts.DEVICE_PROBLEMS[self._problem(d)])
                                           for d in sorted(self.device_problems)), BAD)
        _chip(self.camera, texts.tr(texts.CAMERA_STATES[self.camera_state]), _CAMERA_COLOURS[self.camera_state])
        s = self.store
        if self.sync_state == "off" and s is not None and s.level != FreshnessLevel.FILE:
            # No server on purpose (a USB-only site): the USB sync's age is what matters.
            when = time.strftime("%m-%d %H:%M", time.localtime(s.last_sync)) if s.last_sync else "—"
            _chip(self.sync, texts.ui("usb_sync", time=when), _LEVEL_COLOURS[s.level])
        else:
            _chip(self.sync, texts.tr(texts.SYNC_STATES[self.sync_state]),
                  CHIP_NEUTRAL if self.sync_state == "off" else _SYNC_COLOURS[self.sync_state])
        if s is None:
            for w in (self.freshness, self.last_sync, self.clock, self.pending):
                w.setText("")
            return
        _chip(self.freshness, texts.tr(texts.FRESHNESS[s.level]), _LEVEL_COLOURS[s.level])
        self.last_sync.setText(texts.ui("last_sync", time=time.strftime("%m-%d %H:%M", time.localtime(s.last_sync)))
                               if s.last_sync else "")
        self.clock.setVisible(s.clock_error)
        if s.clock_error:
            _chip(self.clock, texts.ui("clock_problem"), BAD)
        self.pending.setText(texts.ui("pending_uploads", n=s.pending))
