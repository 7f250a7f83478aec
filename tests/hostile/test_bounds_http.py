"""Spec 4.4 over HTTP: every request ends within its whole deadline, however slowly the
bytes come, and reading stops at the size bound. Against a hostile server on loopback;
`sync --once` runs as a child process so that its time and peak memory are its own."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.core.sync.http import Backoff, Http, SyncError, SyncFailure
from tests.support.hostile_http import (
    HostileServer,
    answer,
    endless_chunks,
    huge_body,
    silent,
    slow_body,
    slow_headers,
)
from tests.support.measure import cli, run_measured
from tests.support.signed_docs import DIST_PUB, Documents, genuine_documents

GB = 1 << 30
_NO_WAIT = Backoff(base_s=0.0, cap_s=0.0)


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Documents:
    return genuine_documents(tmp_path_factory.mktemp("genuine"), int(time.time()))


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as srv:
        yield srv


def _fails(http: Http, path: str) -> tuple[SyncFailure, float, float]:
    """The failure of GET path, its seconds and the peak of Python memory on the way (MiB)."""
    tracemalloc.start()
    start = time.monotonic()
    try:
        with pytest.raises(SyncFailure) as info:
            http.get(path, {"since": 0})
        return info.value, time.monotonic() - start, tracemalloc.get_traced_memory()[1] / (1 << 20)
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("behaviour", [slow_body(b"\xa0" * 1000, interval_s=0.2), slow_headers(interval_s=0.2)],
                         ids=["slow-body", "slow-headers"])
def test_a_dribbling_server_is_cut_off_at_the_whole_deadline(server: HostileServer, behaviour: object) -> None:
    server.serve("/v1/status", behaviour)  # type: ignore[arg-type]
    failure, seconds, _ = _fails(Http(server.url, "t", deadline_s=1.5, attempts=1), "/v1/status")
    assert failure.code == SyncError.TIMEOUT
    assert failure.detail == "/v1/status: no complete answer within 1.5 s"
    assert 1.4 < seconds < 2.2


def test_a_silent_server_is_cut_off_at_the_deadline(server: HostileServer) -> None:
    server.serve("/v1/", silent())
    failure, seconds, _ = _fails(Http(server.url, "t", deadline_s=1.0, attempts=2, backoff=_NO_WAIT), "/v1/status")
    assert failure.code == SyncError.TIMEOUT and 1.9 < seconds < 3.0  # two attempts of one second


@pytest.mark.parametrize(("path", "behaviour", "mib"), [
    ("/v1/policy", huge_body(2 * GB), 1),
    ("/v1/trust-list", huge_body(2 * GB, announce=False), 1),
    ("/v1/status", huge_body(2 * GB, announce=False), 4),
    ("/v1/status", endless_chunks(), 4),
], ids=["announced-2GB", "unannounced-2GB-document", "unannounced-2GB-page", "endless-chunks"])
def test_reading_stops_at_the_size_bound(server: HostileServer, path: str, behaviour: object, mib: int) -> None:
    server.serve(path, behaviour)  # type: ignore[arg-type]
    failure, seconds, peak_mib = _fails(Http(server.url, "t", deadline_s=30, attempts=1), path)
    assert failure.code == SyncError.MALFORMED and f"{mib} MiB" in failure.detail
    assert seconds < 5
    assert peak_mib < 2 * mib + 1  # the chunks and their join: not the gigabytes on offer
    assert server.sent < 64 << 20  # the client stopped reading (what is left sat in socket buffers)


def _sync(server: HostileServer, data: Path, timeout_s: float, *extra: str) -> list[str]:
    return cli("sync", "--once", "--server", server.url, "--token", "TY-XD-0001.x", "--root-key", str(DIST_PUB),
               "--data-dir", str(data), "--timeout", f"{timeout_s:g}", *extra)


@pytest.mark.parametrize(("path", "behaviour"), [
    ("/v1/trust-list", slow_body(b"\xa0" * 10_000, interval_s=2.0)),
    ("/v1/status", slow_headers(interval_s=2.0)),
], ids=["body-byte-every-2s", "header-byte-every-2s"])
def test_sync_timeout_is_the_whole_deadline_of_each_request(server: HostileServer, docs: Documents, tmp_path: Path,
                                                            path: str, behaviour: object) -> None:
    """Today's bug: one byte every 2 s kept `sync --timeout 5` running past 200 s."""
    server.serve("/v1/trust-list", behaviour if path == "/v1/trust-list" else answer(docs.trust_list))  # type: ignore[arg-type]
    server.serve("/v1/policy", answer(docs.policy))
    server.serve("/v1/status", behaviour)  # type: ignore[arg-type]
    run = run_measured(_sync(server, tmp_path / "cp", 3), timeout_s=60)
    assert not run.killed
    assert run.returncode == 1
    assert run.error_lines == [f"checkpoint-app sync: error: TIMEOUT: {path}: no complete answer within 3 s"]
    # three attempts of 3 s each, with at most 0.5 + 1 s of backoff between them
    assert run.seconds < 3 * 3 + 1.5 + 3


@pytest.mark.parametrize(("path", "behaviour", "message"), [
    ("/v1/trust-list", huge_body(2 * GB),
     "MALFORMED: /v1/trust-list: the answer announces 2147483648 bytes, more than the 1 MiB bound"),
    ("/v1/status", huge_body(2 * GB, announce=False),
     "MALFORMED: /v1/status: the answer is larger than 4 MiB; stopped reading there"),
    ("/v1/status", endless_chunks(),
     "MALFORMED: /v1/status: the answer is larger than 4 MiB; stopped reading there"),
], ids=["announced-2GB", "unannounced-2GB", "endless-chunks"])
def test_sync_refuses_a_huge_answer_in_bounded_memory(server: HostileServer, docs: Documents, tmp_path: Path,
                                                      path: str, behaviour: object, message: str) -> None:
    """Today's bug: a 2 GB body took 6.4 GB; endless chunks ended in MemoryError."""
    server.serve("/v1/trust-list", behaviour if path == "/v1/trust-list" else answer(docs.trust_list))  # type: ignore[arg-type]
    server.serve("/v1/policy", answer(docs.policy))
    server.serve("/v1/status", behaviour)  # type: ignore[arg-type]
    run = run_measured(_sync(server, tmp_path / "cp", 30), timeout_s=60, memory_limit_mb=2000)
    assert run.returncode == 1 and not run.killed
    assert run.error_lines == [f"checkpoint-app sync: error: {message}"]
    assert run.seconds < 10
    assert run.max_rss_mb < 150
