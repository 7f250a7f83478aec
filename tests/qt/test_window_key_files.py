"""The window's pinned keys (the `root_keys` setting) go through the one key-file reader:
a good file pins its key; a file that cannot be read stops the start with one line naming
it and the setting, instead of a checkpoint that quietly trusts fewer keys; the settings
dialog refuses such a file when it is typed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from checkpoint_app.core import settings as st
from checkpoint_app.core.codes.signature import kid_of, load_public_pem
from checkpoint_app.gui.settings_dialog import SettingsDialog
from tests.support.qt_harness import Harness
from tests.support.signed_docs import DIST_PUB

MakeApp = Callable[..., Harness]


def test_a_key_file_in_the_settings_is_pinned(make_app: MakeApp) -> None:
    h = make_app(root_keys=f" {DIST_PUB} ;")
    assert [kid_of(k) for k in h.app._root_keys] == [kid_of(load_public_pem(DIST_PUB.read_bytes()))]


def test_an_unreadable_key_file_stops_the_start_with_one_line(tmp_path: Path) -> None:
    config, missing = tmp_path / "site.json", tmp_path / "usb" / "second.pem"
    st.save(config, st.Settings(camera="none", root_keys=f"{DIST_PUB};{missing}"))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "checkpoint_app", "--config", str(config), "--data-dir",
                           str(tmp_path / "data")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert [line for line in done.stderr.splitlines() if "error" in line] == [
        f"checkpoint-app: error: root key {missing} is not a readable PEM public key: No such file or directory "
        f"(setting root_keys in {config})"]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "data").exists()  # stopped before anything was opened


def test_the_settings_dialog_refuses_a_key_file_it_cannot_read(qtbot: QtBot, tmp_path: Path) -> None:
    """Caught where it is typed, not at the next start (where the checkpoint would stop)."""
    dialog = SettingsDialog(st.Settings())
    qtbot.addWidget(dialog)
    saved: list[st.Settings] = []
    dialog.saved.connect(saved.append)
    keys = dialog.editors["root_keys"]
    assert isinstance(keys, QLineEdit)
    missing = tmp_path / "usb" / "second.pem"
    keys.setText(f"{DIST_PUB};{missing}")
    dialog.save_button.click()
    assert saved == [] and f"root key {missing} is not a readable PEM public key" in dialog.error.text()
    keys.setText(str(DIST_PUB))
    dialog.save_button.click()
    assert [s.root_keys for s in saved] == [str(DIST_PUB)]
