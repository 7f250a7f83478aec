"""Lookups by ID document in the window (spec 5.1), against the reference authority over
loopback: a card on a simulated reader (a pseudo-terminal speaking the SAM protocol) and a
number typed on the keypad reach a decision on the same screens as a code; without an
answer the guard goes straight to the manual record; the number is in no file, log line,
upload or widget afterwards."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from checkpoint_app import logs
from checkpoint_app.authority.issuing import hid_for
from checkpoint_app.cli import main as cli_main
from checkpoint_app.core.identity import mask
from checkpoint_app.core.visit_state import Phase
from checkpoint_app.demo.people import hid_secret
from checkpoint_app.gui.stats_dialog import StatsDialog
from checkpoint_app.hardware.id_card_reader import DEFAULT_TIMING
from tests.support.id_card_sim import Card, SimReader
from tests.support.lookup_platform import PEOPLE, ROOT_PEM, STRANGER, LookupPlatform, RecordingProxy, lookup_platform
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]
GREEN, RED, YELLOW = (PEOPLE[k].id_number for k in ("green", "red-turn-back", "yellow"))


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[LookupPlatform]:
    with lookup_platform(tmp_path) as p:
        yield p


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[SimReader]:
    device = SimReader(tmp_path / "ttyUSB-idreader")
    yield device
    device.unplug()


def synced(tmp_path: Path, url: str, token: str) -> Path:
    """A data folder that `sync --once` filled and that remembers the platform (spec 9)."""
    data = tmp_path / "checkpoint"
    assert cli_main(["sync", "--once", "--server", url, "--token", token, "--root-key", str(ROOT_PEM),
                     "--data-dir", str(data)]) == 0
    return data


def window(make_app: MakeApp, data: Path, **settings: object) -> Harness:
    h = make_app(data=data, bundled=False, timeout_pass_s=1.0, **settings)
    h.qtbot.waitUntil(lambda: h.app.lookups._platform is not None, timeout=5000)
    return h


def with_reader(h: Harness) -> Harness:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    h.app.start_hardware(qapp)
    return h


def wait_phase(h: Harness, phase: Phase, timeout: int = 15000) -> None:
    h.qtbot.waitUntil(lambda: h.app.machine.state.phase is phase, timeout=timeout)


def place(h: Harness, reader: SimReader, number: str) -> None:
    reader.place(None)  # the last card leaves the reader first (the driver's removal_s): a new read
    h.qtbot.wait(round(DEFAULT_TIMING.removal_s * 1000) + 600)
    reader.place(Card(number))


def type_id(h: Harness, number: str) -> None:
    """F6, then the number on the on-screen keypad (clicks: key bursts would be a wedge scan)."""
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F6)
    wait_phase(h, Phase.ID_ENTRY)
    for key in number:
        h.qtbot.mouseClick(h.window.id_entry.keypad.buttons[key], Qt.MouseButton.LeftButton)


def enter_id(h: Harness) -> None:
    h.qtbot.mouseClick(h.window.id_entry.keypad.buttons["enter"], Qt.MouseButton.LeftButton)


def temperature(h: Harness, keys: str) -> None:
    h.wait_screen("prompt", timeout=15000)
    for key in (*keys, "enter"):
        h.qtbot.mouseClick(h.window.prompt.keypad.buttons[key], Qt.MouseButton.LeftButton)
    h.wait_screen("result")


def test_a_card_on_the_reader_is_looked_up_and_decided(reader: SimReader, make_app: MakeApp, tmp_path: Path,
                                                       platform: LookupPlatform) -> None:
    h = with_reader(window(make_app, synced(tmp_path, platform.url, platform.token),
                           id_reader_serial_port=str(reader.path)))
    h.qtbot.waitUntil(lambda: "身份证" in h.window.scan.hint.text(), timeout=5000)  # "no phone? place your ID card"
    place(h, reader, RED)
    h.wait_screen("result", timeout=15000)
    assert h.outcome() == "red_turn_back"
    assert h.window.result.person.text().endswith(mask(RED)) and "赵*" in h.window.result.person.text()
    [event] = h.events()
    assert (event.source, event.hid, event.action) == ("id_lookup", hid_for(hid_secret(), RED).hex(),
                                                       "turn_back_isolation")
    h.dismiss()
    h.wait_screen("scan")
    place(h, reader, GREEN)
    h.wait_screen("prompt", timeout=15000)
    assert h.window.prompt.check_id.text() == "已通过身份证查询，无需核对证件"  # the card was read: no comparing
    temperature(h, "365")
    assert h.outcome() == "pass"
    assert [e.source for e in h.events()] == ["id_lookup", "id_lookup"] and h.events()[1].allow


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # the statistics dialog, offscreen
def test_a_typed_number_is_checked_as_typed(make_app: MakeApp, tmp_path: Path, platform: LookupPlatform) -> None:
    h = window(make_app, synced(tmp_path, platform.url, platform.token))
    type_id(h, GREEN[:-1] + "6")  # the spec's example: a wrong check digit
    screen = h.window.id_entry
    assert screen.display.text() == "1401**********0916" and screen.error.text() == "校验位不符：请核对号码"
    enter_id(h)
    h.qtbot.wait(200)
    assert h.app.machine.state.phase is Phase.ID_ENTRY  # never sent
    h.qtbot.mouseClick(screen.keypad.buttons["back"], Qt.MouseButton.LeftButton)
    h.qtbot.mouseClick(screen.keypad.buttons[GREEN[-1]], Qt.MouseButton.LeftButton)
    assert screen.error.text() == "" and screen.progress.text() == "按回车查询"
    enter_id(h)
    temperature(h, "366")
    assert h.outcome() == "pass" and screen.display.text() == "—"  # the entry forgot the number
    h.wait_screen("scan", timeout=5000)
    type_id(h, "9")  # no province starts with 9: said at the first key
    assert screen.error.text() == "省份代码不存在"
    h.qtbot.keyClick(screen, Qt.Key.Key_Escape)
    wait_phase(h, Phase.SCANNING)
    type_id(h, STRANGER)
    enter_id(h)
    h.wait_screen("result", timeout=15000)
    assert h.outcome() == "invalid" and h.window.result.reasons.text() == "无健康码：平台查无此人"
    assert [(e.source, e.action) for e in h.events()] == [("id_lookup", "pass"), ("id_lookup", "invalid_code")]
    h.dismiss()
    h.wait_screen("scan")
    h.qtbot.keyClick(h.window.scan, Qt.Key.Key_F3)  # the statistics count lookups apart
    h.qtbot.waitUntil(lambda: any(isinstance(d, StatsDialog) and d.stats for d in h.app.admin.dialogs))
    dialog = next(d for d in h.app.admin.dialogs if isinstance(d, StatsDialog))
    assert dialog.by_source.text().splitlines()[1:] == ["健康码：0", "身份证查询：2", "人工登记：0"]


CANNOT_LOOK_UP = {"zh_CN": "无法查询：请人工登记", "en": "Cannot look up: record by hand"}


@pytest.mark.parametrize(("trouble", "language"), [("server_down", "zh_CN"), ("rate_limited", "zh_CN"),
                                                   ("forged_answer", "zh_CN"), ("server_down", "en")])
def test_no_answer_goes_straight_to_the_manual_record(make_app: MakeApp, tmp_path: Path, trouble: str,
                                                      language: str) -> None:
    """Never a refusal for the network (spec 5.1): the manual record, reason "no smartphone" chosen,
    under a title that says why in the window's language."""
    with lookup_platform(tmp_path, lookups_per_minute=0 if trouble == "rate_limited" else 30) as p:
        proxy = RecordingProxy(p.url)
        data = synced(tmp_path, proxy.url, p.token)
        if trouble == "forged_answer":
            proxy.replace = lambda path, body: body[:-1] + bytes([body[-1] ^ 1]) if path == "/v1/lookup" else body
        if trouble == "server_down":
            proxy.stop()
        h = window(make_app, data, language=language)
        type_id(h, YELLOW)
        enter_id(h)
        h.wait_screen("manual", timeout=15000)
        assert h.window.manual.title.text() == CANNOT_LOOK_UP[language]
        assert h.window.manual.reason == "no_smartphone"
        h.type("365")
        h.qtbot.keyClick(h.window.manual, Qt.Key.Key_Return)
        h.wait_screen("result")
        assert h.outcome() == "manual"
        assert [(e.source, e.manual_reason) for e in h.events()] == [("manual", "no_smartphone")]
        if trouble != "server_down":
            proxy.stop()


