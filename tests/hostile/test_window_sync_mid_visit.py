"""A sync by another process (`sync --once` here; `sync --from` a USB stick is the same
write) lands while a green code waits at the temperature prompt. The platform has just
turned that person red: the temperature the guard then types must not let them in. A
sync that does not concern them leaves the prompt, and what the guard typed, alone."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from checkpoint_app.authority.issuing import hid_for
from checkpoint_app.demo.people import DEMO_PEOPLE, demo_codes, hid_secret
from tests.support.qt_harness import Harness
from tests.support.store_world import World, loopback_platform, run_cli

MakeApp = Callable[..., Harness]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with loopback_platform(tmp_path) as w:
        yield w


def _synced_window(make_app: MakeApp, world: World, tmp_path: Path) -> Harness:
    data = tmp_path / "cp"
    assert run_cli(world.sync_args(data)).code == 0
    h = make_app(data=data, bundled=False)
    h.codes = {c.label: c.text for c in demo_codes(world.now - 60)}  # issued before any status change
    h.show_code("green")
    h.wait_screen("prompt")
    h.type("36")  # the guard has started typing
    return h


def _sync_by_another_process(h: Harness, world: World, hid: bytes) -> float:
    world.authority.set_statuses([(hid, 2, (103,), int(time.time()))])
    done = run_cli(["sync", "--once", "--data-dir", str(h.app.data_dir)])
    assert done.code == 0, done.err
    return time.monotonic()


def test_a_person_turned_red_during_the_prompt_is_not_let_in(make_app: MakeApp, world: World,
                                                             tmp_path: Path) -> None:
    h = _synced_window(make_app, world, tmp_path)
    synced = _sync_by_another_process(h, world, hid_for(hid_secret(), DEMO_PEOPLE[0].id_number))
    h.wait_screen("result", timeout=5000)  # within 5 s of the sync, without a key
    assert time.monotonic() - synced < 5
    assert h.outcome() == "red_turn_back"
    h.type("5")
    h.qtbot.keyClick(h.window.current_screen(), Qt.Key.Key_Return)  # what the guard meant to finish
    h.qtbot.wait(200)
    assert h.outcome() == "red_turn_back"
    assert [(e.action, e.allow) for e in h.events()] == [("turn_back_isolation", False)]


def test_a_sync_about_somebody_else_leaves_the_prompt_alone(make_app: MakeApp, world: World,
                                                            tmp_path: Path) -> None:
    h = _synced_window(make_app, world, tmp_path)
    refreshed: list[str] = []
    h.app.controller.rescan_requested.connect(lambda text, _t: refreshed.append(text))
    _sync_by_another_process(h, world, bytes(16))  # a stranger turned red
    h.qtbot.waitUntil(lambda: bool(refreshed), timeout=5000)  # verified again (once per change seen)...
    assert set(refreshed) == {h.codes["green"]}
    h.qtbot.waitUntil(lambda: not h.app.machine.state.refreshing, timeout=5000)
    assert h.window.current_screen() is h.window.prompt and h.window.prompt.keys == "36"  # ...unchanged
    h.type("5")
    h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Return)
    h.wait_screen("result")
    assert h.outcome() == "pass"
