"""Every visit flow of spec section 6 through the real window, store thread and store."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt

from checkpoint_app.core.visit_state import Phase
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]


def test_green_pass_takes_four_keys_and_is_recorded_before_shown(make_app: MakeApp) -> None:
    h = make_app()
    h.show_code("green")
    h.wait_screen("prompt")
    prompt = h.window.prompt
    assert "王*廉" in prompt.person.text() and "0913" in prompt.person.text()
    assert prompt.check_id.text() == "核对证件"
    shown: list[int] = []
    h.app.controller.decision_shown.connect(lambda *_: shown.append(len(h.events())))
    h.type("365")
    assert prompt.display.text() == "36.5 °C"  # what the three digits will be taken for
    h.qtbot.keyClick(prompt, Qt.Key.Key_Return)
    h.wait_screen("result")
    assert h.outcome() == "pass" and h.window.result.headline.text() == "准予通行"
    assert h.app.sound.last_played == "pass"
    assert shown == [1]  # the event was in the store when the decision reached the screen
    (event,) = h.events()
    assert (event.action, event.temperature_c, event.allow, event.hid is not None) == ("pass", 36.5, True, True)


def test_no_mask_then_mask_on(make_app: MakeApp) -> None:
    h = make_app()
    h.show_code("green")
    h.wait_screen("prompt")
    h.type("m365")
    h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Return)
    h.qtbot.waitUntil(lambda: h.app.machine.state.decision.action == "wear_mask")
    assert h.window.current_screen() is h.window.prompt and h.window.prompt.action.text() == "请佩戴口罩"
    assert not h.events()
    h.type("k")
    h.wait_screen("result")
    assert h.outcome() == "pass" and h.events()[0].mask is True


def test_fever_stays_until_dismissed(make_app: MakeApp) -> None:
    h = make_app()
    h.show_code("green")
    h.wait_screen("prompt")
    h.type("382")
    h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Enter)
    h.wait_screen("result")
    assert h.outcome() == "fever" and h.app.controller.remaining_s() is None
    assert h.events()[0].action == "fever_referral"
    assert h.window.result.headline.text() == "禁止入内" and h.window.result.action.text() == "请其原地等候，复测体温"
    h.dismiss()
    h.wait_screen("scan")


def test_out_of_range_temperature_asks_again_and_records_nothing(make_app: MakeApp) -> None:
    h = make_app()
    h.show_code("green")
    h.wait_screen("prompt")
    for key in "12.5":
        h.window.prompt.keypad.buttons[key].click()  # by touch, this time
    h.window.prompt.keypad.buttons["enter"].click()
    assert "请重新测量" in h.window.prompt.error.text()
    assert h.window.current_screen() is h.window.prompt and not h.events()


def test_no_mask_abandoned_at_prompt_is_recorded_as_abandoned(make_app: MakeApp) -> None:
    h = make_app()
    h.show_code("green")
    h.wait_screen("prompt")
    h.type("m")
    h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Escape)
    h.wait_screen("scan")
    h.qtbot.waitUntil(lambda: len(h.events()) == 1)
    (event,) = h.events()
    assert (event.kind, event.mask, event.allow, event.action) == ("abandoned", False, False, "measure_temperature")


@pytest.mark.parametrize(("label", "outcome", "action", "kind"), [
    ("yellow", "yellow", "请回家居家观察 14 天", "黄码"),
    ("red-hospital", "red_hospital", "请其原地等候，立即联系医务人员", "红码"),
    ("red-turn-back", "red_turn_back", "请其原地等候，联系防疫人员", "红码"),
    ("forged", "invalid", "请其出示有效健康码", "无效码"),
    ("expired", "invalid", "请其出示有效健康码", "无效码"),
])
def test_immediate_outcomes(make_app: MakeApp, label: str, outcome: str, action: str, kind: str) -> None:
    h = make_app()
    h.show_code(label)
    h.wait_screen("result")
    r = h.window.result
    assert h.outcome() == outcome and r.headline.text() == "禁止入内" and r.action.text() == action
    assert r.kind.text() == kind and not r.icon.pixmap().isNull()
    assert r.reasons.text() and "(" not in r.reasons.text()  # words, never colour alone, never codes
    assert len(h.events()) == 1
    assert h.app.sound.last_played == {"yellow": "attention", "invalid": "invalid"}.get(outcome, "alarm")


def test_invalid_reason_is_in_words(make_app: MakeApp) -> None:
    h = make_app()
    h.show_code("forged")
    h.wait_screen("result")
    assert "签名错误" in h.window.result.reasons.text()
    assert h.events()[0].error == "BAD_SIGNATURE"


def test_cannot_verify_when_never_synced(make_app: MakeApp) -> None:
    h = make_app(bundled=False)
    assert h.window.status.freshness.text() == "从未同步"
    h.show_code("green")
    h.wait_screen("result")
    r = h.window.result
    assert h.outcome() == "cannot_verify" and r.kind.text() == "无法核验" and r.headline.text() == "禁止入内"
    assert r.action.text() == "请人工核验，并联系系统管理员"  # whom to call
    assert h.events()[0].action == "cannot_verify" and h.app.controller.remaining_s() is None


@pytest.mark.parametrize(("language", "not_synced", "first_sync"), [
    ("zh_CN", "本检查点尚未同步数据", "请联系IT人员进行首次同步，或插入同步U盘"),
    ("en", "This checkpoint has not synced yet", "Ask IT to run the first sync, or insert the USB stick")])
def test_never_synced_is_said_as_such_not_as_old_data(make_app: MakeApp, language: str, not_synced: str,
                                                       first_sync: str) -> None:
    """A checkpoint whose installer never ran the first sync: the guard read "data too old to
    decide" (数据过旧) and looked for a fault; the decision stays cannot_verify, never a pass."""
    h = make_app(bundled=False, language=language)
    h.show_code("green")
    h.wait_screen("result")
    r = h.window.result
    assert h.outcome() == "cannot_verify"
    assert r.reasons.text().splitlines() == [not_synced, first_sync]
    assert "数据过旧" not in r.reasons.text() and "too old" not in r.reasons.text()
    event = h.events()[0]
    assert (event.action, event.allow) == ("cannot_verify", False)


