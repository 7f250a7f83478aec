"""A refusal holds whatever is scanned: the next person's code waits ("next person ready")
and is decided when the refusal is dismissed or times out, as if scanned at that moment.
And a payment or chat QR is a neutral "show your health code" that records nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from checkpoint_app.core import settings as st
from checkpoint_app.core.visit_state import MIN_HOLD_S, WAIT_MAX_S, Phase
from checkpoint_app.demo.folders import demo_folders
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]


def _waiting(h: Harness) -> None:
    h.qtbot.waitUntil(lambda: h.app.machine.state.waiting is not None)


@pytest.mark.parametrize(("label", "outcome"), [("yellow", "yellow"), ("forged", "invalid"),
                                                ("red-turn-back", "red_turn_back")])
def test_the_next_code_waits_until_the_refusal_is_dismissed(make_app: MakeApp, label: str, outcome: str) -> None:
    h = make_app()
    h.show_code(label)
    h.wait_screen("result")
    h.show_code("green")  # the next person, too early
    _waiting(h)
    r = h.window.result
    assert h.outcome() == outcome and r.next_ready.text() == "下一位已就绪 · Enter"
    assert len(h.events()) == 1  # the next code is not decided yet
    h.qtbot.keyClick(r, Qt.Key.Key_Return)  # a quick second Enter does not skip the refusal
    h.qtbot.wait(50)
    assert h.outcome() == outcome and h.window.current_screen() is r
    h.later(2)  # the code waited: it is verified again at the moment it is taken
    dismissed_at = h.clock()
    h.dismiss()
    h.wait_screen("prompt")
    decision = h.app.machine.state.decision
    assert decision is not None and decision.scan.at >= int(dismissed_at)
    assert "王*廉" in h.window.prompt.person.text()


def test_the_waiting_code_is_taken_when_the_refusal_times_out(make_app: MakeApp) -> None:
    h = make_app(timeout_refused_s=3.0)
    h.show_code("yellow")
    h.wait_screen("result")
    h.show_code("green")
    _waiting(h)
    h.wait_screen("prompt", timeout=6000)  # nobody pressed anything


def test_a_code_waiting_more_than_a_minute_is_dropped(make_app: MakeApp) -> None:
    h = make_app()
    h.show_code("red-hospital")  # stays until dismissed
    h.wait_screen("result")
    h.show_code("green")
    _waiting(h)
    h.later(WAIT_MAX_S + 1)
    h.app.controller._wake.start(0)  # the timer the controller armed for the minute, now
    h.qtbot.waitUntil(lambda: h.app.machine.state.waiting is None)
    assert h.window.result.next_ready.text() == ""
    h.dismiss()
    h.wait_screen("scan")
    h.qtbot.wait(100)
    assert h.app.machine.state.phase is Phase.SCANNING and len(h.events()) == 1


def test_a_code_read_at_a_prompt_waits_for_the_visit(make_app: MakeApp) -> None:
    h = make_app()
    h.show_code("green")
    h.wait_screen("prompt")
    h.show_code("yellow")
    _waiting(h)
    assert h.window.prompt.next_ready.text() == "下一位已就绪"
    h.type("385")
    h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Return)
    h.wait_screen("result")
    assert h.outcome() == "fever"  # the fever holds; the yellow code still waits
    h.dismiss()
    h.qtbot.waitUntil(lambda: h.outcome() == "yellow")


@pytest.mark.parametrize("text", ["https://qr.alipay.com/fkx18213hsd", "wxp://f2f0Ab3kL_jwQ", "HELLO WORLD"])
def test_not_a_health_code_asks_for_one_and_records_nothing(make_app: MakeApp, text: str) -> None:
    h = make_app()
    h.show_code(text)
    h.wait_screen("result")
    r = h.window.result
    assert h.outcome() == "not_a_code" and r.headline.text() == "请出示健康码"
    assert r.kind.text() == "不是健康码" and "付款码" in r.action.text() and h.app.sound.last_played == "prompt"
    h.show_code("yellow")  # the health code that follows is taken at once
    h.qtbot.waitUntil(lambda: h.outcome() == "yellow")
    h.show_code(text)  # during a refusal: nothing to wait for
    h.qtbot.wait(100)
    assert h.app.machine.state.waiting is None
    assert [e.action for e in h.events()] == ["home_isolation"]


def test_in_the_demo_a_red_code_holds_and_the_next_code_waits(make_app: MakeApp, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo moves on by itself (its red screens go after timeout_staff_s, not on Enter),
    yet a red code holds 3 s like any refusal: the demo thermometer's next person waits."""
    monkeypatch.setenv("CHECKPOINT_CACHE_DIR", str(tmp_path / "cache"))
    demo = st.load(demo_folders()[0])  # the timeouts `--demo` runs with
    assert demo.timeout_staff_s > MIN_HOLD_S  # red goes by itself in the demo, but not at once
    h = make_app(demo=True, timeout_staff_s=demo.timeout_staff_s, timeout_refused_s=demo.timeout_refused_s)
    assert h.app.demo_thermometer is not None
    h.show_code("red-turn-back")
    h.wait_screen("result")
    state = h.app.machine.state
    assert h.outcome() == "red_turn_back" and state.deadline is not None and state.shown_at is not None
    assert state.deadline - state.shown_at == demo.timeout_staff_s
    h.show_code("green")  # the next person, too early
    _waiting(h)
    r = h.window.result
    assert r.next_ready.text() == "下一位已就绪 · Enter" and len(h.events()) == 1
    h.later(MIN_HOLD_S - 0.5)
    h.qtbot.keyClick(r, Qt.Key.Key_Return)  # Enter inside the hold: the red stays
    h.qtbot.wait(100)
    assert h.outcome() == "red_turn_back" and h.window.current_screen() is r and len(h.events()) == 1
    h.later(demo.timeout_staff_s)  # nobody presses anything: the red times out
    taken_at = h.clock()
    h.app.controller._wake.start(0)  # the timer armed for the deadline, now
    h.qtbot.waitUntil(lambda: h.app.machine.state.decision is not None
                      and h.app.machine.state.decision.scan.at >= int(taken_at), timeout=5000)
    decision = h.app.machine.state.decision
    assert decision is not None and decision.scan.verification.code is not None
    assert decision.scan.verification.code.name == "王*廉"  # the waiting green code, decided now
    h.qtbot.waitUntil(lambda: h.outcome() == "pass", timeout=8000)  # the demo thermometer answered its prompt
    assert [e.action for e in h.events()] == ["turn_back_isolation", "pass"]
