"""Lookups in the window under an unlucky site (spec 5.1): a platform that does not answer
while the guard moves on or the checkpoint shuts down, and the number looked for in every
property a widget exposes, against the reference authority over loopback."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAccessible, QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from checkpoint_app.cli import main as cli_main
from checkpoint_app.core.lookup.client import LookupPlatform as Platform
from checkpoint_app.core.store import Store
from checkpoint_app.core.visit_state import Phase
from tests.support.hostile_http import HostileServer, silent
from tests.support.lookup_platform import PEOPLE, ROOT_PEM, LookupPlatform, RecordingProxy, lookup_platform
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]
GREEN, RED = PEOPLE["green"].id_number, PEOPLE["red-hospital"].id_number
X_PERSON = PEOPLE["red-turn-back"].id_number  # ends in X
assert X_PERSON.endswith("X")


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[LookupPlatform]:
    with lookup_platform(tmp_path) as p:
        yield p


def synced(tmp_path: Path, platform: LookupPlatform, server_url: str | None = None) -> Path:
    data = tmp_path / "checkpoint"
    assert cli_main(["sync", "--once", "--server", platform.url, "--token", platform.token,
                     "--root-key", str(ROOT_PEM), "--data-dir", str(data)]) == 0
    if server_url is not None:
        with Store.open(data) as store:
            store.set_setting("server_url", server_url)
    return data


def window(make_app: MakeApp, data: Path) -> Harness:
    h = make_app(data=data, bundled=False, timeout_pass_s=1.0)
    h.qtbot.waitUntil(lambda: h.app.lookups._platform is not None, timeout=5000)
    return h


def wait_phase(h: Harness, phase: Phase, timeout: int = 15000) -> None:
    h.qtbot.waitUntil(lambda: h.app.machine.state.phase is phase, timeout=timeout)


def type_and_look_up(h: Harness, number: str) -> None:
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F6)
    wait_phase(h, Phase.ID_ENTRY)
    for key in (*number, "enter"):
        h.qtbot.mouseClick(h.window.id_entry.keypad.buttons[key], Qt.MouseButton.LeftButton)
    wait_phase(h, Phase.LOOKUP, 5000)



def point_lookups_at(h: Harness, url: str) -> None:
    """Lookups (only) go to `url`; the sync keeps its platform."""
    platform = h.app.lookups._platform
    assert platform is not None
    h.app.platform_known.emit(Platform(url, platform.token, platform.keys))
    h.qtbot.waitUntil(lambda: h.app.lookups._platform is not None and h.app.lookups._platform.server_url == url)


@pytest.mark.parametrize("stuck", ["lookup", "lookup_and_sync"])
def test_a_platform_that_does_not_answer_never_holds_the_shutdown(make_app: MakeApp, tmp_path: Path,
                                                                  platform: LookupPlatform, stuck: str) -> None:
    """A kiosk restart (a settings change, the supervisor) with a request in flight: the
    window waited for the lookup's 10 s deadline, and for a sync's three 60 s attempts (3 min)."""
    with HostileServer() as srv:
        srv.serve("/", silent())
        h = window(make_app, synced(tmp_path, platform, srv.url if stuck == "lookup_and_sync" else None))
        point_lookups_at(h, srv.url)
        type_and_look_up(h, GREEN)
        h.qtbot.waitUntil(lambda: any("/v1/lookup" in r for r in srv.requests), timeout=5000)
        started = time.monotonic()
        h.app.shutdown()
        assert time.monotonic() - started < 3
        assert not any(t.thread.isRunning() for t in h.app.threads)


def test_the_next_card_does_not_wait_behind_one_given_up(make_app: MakeApp, tmp_path: Path,
                                                         platform: LookupPlatform) -> None:
    """The platform hangs on a lookup, the guard gives up on it (Esc) and the next person's
    card is looked up at once: it queued behind the first one's 10 s deadline (and, with a
    slow platform, ran past the 15 s the window waits, into a manual record)."""
    proxy = RecordingProxy(platform.url)
    with HostileServer() as srv:
        srv.serve("/", silent())
        h = window(make_app, synced(tmp_path, platform))
        point_lookups_at(h, srv.url)
        type_and_look_up(h, RED)
        h.qtbot.waitUntil(lambda: any("/v1/lookup" in r for r in srv.requests), timeout=5000)
        h.qtbot.keyClick(h.window.lookup, Qt.Key.Key_Escape)
        wait_phase(h, Phase.SCANNING)
        point_lookups_at(h, proxy.url)
        started = time.monotonic()
        type_and_look_up(h, GREEN)
        h.wait_screen("prompt", timeout=15000)
        assert time.monotonic() - started < 5
        assert [path for path, _ in proxy.sent] == ["/v1/lookup"]  # only the second person's
    proxy.stop()


def _exposed(widget: QWidget) -> list[str]:
    """Every text a widget shows or tells a screen reader, a tooltip or a window manager."""
    out = [widget.windowTitle(), widget.toolTip(), widget.statusTip(), widget.whatsThis(),
           widget.accessibleName(), widget.accessibleDescription(), str(widget.windowIconText())]
    for attr in ("text", "placeholderText", "toPlainText", "currentText"):
        value = getattr(widget, attr, None)
        if callable(value):
            out.append(str(value()))
    iface = QAccessible.queryAccessibleInterface(widget)
    if iface is not None and iface.isValid():
        out += [iface.text(t) for t in (QAccessible.Text.Name, QAccessible.Text.Description,
                                        QAccessible.Text.Value, QAccessible.Text.Help)]
    return out


def all_exposed() -> list[str]:
    return [t for w in QApplication.allWidgets() for t in _exposed(w) if t]



def test_the_keypad_takes_only_what_makes_a_number_and_shows_it_masked(make_app: MakeApp, tmp_path: Path,
                                                                       platform: LookupPlatform) -> None:
    """The guard's keyboard: lower-case x, spaces, '²', a full-width digit, Backspace past the
    start, 17 digits and Enter. Nothing is sent until the 18 characters are right, and no
    widget (text, tooltip, accessible name or value, window title) ever holds the hidden digits."""
    proxy = RecordingProxy(platform.url)
    h = window(make_app, synced(tmp_path, platform, proxy.url))
    screen = h.window.id_entry
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F6)
    wait_phase(h, Phase.ID_ENTRY)
    for _ in range(3):
        h.qtbot.keyClick(screen, Qt.Key.Key_Backspace)
    assert screen.display.text() == "—"
    seen: list[str] = []
    for key in X_PERSON[:-1]:
        h.qtbot.keyClicks(screen, f" {key}")  # a space before each digit: not taken
        seen += all_exposed()
    h.qtbot.keyClick(screen, Qt.Key.Key_Return)  # 17 characters
    h.qtbot.wait(100)
    assert h.app.machine.state.phase is Phase.ID_ENTRY and screen.error.text()
    for odd in ("²", "１", "٣"):  # keyClicks would abort in QTest on a non-ASCII character
        QApplication.sendEvent(screen, QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, odd))
        assert screen.error.text()  # not a character of a number: said, and Backspace takes it back
        h.qtbot.keyClick(screen, Qt.Key.Key_Backspace)
    h.qtbot.keyClick(screen, Qt.Key.Key_X, Qt.KeyboardModifier.NoModifier)  # lower-case x
    seen += all_exposed()
    assert screen.display.text() == X_PERSON[:4] + "*" * 10 + X_PERSON[-4:] and screen.error.text() == ""
    h.qtbot.keyClick(screen, Qt.Key.Key_Return)
    h.wait_screen("result", timeout=15000)
    assert h.outcome() == "red_turn_back"
    seen += all_exposed()
    assert [path for path, _ in proxy.sent if path == "/v1/lookup"] == ["/v1/lookup"]
    assert screen._keys == "" and h.app.controller._lookup is None  # the number is held nowhere
    assert not [t for t in seen if X_PERSON[4:14] in t]
    proxy.stop()
