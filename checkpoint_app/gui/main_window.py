"""The main window: six screens in a stack (scanning, prompt, manual entry, ID number entry,
lookup, result) and the status bar. It renders the state it is given and forwards the guard's intents as signals."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

from checkpoint_app.core.outcomes import VisitorCue
from checkpoint_app.core.visit_state import Phase, VisitState, visitor_cue
from checkpoint_app.gui import texts
from checkpoint_app.gui.id_entry_screen import IdEntryScreen
from checkpoint_app.gui.lookup_screen import LookupScreen
from checkpoint_app.gui.manual_screen import ManualScreen
from checkpoint_app.gui.prompt_screen import PromptScreen
from checkpoint_app.gui.result_screen import ResultScreen
from checkpoint_app.gui.scan_screen import ScanScreen
from checkpoint_app.gui.status_bar import StatusBarWidget
from checkpoint_app.gui.visitor_window import VisitorWindow

_RESULT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape, Qt.Key.Key_Space)


class MainWindow(QMainWindow):
    """Signals: manual_requested(), id_entry_requested(), stats_requested(), settings_requested(),
    language_requested(), close_requested(): the window was asked to close."""

    manual_requested = Signal()
    id_entry_requested = Signal()
    stats_requested = Signal()
    settings_requested = Signal()
    language_requested = Signal()
    close_requested = Signal()

    def __init__(self, demo: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.demo = demo
        # Below 1024x768 less a title bar, a panel and the frame's borders: the window must fit.
        self.setMinimumSize(800, 600)
        self.scan, self.prompt, self.result = ScanScreen(), PromptScreen(), ResultScreen()
        self.manual, self.id_entry, self.lookup = ManualScreen(), IdEntryScreen(), LookupScreen()
        self.stack = QStackedWidget()
        for screen in (self.scan, self.prompt, self.manual, self.id_entry, self.lookup, self.result):
            self.stack.addWidget(screen)
        self.setCentralWidget(self.stack)
        self.status = StatusBarWidget()
        self.setStatusBar(self.status)
        self.scan.manual_requested.connect(self.manual_requested)
        self.scan.id_entry_requested.connect(self.id_entry_requested)
        self.scan.stats_requested.connect(self.stats_requested)
        self.scan.settings_requested.connect(self.settings_requested)
        self.scan.language_requested.connect(self.language_requested)
        self._state = VisitState()
        self._remaining: int | None = None
        self._failed = False
        self.visitor: VisitorWindow | None = None  # the queue-facing screen, when there are two
        self.retranslate()

    def show_maximised(self) -> None:
        """Open maximised within the screen's available geometry (less panels and docks). A
        window manager adds its title bar and borders around that; with none, the window
        still starts inside the screen."""
        available = self.screen().availableGeometry()
        self.setGeometry(available.adjusted(0, 0, -available.width() // 10, -available.height() // 10))
        self.showMaximized()

    def render_visit(self, state: VisitState, remaining_s: int | None, failed: bool = False) -> None:
        self._state, self._remaining, self._failed = state, remaining_s, failed
        if self.visitor is not None:
            self.visitor.show_cue(VisitorCue.WAIT_HERE if failed else visitor_cue(state))
        if failed:
            self.result.show_state(state, None, failed=True)
            self._show(self.result)
        elif state.phase is Phase.PROMPT:
            self.prompt.show_state(state)
            self._show(self.prompt)
        elif state.phase is Phase.MANUAL:
            if self.stack.currentWidget() is not self.manual:
                self.manual.start(after_lookup=state.lookup_failed)
            self._show(self.manual)
        elif state.phase is Phase.ID_ENTRY:
            if self.stack.currentWidget() is not self.id_entry:
                self.id_entry.start()
            self._show(self.id_entry)
        elif state.phase is Phase.LOOKUP:
            self.lookup.show_state(state)
            self._show(self.lookup)
        elif state.phase is Phase.RESULT:
            self.result.show_state(state, remaining_s)
            self._show(self.result)
        elif state.phase is Phase.SCANNING:
            self.id_entry.start()  # a number typed and left is not kept on a hidden screen
            self.scan.show_state(self.demo, next_no_mask=state.next_mask is False)
            self._show(self.scan)
        # RECORDING: the previous screen stays until the record is durable (a few ms)

    def _show(self, screen: QWidget) -> None:
        if self.stack.currentWidget() is not screen:
            self.stack.setCurrentWidget(screen)
        screen.setFocus(Qt.FocusReason.OtherFocusReason)

    def retranslate(self) -> None:
        """Render every screen again in the language now installed."""
        self.setWindowTitle(texts.ui("window_title"))
        if self.visitor is not None:
            self.visitor.retranslate()
        self.scan.show_state(self.demo, next_no_mask=self._state.next_mask is False)
        self.status.show_state()
        self.manual.retranslate()
        self.id_entry.retranslate()
        if self._state.phase is not Phase.SCANNING or self._failed:
            self.render_visit(self._state, self._remaining, self._failed)

    def current_screen(self) -> QWidget | None:
        return self.stack.currentWidget()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        on_scan = self.stack.currentWidget() is self.scan
        if on_scan and key == Qt.Key.Key_F2:
            self.manual_requested.emit()
        elif on_scan and key == Qt.Key.Key_F6:
            self.id_entry_requested.emit()
        elif on_scan and key == Qt.Key.Key_F3:
            self.stats_requested.emit()
        elif on_scan and key == Qt.Key.Key_F4:
            self.settings_requested.emit()
        elif on_scan and key in (Qt.Key.Key_M, Qt.Key.Key_K):
            self.scan.mask_marked.emit(key == Qt.Key.Key_K)
        elif key == Qt.Key.Key_F5:
            self.language_requested.emit()
        elif self.stack.currentWidget() is self.result and key in _RESULT_KEYS:
            self.result.dismissed.emit()
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_requested.emit()
        super().closeEvent(event)
        if event.isAccepted() and self.visitor is not None:
            self.visitor.close()
