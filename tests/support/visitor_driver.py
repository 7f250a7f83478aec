"""Drives the window with a visitor display on the second of two X screens (run under Xvfb
by tests/qt/test_visitor_display_x11.py): a code is shown, the guard types the
temperature, a red code follows. At each step it prints one JSON line of facts about both
windows and, with an output folder, saves both screens side by side in zh and en.

    python -m tests.support.visitor_driver SETTINGS DATA_DIR [OUT_DIR]"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from checkpoint_app.app import CheckpointApp
from checkpoint_app.core.visit import Phase
from checkpoint_app.demo.people import demo_codes
from checkpoint_app.gui.main_window import MainWindow
from tests.support.qt_loop import spin, wait_in_loop


def facts(step: str, app: CheckpointApp) -> dict[str, object]:
    w: MainWindow = app.window
    v = w.visitor
    screens = QGuiApplication.screens()
    guard_texts = [label.text() for label in w.current_screen().findChildren(QLabel) if label.isVisibleTo(w)]
    out: dict[str, object] = {"step": step, "language": app.language.language, "screens": len(screens),
                              "guard_screen": screens.index(w.screen()), "guard_texts": guard_texts,
                              "focus": QGuiApplication.focusWindow() is w.windowHandle()}
    if v is not None and v.isVisible():
        g = v.geometry()
        out |= {"visitor_screen": screens.index(v.screen()), "visitor_full": v.isFullScreen(),
                "visitor_geometry": [g.x(), g.y(), g.width(), g.height()],
                "screen_geometry": list(v.screen().geometry().getRect()), "cue": v.property("cue"),
                "visitor_texts": [label.text() for label in v.findChildren(QLabel) if label.text()],
                "visitor_font_px": v.words.font().pixelSize()}
    return out


def shoot(app: CheckpointApp, out: Path, name: str) -> None:
    """Both screens side by side, at half size: the guard's left, the queue's right."""
    shots = [s.grabWindow(0).toImage() for s in QGuiApplication.screens()]
    width = sum(s.width() for s in shots) // 2
    height = max(s.height() for s in shots) // 2
    canvas = QImage(width + 8 * (len(shots) - 1), height, QImage.Format.Format_RGB32)
    canvas.fill(Qt.GlobalColor.black)
    p = QPainter(canvas)
    x = 0
    for shot in shots:
        p.drawImage(QRect(x, 0, shot.width() // 2, shot.height() // 2), shot)
        x += shot.width() // 2 + 8
    p.end()
    lang = "zh" if app.language.language == "zh_CN" else "en"
    canvas.save(str(out / f"two-screens-{name}-{lang}.png"))


def step(app: CheckpointApp, name: str, out: Path | None) -> None:
    spin(300)  # both windows repainted
    for language in ("zh_CN", "en"):
        app.set_language(language)
        spin(150)
        print(json.dumps(facts(name, app), ensure_ascii=False), flush=True)
        if out is not None:
            shoot(app, out, name)
    app.set_language("zh_CN")


def main() -> int:
    settings_path, data_dir = Path(sys.argv[1]), Path(sys.argv[2])
    out = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    qapp = QApplication(sys.argv[:1])
    app = CheckpointApp(settings_path, data_dir, camera="none", bundled_documents=True)
    window = app.start()
    window.show_maximised()
    wait_in_loop(lambda: window.status.store is not None and window.isActiveWindow())
    codes = {c.label: c.text for c in demo_codes(int(time.time()))}
    assert app.decoder is not None
    step(app, "scan", out)
    app.decoder.code_read.emit(codes["green"], time.monotonic())
    wait_in_loop(lambda: app.machine.state.phase is Phase.PROMPT)
    step(app, "prompt", out)
    QTest.keyClicks(window.prompt, "365")
    QTest.keyClick(window.prompt, Qt.Key.Key_Return)
    wait_in_loop(lambda: app.machine.state.phase is Phase.RESULT)
    step(app, "pass", out)
    window.result.dismissed.emit()
    wait_in_loop(lambda: app.machine.state.phase is Phase.SCANNING)
    spin(4500)  # past the repeat guard
    app.decoder.code_read.emit(codes["red-hospital"], time.monotonic())
    wait_in_loop(lambda: app.machine.state.phase is Phase.RESULT)
    step(app, "red", out)
    app.shutdown()
    window.close()
    qapp.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
