"""An on-screen numeric keypad for temperatures and ID numbers, usable by touch; the screens
map the physical keyboard onto the same keys, so both paths share one code path."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

KEYS = ("7", "8", "9", "4", "5", "6", "1", "2", "3", ".", "0", "back")
ID_KEYS = ("7", "8", "9", "4", "5", "6", "1", "2", "3", "X", "0", "back")  # X: the check character 10
BACK, ENTER = "back", "enter"
# ASCII only: str.isdigit() is also true for "²" (a key of its own on AZERTY keyboards),
# which int() then refuses -- inside a key handler, where PySide turns it into a crash.
DIGITS = frozenset("0123456789")


class KeypadWidget(QWidget):
    """Signals: key_pressed(str): one of `keys` ("." or "X" beside the digits), "back" or "enter"."""

    key_pressed = Signal(str)

    def __init__(self, parent: QWidget | None = None, keys: tuple[str, ...] = KEYS) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setSpacing(8)
        self.buttons: dict[str, QPushButton] = {}
        for i, key in enumerate((*keys, ENTER)):
            b = QPushButton("⌫" if key == BACK else ("↵" if key == ENTER else key))
            b.setObjectName(f"key_{key}")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the screen keeps the keyboard focus
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            b.setMinimumSize(64, 56)
            b.clicked.connect(lambda _=False, k=key: self.key_pressed.emit(k))
            if key == ENTER:
                grid.addWidget(b, 4, 0, 1, 3)
            else:
                grid.addWidget(b, i // 3, i % 3)
            self.buttons[key] = b

    def set_font_px(self, px: int) -> None:
        for b in self.buttons.values():
            f = b.font()
            f.setPixelSize(px)
            f.setBold(True)
            b.setFont(f)


def edit(keys: str, key: str) -> str:
    """The typed text after one key; at most five characters ("36.55")."""
    if key == BACK:
        return keys[:-1]
    if key == "." and "." in keys:
        return keys
    return keys + key if len(keys) < 5 else keys
