"""Item 5: the authority keeps serving while half-open connections (a slowloris) sit on it,
and closes a stalled connection after its channel timeout (`serve --channel-timeout`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.authority.platform import Authority
from checkpoint_app.authority.server import ServerHandle, start_in_thread
from checkpoint_app.resources import resource
from tests.support.authority_process import serving
from tests.support.hostile_http import half_open_connections
from tests.support.signed_docs import DIST_KEY


@pytest.fixture
def authority(tmp_path: Path) -> Authority:
    a = Authority.open(f"sqlite:///{tmp_path / 'authority.sqlite3'}", load_private_key(DIST_KEY))
    a.publish("policy", resource("policy", "default-policy.cose").read_bytes())
    a.register_checkpoint("CP-1", "CP-1.token")
    return a


@pytest.fixture
def served(authority: Authority) -> Iterator[ServerHandle]:
    with start_in_thread(authority) as handle:  # the production limits
        yield handle


def _policy(url: str, timeout: float) -> requests.Response:
    return requests.get(f"{url}/v1/policy", headers={"Authorization": "Bearer CP-1.token"}, timeout=timeout)


def test_a_legitimate_request_is_served_beside_150_half_open_connections(served: ServerHandle) -> None:
    """Today: waitress' default limit of 100 connections let them lock every checkpoint out."""
    port = int(served.url.rsplit(":", 1)[1])
    with half_open_connections("127.0.0.1", port, 150):
        start = time.monotonic()
        assert _policy(served.url, timeout=5).status_code == 200
        assert time.monotonic() - start < 2


def test_serve_closes_a_stalled_connection_after_its_channel_timeout(tmp_path: Path, authority: Authority) -> None:
    db = tmp_path / "authority.sqlite3"
    with serving(db, DIST_KEY, "--channel-timeout", "2", "--connection-limit", "300") as port:
        assert _policy(f"http://127.0.0.1:{port}", timeout=5).status_code == 200
        with half_open_connections("127.0.0.1", port, 200) as socks:
            assert _policy(f"http://127.0.0.1:{port}", timeout=5).status_code == 200
            start = time.monotonic()
            socks[0].settimeout(10)
            assert socks[0].recv(1024) == b""  # closed by the server, not by us
            closed_after = time.monotonic() - start
        assert closed_after < 2 + 1 + 2  # the timeout, the clean-up interval, slack
