"""Issue 10 defect 5, offscreen: every screen lays out in a 1024x768 window (less a title
bar): nothing needs more room than there is, no text is cut off, the status bar is inside."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
SIZES = [(1024, 768 - 30), (1280, 800 - 30)]  # the screen less an ordinary title bar


def _clipped(screen: QWidget) -> list[str]:
    """Labels and buttons whose text needs more height or width than they were given."""
    found = []
    for w in screen.findChildren(QWidget):
        if not w.isVisibleTo(screen) or w.width() == 0:
            continue
        if isinstance(w, QLabel) and w.text():
            need = w.heightForWidth(w.contentsRect().width()) if w.wordWrap() else w.sizeHint().height()
            if need > w.contentsRect().height() + 2 or (not w.wordWrap() and w.minimumSizeHint().width() > w.width()):
                found.append(f"{w.objectName() or type(w).__name__} {w.text()[:30]!r}: {need} > {w.height()}")
        elif isinstance(w, QAbstractButton) and w.text() and w.sizeHint().width() > w.width() + 2:
            found.append(f"button {w.text()[:30]!r}: {w.sizeHint().width()} > {w.width()}")
    return found


def _check(h: Harness, what: str) -> list[str]:
    w = h.window
    h.qtbot.wait(50)  # layouts settle
    problems = [f"{what}: {p}" for p in _clipped(w.current_screen())]
    if w.minimumSizeHint().height() > w.height() or w.minimumSizeHint().width() > w.width():
        problems.append(f"{what}: the window needs {w.minimumSizeHint()}")
    bar = w.status.geometry()
    if bar.bottom() >= w.height() or not w.status.isVisible():
        problems.append(f"{what}: status bar outside the window")
    return problems


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_screen_lays_out(make_app: MakeApp, size: tuple[int, int]) -> None:
    h = make_app()
    h.window.resize(*size)
    for language in ("zh_CN", "en"):
        h.app.set_language(language)
        problems = _check(h, f"{language} scan")
        for code in ("green", "yellow", "red-hospital", "red-turn-back", "expired", "forged"):
            h.show_code(code)
            h.qtbot.waitUntil(lambda: h.window.current_screen() is not h.window.scan, timeout=5000)
            problems += _check(h, f"{language} {code}")
            if h.window.current_screen() is h.window.prompt:
                h.type("365")
                problems += _check(h, f"{language} {code} typed")
                h.qtbot.keyClick(h.window.prompt, "\r")
                h.wait_screen("result")
                problems += _check(h, f"{language} {code} result")
            h.dismiss()
            h.wait_screen("scan")
        assert h.window.size().width() == size[0] and h.window.size().height() == size[1]
        assert not problems, "\n".join(problems)
