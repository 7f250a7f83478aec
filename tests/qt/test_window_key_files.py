"""The window's pinned keys (the `root_keys` setting) go through the one key-file reader:
a good file pins its key; a file that cannot be read stops the start with one line naming
it and the setting, instead of a checkpoint that quietly trusts fewer keys."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from checkpoint_app.core import settings as st
from checkpoint_app.core.codes.signature import kid_of, load_public_pem
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
