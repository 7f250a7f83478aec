"""Unmistakable results: the action in one imperative line above everything else, filling
the width; fever and red codes told apart without colour; reasons in words, never codes."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel

import checkpoint_app.gui.style as style
from checkpoint_app.core.outcomes import Outcome
from checkpoint_app.gui.style import LOOKS
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]
OUTCOMES = [("green", "pass", "准予通行"), ("yellow", "yellow", "禁止入内"),
            ("red-hospital", "red_hospital", "禁止入内"), ("red-turn-back", "red_turn_back", "禁止入内"),
            ("green-whitelist", "fever", "禁止入内"), ("forged", "invalid", "禁止入内")]


def _show(h: Harness, label: str, outcome: str) -> None:
    h.show_code(label)
    if outcome in ("pass", "fever"):
        h.wait_screen("prompt")
        h.type("365" if outcome == "pass" else "391")
        h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Return)
    h.wait_screen("result")
    assert h.outcome() == outcome


@pytest.mark.parametrize(("label", "outcome", "headline"), OUTCOMES)
def test_the_action_comes_first_and_fills_the_width(make_app: MakeApp, label: str, outcome: str,
                                                    headline: str) -> None:
    h = make_app()  # 1280x800
    _show(h, label, outcome)
    r = h.window.result
    h.qtbot.waitUntil(lambda: r.headline.height() > 100)
    assert r.headline.text() == headline
    assert r.headline.height() >= 0.15 * 800 and r.headline.font().pixelSize() >= 0.15 * 800
    width = QFontMetrics(r.headline.font()).horizontalAdvance(headline)
    assert width >= 0.4 * r.width()
    others = [w for w in r.findChildren(QLabel) if w is not r.headline and w.text() and w.isVisible()]
    assert all(w.mapTo(r, w.rect().topLeft()).y() >= r.headline.geometry().bottom() for w in others)
    if outcome != "pass":
        assert r.action.text()  # what to do next, right under it
    assert not re.search(r"\(\d+\)", r.reasons.text())  # reasons in words, never "(101)"


def test_fever_and_red_differ_without_colour(make_app: MakeApp) -> None:
    h = make_app()
    _show(h, "green", "fever")
    fever = (h.window.result.kind.text(), h.window.result.look.icon, h.window.result.action.text())
    h.dismiss()
    h.wait_screen("scan")
    _show(h, "red-turn-back", "red_turn_back")
    red = (h.window.result.kind.text(), h.window.result.look.icon, h.window.result.action.text())
    assert all(a != b for a, b in zip(fever, red, strict=True)), (fever, red)


def test_a_fever_gives_no_green_code_note_as_its_reason(make_app: MakeApp) -> None:
    """A whitelisted person with a fever: the screen read "FEVER  On the epidemic-control
    whitelist", as if the note explained the fever. The temperature is the reason."""
    h = make_app()
    _show(h, "green-whitelist", "fever")
    r = h.window.result
    assert r.kind.text() == "体温异常" and r.reasons.text() == "" and "39.1" in r.inputs.text()
    h.app.set_language("en")
    assert r.reasons.text() == ""
    h.dismiss()
    h.wait_screen("scan")
    h.later(5)  # past the repeat guard
    h.show_code("green-whitelist")
    h.wait_screen("prompt")
    h.type("365")
    h.qtbot.keyClick(h.window.prompt, Qt.Key.Key_Return)
    h.wait_screen("result")
    assert h.outcome() == "pass" and r.reasons.text() == "On the epidemic-control whitelist"  # still shown


def test_the_last_sync_and_the_uploads_do_not_run_together(make_app: MakeApp) -> None:
    """"Last sync 12-03 02:30 12 to upload" read as one time: a gap between the two."""
    h = make_app()
    bar = h.window.status
    status = bar.store
    assert status is not None
    bar._on_store_status(dataclasses.replace(status, last_sync=int(time.time()) - 60, pending=12))
    h.qtbot.waitUntil(lambda: bar.last_sync.text() != "" and bar.pending.isVisible())
    h.qtbot.wait(50)  # laid out
    text_end = bar.last_sync.geometry().left() + bar.last_sync.fontMetrics().horizontalAdvance(bar.last_sync.text())
    pending_start = bar.pending.geometry().left() + bar.pending.contentsMargins().left()
    assert pending_start - text_end >= 20, (bar.last_sync.text(), bar.pending.text(), pending_start - text_end)


def test_invalid_is_in_the_red_family_and_cannot_verify_has_its_own_colour() -> None:
    def rgb(outcome: Outcome) -> tuple[int, int, int]:
        c = LOOKS[outcome].background
        return int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)

    r, g, b = rgb(Outcome.INVALID)
    assert r > 2 * g and r > b  # red family, not the dark slate of before
    backgrounds = [LOOKS[o].background for o in Outcome if o is not Outcome.CANNOT_VERIFY]
    assert LOOKS[Outcome.CANNOT_VERIFY].background not in backgrounds
    assert LOOKS[Outcome.FEVER].background != LOOKS[Outcome.RED_TURN_BACK].background


def test_colours_live_only_in_style() -> None:
    folder = Path(style.__file__).parent
    found = {p.name: re.findall(r"#[0-9a-fA-F]{6}\b", p.read_text(encoding="utf-8"))
             for p in folder.glob("*.py") if p.name != "style.py"}
    assert not {name: colours for name, colours in found.items() if colours}
