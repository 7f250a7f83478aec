"""The prompt screen of a pending visit (a green code): check the ID, take the
temperature on the keypad or keyboard, mark no mask; the decision follows each input."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from checkpoint_app.core.checkpoint import Source
from checkpoint_app.core.manual_entry import parse_keyed_temperature
from checkpoint_app.core.outcomes import Outcome
from checkpoint_app.core.visit_state import VisitState
from checkpoint_app.gui import texts
from checkpoint_app.gui.icons import icon_pixmap
from checkpoint_app.gui.keypad import DIGITS, ENTER, KeypadWidget, edit
from checkpoint_app.gui.result_screen import person_line
from checkpoint_app.gui.scaling import HeavyLabel, ScaledScreen
from checkpoint_app.gui.style import ERROR_TEXT, ID_CHECK, LOOKS, WHITE

_KEYS = {Qt.Key.Key_Backspace: "back", Qt.Key.Key_Return: ENTER, Qt.Key.Key_Enter: ENTER, Qt.Key.Key_Period: "."}


class PromptScreen(ScaledScreen):
    """Signals: temperature_entered(str keys), mask_marked(bool worn), cancelled(),
    typed(): the guard pressed a temperature key (the demo's thermometer gives way)."""

    temperature_entered = Signal(str)
    typed = Signal()
    mask_marked = Signal(bool)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PromptScreen")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.keys = ""
        self._icon = "pending"  # what the prompt waits for: the temperature, or a mask
        self._state = VisitState()
        band = QFrame()
        band.setObjectName("band")
        band.setStyleSheet(f"#band {{ background: {LOOKS[Outcome.PENDING].background}; }} QLabel {{ color: {WHITE}; }}")
        self.icon = QLabel()
        self.headline = self.scaled(HeavyLabel(), 44, bold=True)
        self.action = self.scaled(HeavyLabel(), 44, bold=True)
        bl = QHBoxLayout(band)
        bl.setSpacing(32)
        bl.addWidget(self.icon)
        bl.addWidget(self.headline)
        bl.addWidget(self.action, 1)
        # The ID check sits beside the name and number it is about ("亮码、亮证").
        id_box = QFrame()
        id_box.setObjectName("idbox")
        id_box.setStyleSheet(f"#idbox {{ border: 4px solid {ID_CHECK}; border-radius: 12px; }}")
        self.id_icon, self.check_id = QLabel(), self.scaled(QLabel(), 34, bold=True)
        self.person = self.scaled(QLabel(), 32)
        il = QVBoxLayout(id_box)
        row = QHBoxLayout()
        row.addWidget(self.id_icon)
        row.addWidget(self.check_id, 1)
        il.addLayout(row)
        il.addWidget(self.person)
        self.hint = self.scaled(QLabel(), 24)
        self.display = self.scaled(HeavyLabel(), 72, bold=True)
        self.display.setObjectName("display")
        self.error = self.scaled(QLabel(), 26, bold=True)
        self.error.setStyleSheet(f"color: {ERROR_TEXT};")
        self.mask_state = self.scaled(QLabel(), 24)
        self.next_ready = self.scaled(QLabel(), 24, bold=True)
        left = QVBoxLayout()
        for w in (id_box, self.hint, self.display, self.error, self.mask_state, self.next_ready):
            left.addWidget(w)
        left.addStretch(1)
        self.no_mask = self.scaled(QPushButton(), 26, bold=True)
        self.mask_on = self.scaled(QPushButton(), 26, bold=True)
        self.cancel = self.scaled(QPushButton(), 22)
        buttons = QHBoxLayout()
        for b in (self.no_mask, self.mask_on, self.cancel):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setMinimumHeight(60)
            buttons.addWidget(b)
        self.no_mask.clicked.connect(lambda: self.mask_marked.emit(False))
        self.mask_on.clicked.connect(lambda: self.mask_marked.emit(True))
        self.cancel.clicked.connect(self.cancelled)
        left.addLayout(buttons)
        self.keypad = KeypadWidget()
        self.keypad.key_pressed.connect(self._on_key)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addWidget(self.keypad, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(band)
        inner = QVBoxLayout()
        inner.setContentsMargins(24, 16, 24, 16)
        inner.addLayout(body)
        lay.addLayout(inner, 1)

    def show_state(self, state: VisitState) -> None:
        if state.decision is not self._state.decision or state.rejected_temperature != self._state.rejected_temperature:
            self.keys = ""  # a new decision or a rejected value: start the entry afresh
        self._state = state
        d = state.decision
        policy = None if state.ctx is None else state.ctx.policy
        self.headline.setText(texts.tr(texts.HEADLINES["pending"]))
        self.action.setText("" if d is None else texts.action_text(d.action, policy))
        # A lookup by ID document read or typed the ID itself: nothing to compare (spec 5.1).
        looked_up = d is not None and d.scan.source is Source.ID_LOOKUP
        self.check_id.setText(texts.ui("id_checked" if looked_up else "check_id"))
        self.person.setText(person_line(state))
        self.hint.setText(texts.ui("enter_temperature"))
        rejected = state.rejected_temperature
        self.error.setText("" if rejected is None or policy is None else texts.ui(
            "measure_again", value=f"{rejected:.1f}", lo=policy.temperature_min_c, hi=policy.temperature_max_c))
        mask = state.inputs.mask
        worn = texts.ui("mask_yes" if mask else "mask_no")
        self.mask_state.setText("" if mask is None else texts.labelled(texts.ui('mask'), worn))
        self.no_mask.setText(texts.ui("no_mask"))
        self.mask_on.setText(texts.ui("mask_on"))
        self.mask_on.setVisible(mask is False)
        self.cancel.setText(texts.ui("cancel"))
        self.next_ready.setText("" if state.waiting is None else texts.ui("next_ready_prompt"))
        self._icon = "mask" if d is not None and d.action == "wear_mask" else "pending"
        self.rescaled(self.factor())
        self._show_keys()

    def _show_keys(self) -> None:
        temp = self._state.inputs.temperature_c
        typed = parse_keyed_temperature(self.keys)  # "365" shows as the 36.5 it will be taken for
        value = typed if self.keys else temp
        shown = f"{value:.1f}" if value is not None else self.keys
        self.display.setText(f"{shown or '--.-'} °C")

    def _on_key(self, key: str) -> None:
        self.typed.emit()
        if key == ENTER:
            if self.keys:
                keys, self.keys = self.keys, ""
                self.temperature_entered.emit(keys)
            return
        self.keys = edit(self.keys, key)
        self._show_keys()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, text = event.key(), event.text()
        if text in DIGITS:
            self._on_key(text)
        elif key in _KEYS:
            self._on_key(_KEYS[Qt.Key(key)])
        elif key == Qt.Key.Key_M:
            self.mask_marked.emit(False)
        elif key == Qt.Key.Key_K:
            self.mask_marked.emit(True)
        elif key in (Qt.Key.Key_Escape, Qt.Key.Key_Delete):  # Del too: the kiosk lock swallows Esc
            self.cancelled.emit()
        else:
            super().keyPressEvent(event)

    def rescaled(self, factor: float) -> None:
        self.icon.setPixmap(icon_pixmap(self._icon, WHITE, round(80 * factor)))
        self.id_icon.setPixmap(icon_pixmap("id_card", ID_CHECK, round(56 * factor)))
        self.keypad.set_font_px(round(34 * factor))
