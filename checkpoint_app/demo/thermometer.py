"""The demo's thermometer: when a green code waits for a temperature, a reading arrives a
moment later through the same slot a serial thermometer uses, so `--demo` runs the whole
flow with nobody at the keyboard. The first key the guard types at a prompt takes over:
from then on the demo thermometer stays silent and the guard types every reading."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from checkpoint_app.core.visit import VisitMachine
from checkpoint_app.core.visit_state import Phase

# Mostly normal, one fever in the cycle, so the demo shows the fever screen too.
READINGS = (36.5, 36.7, 36.4, 38.2, 36.6)


class DemoThermometer(QObject):
    """Signals: temperature_read(float), as ThermometerWorker."""

    temperature_read = Signal(float)

    def __init__(self, machine: VisitMachine, delay_ms: int = 2500, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._machine = machine
        self._readings = itertools.cycle(READINGS)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._on_due)
        self.taken_over = False

    @Slot()
    def _on_screen_changed(self) -> None:
        if self._waits_for_temperature():
            self._timer.start()
        else:
            self._timer.stop()

    @Slot()
    def take_over(self) -> None:
        self.taken_over = True
        self._timer.stop()

    @Slot()
    def _on_due(self) -> None:
        if self._waits_for_temperature():
            self.temperature_read.emit(next(self._readings))

    def _waits_for_temperature(self) -> bool:
        if self.taken_over:
            return False
        st = self._machine.state
        return st.phase is Phase.PROMPT and st.decision is not None and st.decision.action == "measure_temperature"

    def start(self) -> None:
        """Nothing to open: like the hardware workers, so the app starts and stops it with them."""

    def stop(self) -> None:
        self._timer.stop()