def test_auto_return_per_outcome(make_app: MakeApp) -> None:
    h = make_app(timeout_pass_s=1.0, timeout_refused_s=2.0)  # a refusal stays 3 s at least
    h.show_code("yellow")
    h.wait_screen("result")
    assert h.app.controller.remaining_s() == 3 and "3" in h.window.result.countdown.text()
    h.wait_screen("scan", timeout=5000)
    h.show_code("green")
    h.wait_screen("prompt")
    assert h.app.controller.remaining_s() is not None  # a prompt left alone is abandoned, too
    h.type("365\r")
    h.wait_screen("result")
    h.wait_screen("scan", timeout=3000)
    h.show_code("red-hospital")
    h.wait_screen("result")
    assert h.app.controller.remaining_s() is None and "确认后返回" in h.window.result.countdown.text()


def test_busy_guard_is_not_interrupted_by_the_next_code(make_app: MakeApp) -> None:
    h = make_app()
    h.show_code("green")
    h.wait_screen("prompt")
    h.show_code("yellow")
    h.show_code("green")  # the same phone still held up
    h.type("36")
    h.qtbot.wait(50)  # let any (wrongly) accepted scan arrive before checking it did not
    assert h.app.machine.state.phase is Phase.PROMPT and h.window.prompt.keys == "36"


@pytest.mark.qt_no_exception_capture
def test_a_bug_shows_out_of_service_then_asks_for_a_restart(make_app: MakeApp) -> None:
    import json

    from PySide6.QtCore import QTimer

    from checkpoint_app.core import paths
    from checkpoint_app.crash import EXIT_RESTART, MARKER_FILE

    h = make_app()
    left: list[int] = []
    h.app.catch_bugs(leave=left.append, restart_after_ms=200)  # uninstalled again by shutdown

    def broken_slot() -> None:
        raise RuntimeError("a bug in a slot")

    QTimer.singleShot(0, broken_slot)
    h.wait_screen("result")
    assert h.outcome() == "out_of_service" and "暂停服务" in h.window.result.action.text()
    h.qtbot.waitUntil(lambda: left == [EXIT_RESTART])  # the supervisor starts a fresh process
    marker = json.loads((paths.log_dir() / MARKER_FILE).read_text(encoding="utf-8"))
    assert marker["state"] == "crashed" and "RuntimeError" in marker["summary"]


def test_delete_cancels_like_esc(make_app: MakeApp) -> None:
    h = make_app()  # the kiosk lock swallows Esc, so a keyboard-only guard cancels with Del
    h.show_code("green")
    h.wait_screen("prompt")
    h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Delete)
    h.wait_screen("scan")
    h.qtbot.waitUntil(lambda: [e.kind for e in h.events()] == ["abandoned"])


def test_prompt_left_alone_times_out_as_abandoned(make_app: MakeApp) -> None:
    h = make_app()
    h.show_code("green")
    h.wait_screen("prompt")
    assert h.app.controller._wake.isActive()  # armed with timeout_prompt_s (60 s by default)
    h.later(60)
    h.app.controller._wake.start(10)  # the same timer, just sooner
    h.wait_screen("scan")
    h.qtbot.waitUntil(lambda: [e.kind for e in h.events()] == ["abandoned"])


def test_no_mask_pressed_while_waiting_marks_the_next_person(make_app: MakeApp) -> None:
    h = make_app()
    h.wait_screen("scan")
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_M)
    assert not h.window.scan.no_mask.isHidden()
    assert h.window.scan.no_mask.text() == "下一位未戴口罩 · K 撤销", h.window.scan.no_mask.text()
    h.show_code("green")
    h.wait_screen("prompt")
    h.type("365")
    h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Return)
    h.qtbot.waitUntil(lambda: h.app.machine.state.decision.action == "wear_mask")
    assert not h.events()  # pending: nothing recorded yet
    h.type("k")
    h.wait_screen("result")
    assert h.outcome() == "pass"
    h.qtbot.keyClick(h.window.result, Qt.Key.Key_Return)
    h.wait_screen("scan")
    assert h.window.scan.no_mask.isHidden()  # the mark was for that person only


def test_typing_in_the_demo_takes_over_from_the_demo_thermometer(make_app: MakeApp) -> None:
    h = make_app(demo=True)
    h.show_code("green")
    h.wait_screen("prompt")
    h.type("37")  # the guard starts typing before the demo thermometer (2.5 s) answers
    h.qtbot.wait(3000)
    assert h.window.current_screen() is h.window.prompt and h.window.prompt.keys == "37"
    h.type("1")
    h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Return)
    h.wait_screen("result")
    assert h.app.machine.state.inputs.temperature_c == 37.1  # what the guard typed, not a demo reading
