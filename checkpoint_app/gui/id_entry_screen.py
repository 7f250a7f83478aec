"""Typing an ID number to look up (spec 5.1), for someone without a phone when there is no
card reader or the card will not read: F6, 18 keys (digits, X last), Enter. Each key is
checked as typed (core.identity.as_typed), so a wrong province, date or check digit shows
at the key that made it. The number shows masked as typed, never whole, and it is dropped
from the screen the moment it is handed on (or the screen is left)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from checkpoint_app.core.identity import LENGTH, RESIDENT_ID, IdDocument, Typed, as_typed, mask_as_typed
from checkpoint_app.gui import texts
from checkpoint_app.gui.icons import icon_pixmap
from checkpoint_app.gui.keypad import BACK, ENTER, ID_KEYS, KeypadWidget
from checkpoint_app.gui.scaling import HeavyLabel, ScaledScreen
from checkpoint_app.gui.style import ERROR_TEXT, VISITOR_BLUE, WHITE

_KEYS = {Qt.Key.Key_Backspace: BACK, Qt.Key.Key_Return: ENTER, Qt.Key.Key_Enter: ENTER, Qt.Key.Key_X: "X"}


class IdEntryScreen(ScaledScreen):
    """Signals: document_entered(IdDocument): a complete, valid number; cancelled()."""

    document_entered = Signal(object)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("IdEntryScreen")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._keys = ""
        band = QFrame()
        band.setObjectName("band")
        band.setStyleSheet(f"#band {{ background: {VISITOR_BLUE}; }} QLabel {{ color: {WHITE}; }}")
        self.icon, self.title = QLabel(), self.scaled(HeavyLabel(), 40, bold=True)
        bl = QHBoxLayout(band)
        bl.addWidget(self.icon)
        bl.addWidget(self.title, 1)
        self.hint = self.scaled(QLabel(), 28)
        self.display = self.scaled(HeavyLabel(), 64, bold=True)
        self.display.setObjectName("display")
        self.display.setWordWrap(False)
        self.progress = self.scaled(QLabel(), 28, bold=True)
        self.error = self.scaled(QLabel(), 28, bold=True)
        self.error.setStyleSheet(f"color: {ERROR_TEXT};")
        self.cancel = self.scaled(QPushButton(), 22)
        self.cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel.setMinimumHeight(56)
        self.cancel.clicked.connect(self._on_cancel)
        left = QVBoxLayout()
        for w in (self.hint, self.display, self.progress, self.error):
            left.addWidget(w)
        left.addStretch(1)
        left.addWidget(self.cancel)
        self.keypad = KeypadWidget(keys=ID_KEYS)
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

    def start(self) -> None:
        """A fresh entry."""
        self._keys = ""
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(texts.ui("id_title"))
        self.hint.setText(texts.ui("id_hint"))
        self.cancel.setText(texts.ui("cancel"))
        self._show()

    def _show(self) -> None:
        typed = as_typed(self._keys)
        self.display.setText(mask_as_typed(self._keys) or "—")
        self.progress.setText(texts.ui("id_complete") if typed.state is Typed.COMPLETE
                              else texts.ui("id_typed", n=len(self._keys)))
        problem = typed.problem if typed.state in (Typed.WRONG_CHECK, Typed.INVALID) else None
        self.error.setText("" if problem is None else texts.tr(texts.ID_PROBLEMS[problem.value]))

    def _on_key(self, key: str) -> None:
        if key == ENTER:
            self._submit()
            return
        if key == BACK:
            self._keys = self._keys[:-1]
        elif len(self._keys) < LENGTH and as_typed(self._keys).state is not Typed.INVALID:
            self._keys += key  # a key past a mistake is not taken: Backspace first
        self._show()

    def _submit(self) -> None:
        if as_typed(self._keys).state is not Typed.COMPLETE:
            if len(self._keys) < LENGTH:
                self.error.setText(texts.tr(texts.ID_PROBLEMS["ID_LENGTH"]))
            return
        doc = IdDocument(RESIDENT_ID, self._keys)
        self.start()  # the screen forgets the number before it goes on
        self.document_entered.emit(doc)

    def _on_cancel(self) -> None:
        self.start()
        self.cancelled.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, text = event.key(), event.text()
        if text.isdigit() and len(text) == 1:
            self._on_key(text)
        elif key in _KEYS:
            self._on_key(_KEYS[Qt.Key(key)])
        elif key in (Qt.Key.Key_Escape, Qt.Key.Key_Delete):  # Del too: the kiosk lock swallows Esc
            self._on_cancel()
        else:
            super().keyPressEvent(event)

    def rescaled(self, factor: float) -> None:
        self.icon.setPixmap(icon_pixmap("id_card", WHITE, round(72 * factor)))
        self.keypad.set_font_px(round(34 * factor))
