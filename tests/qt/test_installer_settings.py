"""Issue 10 item 12: language and settings for installers. The system locale on the first
start and --lang; every setting in the installer guide's table; settings values in words
in both languages; Chinese with full-width punctuation; and no red or yellow chip for a
deliberate configuration (no camera at a scanner-only site, no server at a USB-only site)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QLabel

from checkpoint_app.core import settings as st
from checkpoint_app.core.rules.facts import FreshnessLevel
from checkpoint_app.gui.settings_dialog import SettingsDialog
from checkpoint_app.gui.style import BAD, WARN
from checkpoint_app.resources import resource
from checkpoint_app.workers.values import StoreStatus
from tests.support.qt_harness import Harness

MakeApp = Callable[..., Harness]
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.mark.parametrize(("locale", "language"), [
    ("zh_CN.UTF-8", "zh_CN"), ("zh_TW", "zh_CN"), ("en_US.UTF-8", "en"), ("en_GB", "en"), ("fr_FR", "en"),
    ("C", None), ("POSIX", None), ("", None), ("C.UTF-8", None),
])
def test_language_for_the_system_locale(locale: str, language: str | None) -> None:
    assert st.language_for_locale(locale) == language


def _window_language(tmp_path: Path, args: list[str], env: dict[str, str]) -> str:
    """Starts the real window offscreen, reads the language it starts in, stops it with SIGTERM."""
    with subprocess.Popen([sys.executable, "-m", "checkpoint_app", "--config", str(tmp_path / "settings.json"),
                           "--data-dir", str(tmp_path / "data"), *args], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env}) as proc:
        assert proc.stdout is not None
        language, end = "", time.monotonic() + 60
        for line in proc.stdout:
            if m := re.search(r"start: language (\S+)", line):
                language = m.group(1)
            if "start: ready" in line or time.monotonic() > end:
                break
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) in (0, -signal.SIGTERM)  # 0 once its handler is in (tests/qt/test_run.py)
    return language


def test_first_start_follows_the_system_locale_and_lang_overrides(tmp_path: Path) -> None:
    english = {"LANG": "en_US.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
    assert _window_language(tmp_path, [], english) == "en"
    assert st.load(tmp_path / "settings.json").language == "en"  # written at the first start
    assert _window_language(tmp_path, ["--lang", "zh"], english) == "zh_CN"
    assert st.load(tmp_path / "settings.json").language == "en"  # --lang is for this run only
    other = tmp_path / "other"
    other.mkdir()
    assert _window_language(other, [], {"LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}) == "zh_CN"


def test_a_bad_lang_is_one_line() -> None:
    done = subprocess.run([sys.executable, "-m", "checkpoint_app", "--lang", "fr"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--lang" in done.stderr


def test_the_installer_guide_lists_every_setting() -> None:
    guide = (ROOT / "docs" / "installer-guide.md").read_text(encoding="utf-8")
    rows = "\n".join(line for line in guide.splitlines() if line.startswith("|"))
    missing = [name for name in st.SCHEMA if name != "version" and f"`{name}`" not in rows]
    assert not missing


def test_settings_values_are_in_words(make_app: MakeApp) -> None:
    h = make_app()
    for language in ("zh_CN", "en"):
        h.app.set_language(language)
        dialog = SettingsDialog(h.app.settings, h.window)
        for name, editor in dialog.editors.items():
            if not isinstance(editor, QComboBox) or name == "language":
                continue
            shown = [editor.itemText(i) for i in range(editor.count())]
            raw = [str(editor.itemData(i)) for i in range(editor.count())]
            assert all(s and s != r for s, r in zip(shown, raw, strict=True)), (name, shown)
            if language == "zh_CN":
                assert all(re.search(r"[\u4e00-\u9fff]", s) for s in shown), (name, shown)
        dialog.deleteLater()


def test_chinese_uses_full_width_punctuation() -> None:
    root = ET.parse(resource("translations", "checkpoint_zh_CN.ts")).getroot()
    wrong = []
    for m in root.iter("message"):
        t = m.findtext("translation") or ""
        if re.search(r"[\u4e00-\u9fff]", t) and re.search(r"[(),:;!?]", re.sub(r"\{\w+\}", "", t)):
            wrong.append(t)
    assert not wrong


def _chips(h: Harness) -> dict[str, str]:
    bar = h.window.status
    return {label.text(): label.styleSheet() for label in bar.findChildren(QLabel)
            if label.isVisibleTo(h.window) and label.text()}


def test_a_scanner_only_usb_only_site_shows_no_alarm(make_app: MakeApp) -> None:
    """No camera and no server, on purpose: the chips say so calmly and show the USB sync's age."""
    h = make_app(camera="none", sound_volume=0, speech_volume=0, bundled=False)
    h.qtbot.waitUntil(lambda: h.app.sound.output is not None, timeout=5000)
    bar = h.window.status
    synced = int(time.time()) - 3600
    fresh = StoreStatus(pending=0, last_sync=synced, freshness=bar.store.freshness, level=FreshnessLevel.FRESH,  # type: ignore[union-attr]
                        clock_error=False)
    bar._on_store_status(fresh)  # what the store reports after `checkpoint-app sync --from` an hour ago
    chips = _chips(h)
    assert "仅扫码枪" in chips and f"U盘同步 {time.strftime('%m-%d %H:%M', time.localtime(synced))}" in chips, chips
    alarms = [text for text, style in chips.items() if BAD in style or WARN in style]
    assert not alarms, alarms
    stale = StoreStatus(pending=0, last_sync=synced - 9 * 86400, freshness=fresh.freshness,
                        level=FreshnessLevel.TOO_OLD, clock_error=False)
    bar._on_store_status(stale)  # a USB stick not brought for too long IS a problem
    assert any(text.startswith("U盘同步") and BAD in style for text, style in _chips(h).items())
