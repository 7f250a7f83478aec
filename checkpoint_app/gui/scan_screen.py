"""The scanning screen: the live preview, the invitation to show a code (or, with a card
reader, to place the ID card), a passing notice (a card that did not read), and the guard's
buttons (manual entry, ID number, statistics, settings, language)."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from checkpoint_app.gui import texts
from checkpoint_app.gui.icons import icon_pixmap
from checkpoint_app.gui.scaling import ScaledScreen
from checkpoint_app.gui.style import BAD, DEMO_PURPLE, RED, VIEWFINDER, VISITOR_BLUE, WHITE


class PreviewWidget(QWidget):
    """Paints the newest frame, letterboxed. Painting a QImage straight to the screen
    avoids a QPixmap conversion per frame; fast (not smooth) scaling keeps up at 30 fps.
    At a site without a camera it paints a prompt instead (`show_prompt`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.image: QImage | None = None
        self.prompt: str | None = None
        self.alarm = False
        self.painted = 0  # frames painted, for the benchmark

    def show_image(self, image: QImage) -> None:
        self.image = image
        self.update()

    def show_prompt(self, text: str, alarm: bool = False) -> None:
        """A scanner-only site: what to do, under a scanner's icon, where the picture would be
        (a black box there looked like a broken camera); `alarm`: the scanner is offline."""
        self.prompt, self.alarm = text, alarm
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        if self.prompt is not None:
            self._paint_prompt(p, self.prompt)
            p.end()
            return
        p.fillRect(self.rect(), QColor(VIEWFINDER))
        if self.image is not None and not self.image.isNull():
            size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(self.rect().center())
            p.drawImage(target, self.image)
            self.painted += 1
        p.end()

    def _paint_prompt(self, p: QPainter, text: str) -> None:
        w, h = self.width(), self.height()
        p.fillRect(self.rect(), QColor(BAD if self.alarm else VISITOR_BLUE))
        side = min(w, h)
        icon = max(32, round(side * 0.4))
        top = round(h * 0.12)
        p.drawPixmap((w - icon) // 2, top, icon_pixmap("scanner", WHITE, icon))
        font = p.font()
        font.setPixelSize(max(18, round(side * 0.085)))
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor(WHITE))
        below = top + icon + round(side * 0.04)
        p.drawText(QRect(round(w * 0.04), below, round(w * 0.92), h - below),
                   Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, text)


class ScanScreen(ScaledScreen):
    """Signals: manual_requested(), id_entry_requested(), stats_requested(), settings_requested(),
    language_requested(), mask_marked(bool worn): M / K pressed while waiting, for the next person."""

    NOTICE_MS = 6000

    manual_requested = Signal()
    id_entry_requested = Signal()
    mask_marked = Signal(bool)
    stats_requested = Signal()
    settings_requested = Signal()
    language_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ScanScreen")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.preview = PreviewWidget()
        self.hint = self.scaled(QLabel(), 44, bold=True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.id_reader = False  # a card reader is connected: invite people without a phone to use it
        self.scanner_only = False  # no camera: the preview area says to use the scanner
        self.scanner_offline = False  # the serial scanner failed (unplugged), until it reads again
        self.notice = self.scaled(QLabel(), 26, bold=True)
        self.notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notice.setStyleSheet(f"color: {WHITE}; background: {RED}; padding: 4px 12px; border-radius: 6px;")
        self.notice.hide()
        self._notice_timer = QTimer(self, singleShot=True, interval=self.NOTICE_MS)
        self._notice_timer.timeout.connect(self.notice.hide)
        self.demo = self.scaled(QLabel(), 20, bold=True)
        self.demo.setStyleSheet(f"color: {WHITE}; background: {DEMO_PURPLE}; padding: 4px 12px;")
        self.demo.hide()
        self.no_mask = self.scaled(QLabel(), 22, bold=True)
        self.no_mask.setStyleSheet(f"color: {WHITE}; background: {RED}; padding: 4px 12px; border-radius: 6px;")
        self.no_mask.setWordWrap(False)
        self.no_mask.hide()
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, signal in (("manual_entry", self.manual_requested), ("id_number", self.id_entry_requested),
                            ("statistics", self.stats_requested),
                            ("settings", self.settings_requested), ("language", self.language_requested)):
            b = self.scaled(QPushButton(), 22)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setMinimumHeight(56)
            b.clicked.connect(signal)
            row.addWidget(b)
            self.buttons[key] = b
        top = QHBoxLayout()
        top.addWidget(self.no_mask)
        top.addWidget(self.hint, 1)
        top.addWidget(self.demo)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.addLayout(top)
        lay.addWidget(self.notice)
        lay.addWidget(self.preview, 1)
        lay.addLayout(row)

    def show_state(self, demo: bool = False, next_no_mask: bool = False) -> None:
        hint = texts.ui("scan_hint")
        self.hint.setText(f"{hint}\n{texts.ui('scan_hint_id')}" if self.id_reader else hint)
        self.no_mask.setText(texts.ui("next_no_mask"))
        self.no_mask.setVisible(next_no_mask)
        self.demo.setText(texts.ui("demo"))
        self.demo.setVisible(demo)
        for key, b in self.buttons.items():
            b.setText(texts.ui(key))
        self._show_scanner_prompt()

    def scanner_works(self, works: bool, *, only: bool | None = None) -> None:
        """`only`: the site has no camera (set once at the start); `works`: its serial scanner
        read a code, or failed (unplugged): the prompt says so until it reads again."""
        if only is not None:
            self.scanner_only = only
        self.scanner_offline = not works
        self._show_scanner_prompt()

    @Slot(str)
    def _on_scanner_failed(self, _why: str) -> None:
        self.scanner_works(False)

    @Slot(str)
    def _on_scanner_read(self, _text: str) -> None:
        self.scanner_works(True)

    def _show_scanner_prompt(self) -> None:
        if self.scanner_only:
            offline = self.scanner_offline
            self.preview.show_prompt(texts.tr(texts.DEVICE_PROBLEMS["scanner_only"]) if offline
                                     else texts.ui("scanner_prompt"), alarm=offline)

    def card_not_read(self, why: str) -> None:
        """A card on the reader gave no number (IdCardReaderWorker.card_rejected's code): say
        so for NOTICE_MS, the guard asks to place it again or types the number."""
        self.notice.setText(texts.tr(texts.CARD_REJECTIONS.get(why, texts.CARD_UNREAD)))
        self.notice.show()
        self._notice_timer.start()
