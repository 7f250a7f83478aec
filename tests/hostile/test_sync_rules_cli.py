"""Spec 1.1 through the command line against the reference authority on loopback: a captured
reset page replayed later is refused, plain http is warned about at every sync, `--timeout`."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.authority.issuing import hid_for
from checkpoint_app.cli import build_parser, main
from checkpoint_app.demo.people import DEMO_PEOPLE, demo_codes, demo_keys_dir, hid_secret
from tests.support.mirror import Mirror
from tests.support.sync_platform import Platform

PUB = str(demo_keys_dir() / "distribution.pub.pem")
GREEN = DEMO_PEOPLE[0]


@pytest.fixture
def mirror(platform: Platform) -> Iterator[Mirror]:
    m = Mirror(platform.url)
    yield m
    m.stop()


def test_a_captured_reset_page_replayed_later_is_refused(platform: Platform, mirror: Mirror, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "cp")
    platform.clock.offset = -3600  # an hour ago, with a registered checkpoint's token
    reset = mirror.capture("/v1/status?since=999999", platform.token)
    platform.clock.offset = 0
    platform.authority.set_statuses([(hid_for(hid_secret(), GREEN.id_number), 2, (101,), int(time.time()) - 30)])
    assert main(["sync", "--once", "--server", platform.url, "--token", platform.token, "--root-key", PUB,
                 "--data-dir", data]) == 0
    mirror.replay("/v1/status", reset)
    capsys.readouterr()
    assert main(["sync", "--once", "--server", mirror.url, "--data-dir", data]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "REPLAY" in err
    code = next(c.text for c in demo_codes(int(time.time())) if c.label == GREEN.label)
    assert main(["verify", "--json", "--data-dir", data, "--temperature", "36.5", "--mask", "yes", code]) == 0
    decision = json.loads(capsys.readouterr().out)
    assert decision["action"] == "hospital_transfer" and decision["cache_entry"] is True


def test_plain_http_is_warned_about_at_every_sync(platform: Platform, tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    data = str(tmp_path / "cp")
    with caplog.at_level(logging.WARNING, logger="checkpoint.sync"):
        assert main(["sync", "--once", "--server", platform.url, "--token", platform.token, "--root-key", PUB,
                     "--data-dir", data]) == 0
        assert main(["sync", "--once", "--data-dir", data]) == 0
    warnings = [r.getMessage() for r in caplog.records if "plain http" in r.getMessage()]
    assert len(warnings) == 2 and platform.url in warnings[0] and "token is not protected" in warnings[0]


def test_timeout_is_the_whole_deadline_of_a_request_60_s_by_default(silent_server: str, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert build_parser().parse_args(["sync", "--once"]).timeout == 60.0
    started = time.monotonic()
    assert main(["sync", "--once", "--server", silent_server, "--token", "x.y", "--root-key", PUB,
                 "--data-dir", str(tmp_path / "cp"), "--timeout", "0.5"]) == 1
    assert "TIMEOUT" in capsys.readouterr().err
    assert time.monotonic() - started < 10  # three attempts of 0.5 s, with backoff between
