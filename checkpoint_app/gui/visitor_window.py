"""The visitor display: a second window, full screen on the screen that faces the queue.

It says only what the person at the front must do, huge: show the code, take the
temperature, put on a mask, go in, or wait here; never a name, an ID number or a reason
(the guard's screen keeps those). In Chinese the English words stand below, smaller, for
foreign visitors. It never takes the focus: the guard's keyboard stays on the guard's window.

It follows the screens for weeks of running: a queue screen unplugged (or switched off,
so that the graphics card drops it) parks the window, hidden, instead of leaving it on the
guard's screen under or over the guard's window; a queue screen plugged in, or switched
on after the start, gets the window back, full screen."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QRect, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QResizeEvent, QScreen
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from checkpoint_app.core.outcomes import VisitorCue
from checkpoint_app.gui import texts
from checkpoint_app.gui.icons import icon_pixmap
from checkpoint_app.gui.scaling import HeavyLabel
from checkpoint_app.gui.style import GREEN, INK, RED, VISITOR_BLUE, WHITE, YELLOW
from checkpoint_app.gui.window_guard import WindowGuard

log = logging.getLogger("checkpoint.visitor")

# background, text, icon: green to go, red to stop, amber for something to do, blue to begin
CUE_LOOKS = {
    VisitorCue.SHOW_CODE: (VISITOR_BLUE, WHITE, "show_code"),
    VisitorCue.TAKE_TEMPERATURE: (YELLOW, INK, "pending"),
    VisitorCue.WEAR_MASK: (YELLOW, INK, "mask"),
    VisitorCue.GO_IN: (GREEN, WHITE, "pass"),
    VisitorCue.WAIT_HERE: (RED, WHITE, "refused"),
    VisitorCue.PLACE_ID_CARD: (VISITOR_BLUE, WHITE, "id_card"),
}


def choose_screen(setting: str, screens: list[QScreen], guard: QScreen | None) -> QScreen | None:
    """The queue-facing screen: "none"; "auto": the first screen besides the guard's; "N": the
    N-th screen (1 is the first), unless it is the guard's or there is no such screen."""
    if setting == "none":
        return None
    if setting == "auto":
        return next((s for s in screens if s is not guard), None)
    index = int(setting) - 1 if setting.isdigit() else -1
    chosen = screens[index] if 0 <= index < len(screens) else None
    return None if chosen is guard else chosen


class VisitorWindow(QWidget):
    def __init__(self, setting: str = "auto") -> None:
        """`setting`: the visitor_screen setting, for choose_screen()."""
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.WindowDoesNotAcceptFocus)
        self.setObjectName("VisitorWindow")
        self.setting = setting
        self.guard: WindowGuard | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)  # the guard's window decides when to quit
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.cue = VisitorCue.SHOW_CODE
        self.icon, self.words, self.english = QLabel(), HeavyLabel(), QLabel()
        for label in (self.icon, self.words, self.english):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.words.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(40, 40, 40, 40)
        lay.addStretch(1)
        lay.addWidget(self.icon)
        lay.addWidget(self.words)
        lay.addWidget(self.english)
        lay.addStretch(1)
        self.retranslate()

    def show_on(self, screen: QScreen) -> None:
        self.setScreen(screen)
        self.setGeometry(screen.geometry())
        self.setWindowState(Qt.WindowState.WindowFullScreen)
        self.show()  # not showFullScreen(): that also activates, and this window never takes the focus

    def follow_screens(self) -> None:
        app = QGuiApplication.instance()
        assert isinstance(app, QGuiApplication)
        for changed in (app.screenAdded, app.screenRemoved, app.primaryScreenChanged):
            changed.connect(lambda *_: QTimer.singleShot(0, self.rehome))  # once Qt has moved its windows
        self.rehome()

    def keep_full_screen(self, parent: QObject) -> WindowGuard:
        """Kiosk mode: whatever the window manager does, back full screen (never focused);
        paused while the window is parked for want of a screen. The guard's
        `destroyed_outside` is the kiosk's to answer (a restart)."""
        self.guard = WindowGuard(self, take_focus=False, parent=parent)
        if self.isVisible():
            self.guard.start()
        return self.guard

    def rehome(self) -> None:
        """On the screen the setting chooses now, or hidden when there is none."""
        screen = choose_screen(self.setting, list(QGuiApplication.screens()), QGuiApplication.primaryScreen())
        if screen is None:
            if self.isVisible():
                log.warning("visitor display hidden: no screen for it (setting %s)", self.setting)
            if self.guard is not None:
                self.guard.stop()
            self.hide()
            return
        if not self.isVisible() or self.screen() is not screen or self.geometry() != screen.geometry():
            log.info("visitor display on %s", screen.name())
            if self.guard is not None:
                self.guard.stop()  # a move may give the window a new native id: watch that one
            self.show_on(screen)
        if self.guard is not None:
            self.guard.start()

    def show_cue(self, cue: VisitorCue | None) -> None:
        """None: keep what is shown (a record is on its way; the result follows at once)."""
        if cue is None:
            return
        self.cue = cue
        background, foreground, _ = CUE_LOOKS[cue]
        self.setStyleSheet(f"#VisitorWindow {{ background: {background}; }} QLabel {{ color: {foreground}; }}")
        self.setProperty("cue", cue.value)
        source = texts.VISITOR_CUES[cue.value]
        words = texts.tr(source)
        self.words.setText(words)
        self.english.setText(source if words != source else "")
        self._fit()

    def retranslate(self) -> None:
        self.setWindowTitle(texts.ui("visitor_title"))  # else the program's file name
        self.show_cue(self.cue)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """The words as large as the screen allows: a fifth of its height, smaller until they
        fit the width in at most two fifths of the height (two lines of English)."""
        width, height = max(self.width() - 80, 100), max(self.height(), 100)
        font = QFont(self.words.font())
        font.setBold(True)
        px = max(24, height // 5)
        font.setPixelSize(px)
        while px > 24 and not _fits(font, self.words.text(), width, height * 2 // 5):
            px = int(px * 0.92)
            font.setPixelSize(px)
        self.words.setFont(font)
        small = QFont(font)
        small.setPixelSize(max(16, px // 3))
        small.setBold(False)
        self.english.setFont(small)
        _, foreground, icon = CUE_LOOKS[self.cue]
        self.icon.setPixmap(icon_pixmap(icon, foreground, max(48, height // 4)))


def _fits(font: QFont, text: str, width: int, height: int) -> bool:
    metrics = QFontMetrics(font)
    if any(metrics.horizontalAdvance(word) > width for word in text.split()):
        return False  # a word is never broken
    box = metrics.boundingRect(QRect(0, 0, width, 100 * height), int(Qt.TextFlag.TextWordWrap), text)
    return box.height() <= height


def start_visitor_display(setting: str) -> VisitorWindow | None:
    """None for "none"; else the window, shown when and where its screen is."""
    if setting == "none":
        return None
    window = VisitorWindow(setting)
    window.follow_screens()
    return window
