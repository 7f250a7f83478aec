"""Manual entry for someone without a usable code, by keyboard alone, as large as the other
screens: F2, a reason key 1-6, the temperature, Enter (F2 2 3 6 5 Enter: an elderly
person at 36.5 °C). The temperature is required; Backspace on an empty reading goes back
to the reason; Esc or Del cancels. Counted apart from scans in the statistics. A lookup by
ID document that gets no answer leads here, never to a refusal (spec 5.1)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from checkpoint_app.core.events import MANUAL_REASONS
from checkpoint_app.core.manual_entry import parse_keyed_temperature
from checkpoint_app.core.outcomes import Outcome
from checkpoint_app.gui import texts
from checkpoint_app.gui.icons import icon_pixmap
from checkpoint_app.gui.keypad import BACK, DIGITS, ENTER, KeypadWidget, edit
from checkpoint_app.gui.scaling import HeavyLabel, ScaledScreen
from checkpoint_app.gui.style import CHOSEN, ERROR_TEXT, LOOKS, WHITE

_KEYS = {Qt.Key.Key_Backspace: BACK, Qt.Key.Key_Return: ENTER, Qt.Key.Key_Enter: ENTER, Qt.Key.Key_Period: "."}


class ManualScreen(ScaledScreen):
    """Signals: entry_made(str reason, float temperature_c), cancelled()."""

    entry_made = Signal(str, float)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ManualScreen")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.reason: str | None = None
        self.keys = ""
        self.after_lookup = False
        band = QFrame()
        band.setObjectName("band")
        band.setStyleSheet(f"#band {{ background: {LOOKS[Outcome.MANUAL].background}; }} QLabel {{ color: {WHITE}; }}")
        self.icon, self.title = QLabel(), self.scaled(HeavyLabel(), 40, bold=True)
        bl = QHBoxLayout(band)
        bl.addWidget(self.icon)
        bl.addWidget(self.title, 1)
        self.reason_label = self.scaled(QLabel(), 28, bold=True)
        grid = QGridLayout()
        self.reason_buttons: dict[str, QPushButton] = {}
        for i, reason in enumerate(MANUAL_REASONS):
            b = self.scaled(QPushButton(), 26, bold=True)
            b.setCheckable(True)
            b.setStyleSheet(f"QPushButton:checked {{ background: {CHOSEN}; color: {WHITE}; }}")
            b.setMinimumHeight(64)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, r=reason: self._choose(r))
            grid.addWidget(b, i // 2, i % 2)
            self.reason_buttons[reason] = b
        self.hint = self.scaled(QLabel(), 28, bold=True)
        self.display = self.scaled(HeavyLabel(), 72, bold=True)
        self.error = self.scaled(QLabel(), 26, bold=True)
        self.error.setStyleSheet(f"color: {ERROR_TEXT};")
        self.cancel = self.scaled(QPushButton(), 22)
        self.cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel.setMinimumHeight(56)
        self.cancel.clicked.connect(self.cancelled)
        left = QVBoxLayout()
        left.addWidget(self.reason_label)
        left.addLayout(grid)
        for w in (self.hint, self.display, self.error):
            left.addWidget(w)
        left.addStretch(1)
        left.addWidget(self.cancel)
        self.keypad = KeypadWidget()
        self.keypad.key_pressed.connect(self._on_key)
        body = QHBoxLayout()
        body.setContentsMargins(24, 16, 24, 16)
        body.addLayout(left, 3)
        body.addWidget(self.keypad, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(band)
        lay.addLayout(body, 1)
        self.start()

    def start(self, after_lookup: bool = False) -> None:
        """A fresh entry: no reason, no reading. After a lookup by ID that got no answer, the
        person has no phone (that is why the ID was used): say why, and that reason is chosen."""
        self.reason, self.keys = ("no_smartphone" if after_lookup else None), ""
        self.after_lookup = after_lookup
        self.error.setText("")
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(texts.ui("lookup_failed" if self.after_lookup else "manual_title"))
        self.reason_label.setText(texts.ui("manual_reason"))
        for i, (reason, b) in enumerate(self.reason_buttons.items(), start=1):
            b.setText(f"{i}  {texts.tr(texts.MANUAL_REASONS[reason])}")
            b.setChecked(reason == self.reason)
        self.hint.setText(texts.ui("manual_temperature") if self.reason else "")
        self.cancel.setText(texts.ui("cancel"))
        self._show_keys()

    def _show_keys(self) -> None:
        typed = parse_keyed_temperature(self.keys)  # "365" shows as the 36.5 it will be taken for
        shown = f"{typed:.1f}" if typed is not None else self.keys
        self.display.setText(f"{shown or '--.-'} °C")

    def _choose(self, reason: str) -> None:
        self.reason = reason
        self.error.setText("")
        self.retranslate()

    def _on_key(self, key: str) -> None:
        if self.reason is None:  # first the reason: 1-6
            if key in DIGITS and 1 <= int(key) <= len(MANUAL_REASONS):
                self._choose(MANUAL_REASONS[int(key) - 1])
            elif key == ENTER:
                self.error.setText(texts.ui("manual_need_reason"))
            return
        if key == ENTER:
            self._record()
        elif key == BACK and not self.keys:
            self._choose_again()
        else:
            self.keys = edit(self.keys, key)
            self.error.setText("")
            self._show_keys()

    def _choose_again(self) -> None:
        self.reason = None
        self.retranslate()

    def _record(self) -> None:
        temp = parse_keyed_temperature(self.keys)
        if temp is None or self.reason is None:
            self.keys = ""
            self._show_keys()
            self.error.setText(texts.ui("manual_need_temperature"))
            return
        self.entry_made.emit(self.reason, temp)

    def temperature_rejected(self, value: float, lo: float, hi: float) -> None:
        self.keys = ""
        self._show_keys()
        self.error.setText(texts.ui("measure_again", value=f"{value:.1f}", lo=lo, hi=hi))

    def not_ready(self) -> None:
        self.error.setText(texts.ui("not_ready"))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, text = event.key(), event.text()
        if text in DIGITS:
            self._on_key(text)
        elif key in _KEYS:
            self._on_key(_KEYS[Qt.Key(key)])
        elif key in (Qt.Key.Key_Escape, Qt.Key.Key_Delete):  # Del too: the kiosk lock swallows Esc
            self.cancelled.emit()
        else:
            super().keyPressEvent(event)

    def rescaled(self, factor: float) -> None:
        self.icon.setPixmap(icon_pixmap("manual", WHITE, round(72 * factor)))
        self.keypad.set_font_px(round(34 * factor))
