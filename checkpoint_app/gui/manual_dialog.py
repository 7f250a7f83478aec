"""Manual entry for someone without a usable code: a reason from a short list and,
optionally, the temperature; counted apart from scans in the statistics."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QDialog, QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from checkpoint_app.core.events import MANUAL_REASONS
from checkpoint_app.core.visit import parse_keyed_temperature
from checkpoint_app.gui import texts
from checkpoint_app.gui.keypad import ENTER, KeypadWidget, edit


class ManualEntryDialog(QDialog):
    """Signals: entry_made(str reason, object temperature_c or None)."""

    entry_made = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ManualEntryDialog")
        self.keys = ""
        self.title, self.reason_label, self.display, self.error = QLabel(), QLabel(), QLabel(), QLabel()
        self.error.setStyleSheet("color: #c62828; font-weight: bold;")
        f = self.display.font()
        f.setPixelSize(36)
        self.display.setFont(f)
        self.group = QButtonGroup(self)
        grid = QGridLayout()
        self.reason_buttons: dict[str, QPushButton] = {}
        for i, reason in enumerate(MANUAL_REASONS):
            b = QPushButton()
            b.setCheckable(True)
            b.setMinimumHeight(52)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.group.addButton(b)
            grid.addWidget(b, i // 3, i % 3)
            self.reason_buttons[reason] = b
        self.reason_buttons["no_smartphone"].setChecked(True)
        self.keypad = KeypadWidget()
        self.keypad.key_pressed.connect(self._on_key)
        self.record = QPushButton()
        self.record.setMinimumHeight(56)
        self.record.clicked.connect(self._on_record)
        lay = QVBoxLayout(self)
        for w in (self.title, self.reason_label):
            lay.addWidget(w)
        lay.addLayout(grid)
        for widget in (self.display, self.keypad, self.error, self.record):
            lay.addWidget(widget)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(texts.ui("manual_title"))
        self.title.setText(texts.ui("manual_title"))
        self.reason_label.setText(texts.ui("manual_reason"))
        for reason, b in self.reason_buttons.items():
            b.setText(texts.tr(texts.MANUAL_REASONS[reason]))
        self.record.setText(texts.ui("manual_record"))
        self._show()

    def reason(self) -> str:
        return next(r for r, b in self.reason_buttons.items() if b.isChecked())

    def _show(self) -> None:
        self.display.setText(f"{texts.ui('temperature')}: {self.keys or '--.-'} °C")

    def _on_key(self, key: str) -> None:
        if key == ENTER:
            self._on_record()
            return
        self.keys = edit(self.keys, key)
        self._show()

    def _on_record(self) -> None:
        temp = parse_keyed_temperature(self.keys) if self.keys else None
        if self.keys and temp is None:
            return
        self.entry_made.emit(self.reason(), temp)

    def temperature_rejected(self, value: float, lo: float, hi: float) -> None:
        self.keys = ""
        self._show()
        self.error.setText(texts.ui("measure_again", value=f"{value:.1f}", lo=lo, hi=hi))