def _texts(root: QWidget) -> list[str]:
    return [w.text() for w in root.findChildren(QLabel) + root.findChildren(QAbstractButton)]  # type: ignore[operator]


def test_the_number_is_in_no_file_log_upload_or_widget(reader: SimReader, make_app: MakeApp, tmp_path: Path,
                                                       platform: LookupPlatform) -> None:
    log_dir = tmp_path / "logs"
    logs.setup_logging(log_dir, "DEBUG")
    raw: list[str] = []
    catch = logging.Handler(logging.DEBUG)
    catch.emit = lambda record: raw.append(logging.Formatter().format(record))  # type: ignore[method-assign]
    logging.getLogger().addHandler(catch)
    proxy = RecordingProxy(platform.url)
    try:
        data = synced(tmp_path, proxy.url, platform.token)
        h = with_reader(window(make_app, data, id_reader_serial_port=str(reader.path)))
        place(h, reader, RED)  # a card: refused, recorded
        h.wait_screen("result", timeout=15000)
        seen = _texts(h.window)
        h.dismiss()
        h.wait_screen("scan")
        type_id(h, GREEN)  # typed: a pass
        seen += _texts(h.window)
        enter_id(h)
        h.wait_screen("prompt", timeout=15000)
        seen += _texts(h.window)
        temperature(h, "365")
        h.wait_screen("scan", timeout=5000)
        proxy.replace = lambda path, body: b"" if path == "/v1/lookup" else body  # no answer: manual
        type_id(h, YELLOW)
        enter_id(h)
        h.wait_screen("manual", timeout=15000)
        seen += _texts(h.window)
        assert cli_main(["sync", "--once", "--data-dir", str(data)]) == 0  # the upload
        seen += _texts(h.window)
    finally:
        logging.getLogger().removeHandler(catch)
        logs.setup_logging(log_dir, "INFO")
        for handler in [x for x in logging.getLogger().handlers if getattr(x, "_checkpoint", False)]:
            logging.getLogger().removeHandler(handler)
            handler.close()
        proxy.stop()
    uploaded = [json.loads(body) for path, body in proxy.sent if path == "/v1/scans"]
    assert sorted(e["source"] for u in uploaded for e in u["events"]) == ["id_lookup", "id_lookup"]
    assert sum(path == "/v1/lookup" for path, _ in proxy.sent) == 3  # the only place the number went
    files = [p.read_bytes() for folder in (data, log_dir) for p in folder.rglob("*") if p.is_file()]
    assert any(b"lookup" in f for f in files) and raw  # the logs did say something
    for number in (RED, GREEN, YELLOW):
        middle = number[4:14]  # what the masked form hides
        for form in (number.encode(), number.encode("utf-16-le"), middle.encode()):
            assert not any(form in f for f in files)
            assert not any(form in body for path, body in proxy.sent if path != "/v1/lookup")
        assert not any(middle in line for line in raw)
        assert not any(middle in text for text in seen)
    assert any(mask(RED) in text for text in seen)  # the masked form is what the guard saw


def test_the_visitor_display_asks_for_the_id_card(qtbot: object) -> None:
    """While the guard types an ID number, the queue's screen says 请刷身份证 (every cue has a look)."""
    from checkpoint_app.core.outcomes import VisitorCue
    from checkpoint_app.core.visit_state import VisitState, visitor_cue
    from checkpoint_app.gui.i18n import LanguageSwitcher
    from checkpoint_app.gui.visitor_window import VisitorWindow

    language = LanguageSwitcher()
    language.apply("zh_CN")
    shown = VisitorWindow()
    try:
        for cue in VisitorCue:
            shown.show_cue(cue)
            assert shown.property("cue") == cue.value and shown.words.text()
        shown.show_cue(visitor_cue(VisitState(Phase.ID_ENTRY)))
        assert shown.words.text() == "请刷身份证" and shown.english.text() == "Please place your ID card"
    finally:
        shown.close()
        shown.deleteLater()
        language.release()
