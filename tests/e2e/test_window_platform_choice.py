"""Where the server and token come from, one rule for the window and the command line
(core.configuration.choose_platform, beside choose_keys): the command line, else what the
data folder remembers (the last `sync --server/--token`), else the settings file. Before, the
window took the settings file's server before the data folder's, so a PC whose installer
moved it to platform A with `sync --once` (A remembered) and whose settings file still named
B synced the window with B and the command line with A. Two real reference authorities on
loopback; which one a checkpoint talked to is what each one's fleet view saw."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from checkpoint_app.app import CheckpointApp
from checkpoint_app.cli import main
from tests.support.station import configure_station
from tests.support.sync_platform import PUB_PEM, Platform, running_platform

CHECKPOINT = "TY-XD-0001"  # registered on both platforms, with a token of each


@pytest.fixture(autouse=True)
def offscreen() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def platforms(tmp_path: Path) -> Iterator[tuple[Platform, Platform]]:
    with running_platform(tmp_path / "a.sqlite3") as a, running_platform(tmp_path / "b.sqlite3") as b:
        yield a, b


def _seen(platform: Platform) -> bool:
    """Whether this platform answered the checkpoint a status request (a sync)."""
    assert platform.handle.app is not None
    health = platform.handle.app.extensions["fleet"].snapshot().get(CHECKPOINT)
    return health is not None and health.last_sync is not None


def _remember(platform: Platform, data: Path, settings: Path) -> None:
    assert main(["sync", "--once", "--server", platform.url, "--token", platform.token, "--root-key", str(PUB_PEM),
                 "--data-dir", str(data), "--config", str(settings)]) == 0


def _window_syncs(settings: Path, data: Path, qtbot: QtBot) -> str:
    """The server the window synced with, successfully."""
    app = CheckpointApp(settings, data, camera="none")
    window = app.start()
    qtbot.addWidget(window, before_close_func=lambda _w: app.shutdown())
    qtbot.waitUntil(lambda: window.status.sync_state in ("ok", "failed"), timeout=20000)
    assert window.status.sync_state == "ok"
    return app.platform.server_url


def test_the_window_syncs_where_the_command_line_does(platforms: tuple[Platform, Platform], tmp_path: Path,
                                                      qtbot: QtBot) -> None:
    a, b = platforms
    data, settings = tmp_path / "cp", tmp_path / "settings.json"
    configure_station(settings, server_url=b.url, token=b.token)  # the settings file names B
    _remember(a, data, settings)  # the data folder remembers A
    assert _seen(a) and not _seen(b)
    assert main(["sync", "--once", "--data-dir", str(data), "--config", str(settings)]) == 0
    assert not _seen(b)  # the command line: A
    assert _window_syncs(settings, data, qtbot) == a.url
    assert not _seen(b)  # the window: A as well


def test_the_settings_file_stands_where_the_data_folder_remembers_nothing(platforms: tuple[Platform, Platform],
                                                                         tmp_path: Path, qtbot: QtBot) -> None:
    a, b = platforms
    data, settings = tmp_path / "cp", tmp_path / "settings.json"
    configure_station(settings, server_url=b.url, token=b.token, root_keys=str(PUB_PEM))
    assert main(["sync", "--once", "--data-dir", str(data), "--config", str(settings)]) == 0
    assert _seen(b) and not _seen(a)
    assert _window_syncs(settings, data, qtbot) == b.url
    assert not _seen(a)


@pytest.mark.parametrize("damage", ["not json", "a folder", "not utf-8"])
def test_an_unreadable_settings_file_leaves_the_remembered_platform(platforms: tuple[Platform, Platform],
                                                                    tmp_path: Path, qtbot: QtBot,
                                                                    damage: str) -> None:
    a, b = platforms
    data, settings = tmp_path / "cp", tmp_path / "settings.json"
    configure_station(settings, server_url=b.url, token=b.token)
    _remember(a, data, settings)
    settings.unlink()
    if damage == "a folder":
        settings.mkdir()
    else:
        settings.write_bytes(b"{\"server_url\": " if damage == "not json" else b"\xff\xfe\x00garbage")
    assert main(["sync", "--once", "--data-dir", str(data), "--config", str(settings)]) == 0
    assert _window_syncs(settings, data, qtbot) == a.url
    assert not _seen(b)


def test_a_remembered_server_without_a_token_borrows_none_from_another_platform(
        platforms: tuple[Platform, Platform], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`sync --server A` without a token is remembered, and refused; the settings file's token
    belongs to B and is not sent to A: one line saying what to give, nothing synced anywhere."""
    a, b = platforms
    data, settings = tmp_path / "cp", tmp_path / "settings.json"
    configure_station(settings, server_url=b.url, token=b.token, root_keys=str(PUB_PEM))
    assert main(["sync", "--once", "--server", a.url, "--data-dir", str(data), "--config", str(settings)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no platform configured" in err and b.token not in err
    assert not _seen(a) and not _seen(b)


def test_a_server_typed_in_the_settings_dialog_is_what_the_next_start_syncs_with(
        platforms: tuple[Platform, Platform], tmp_path: Path, qtbot: QtBot) -> None:
    """With the data folder first, a server typed in the window's settings would have been
    saved to the file and never used. The dialog shows the server synced with (A, not the
    file's stale B) and remembers a changed one in the data folder, as `sync --server` does."""
    import dataclasses

    from checkpoint_app.core.store import Store

    a, b = platforms
    data, settings = tmp_path / "cp", tmp_path / "settings.json"
    configure_station(settings, server_url="https://stale.invalid", token="stale")
    _remember(a, data, settings)
    app = CheckpointApp(settings, data, camera="none")
    window = app.start()
    qtbot.addWidget(window, before_close_func=lambda _w: app.shutdown())
    qtbot.waitUntil(lambda: window.status.sync_state == "ok", timeout=20000)
    shown = app.admin.settings.current()
    assert (shown.server_url, shown.token) == (a.url, a.token)  # what is used, not the file's
    app.admin.settings.apply(dataclasses.replace(shown, server_url=b.url, token=b.token))

    def remembered() -> tuple[object, object]:
        with Store.open(data, check=False) as store:
            return store.get_setting("server_url"), store.get_setting("token")

    qtbot.waitUntil(lambda: remembered() == (b.url, b.token), timeout=10000)
    app.shutdown()
    assert not _seen(b)  # applies at the next start
    assert _window_syncs(settings, data, qtbot) == b.url
    assert main(["sync", "--once", "--data-dir", str(data), "--config", str(settings)]) == 0  # the CLI agrees


def test_saving_the_settings_unchanged_remembers_nothing_new(platforms: tuple[Platform, Platform], tmp_path: Path,
                                                             qtbot: QtBot) -> None:
    from checkpoint_app.core import settings as st

    a, _b = platforms
    data, settings = tmp_path / "cp", tmp_path / "settings.json"
    configure_station(settings)
    _remember(a, data, settings)
    app = CheckpointApp(settings, data, camera="none")
    window = app.start()
    qtbot.addWidget(window, before_close_func=lambda _w: app.shutdown())
    qtbot.waitUntil(lambda: window.status.sync_state == "ok", timeout=20000)
    app.admin.settings.apply(app.admin.settings.current())
    assert st.load(settings).server_url == a.url  # the file now says what is used
    app.shutdown()
    assert _window_syncs(settings, data, qtbot) == a.url
