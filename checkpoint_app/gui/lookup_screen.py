"""While the platform is asked for the holder of an ID document (spec 5.1): a second or two,
at most the lookup's deadline. The document shows masked; Esc gives up and goes back."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from checkpoint_app.core.visit_state import VisitState
from checkpoint_app.gui import texts
from checkpoint_app.gui.icons import icon_pixmap
from checkpoint_app.gui.scaling import HeavyLabel, ScaledScreen
from checkpoint_app.gui.style import VISITOR_BLUE, WHITE


class LookupScreen(ScaledScreen):
    """Signals: cancelled()."""

    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LookupScreen")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(f"#LookupScreen {{ background: {VISITOR_BLUE}; }} QLabel {{ color: {WHITE}; }}")
        self.icon = QLabel()
        self.title = self.scaled(HeavyLabel(), 56, bold=True)
        self.document = self.scaled(QLabel(), 40, bold=True)
        self.cancel = self.scaled(QPushButton(), 22)
        self.cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel.setMinimumHeight(56)
        self.cancel.clicked.connect(self.cancelled)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(36, 24, 36, 24)
        lay.addStretch(1)
        for w in (self.icon, self.title, self.document):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            lay.addWidget(w)
        lay.addStretch(1)
        lay.addWidget(self.cancel)

    def show_state(self, state: VisitState) -> None:
        self.title.setText(texts.ui("looking_up"))
        masked = "" if state.lookup is None else state.lookup.masked
        self.document.setText(f"{texts.tr(texts.DOC_TYPES[1])} {masked}" if masked else "")
        self.cancel.setText(texts.ui("cancel"))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Delete):
            self.cancelled.emit()
        else:
            super().keyPressEvent(event)

    def rescaled(self, factor: float) -> None:
        self.icon.setPixmap(icon_pixmap("id_card", WHITE, round(120 * factor)))
