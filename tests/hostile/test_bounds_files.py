"""Spec 4.4 for files: anything that is not a regular file is refused before it is opened
for reading, and no file is read past its size bound. Each case runs the real command as a
child process, under a memory limit, and checks its time, peak memory, one line and exit."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.support.measure import Measured, cli, run_measured
from tests.support.signed_docs import DIST_PUB, genuine_documents

GB = 1 << 30


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A genuine export: trust list, policy, one status page."""
    docs = genuine_documents(tmp_path, int(time.time()))
    out = tmp_path / "stick"
    out.mkdir()
    (out / "trust-list.cose").write_bytes(docs.trust_list)
    (out / "policy.cose").write_bytes(docs.policy)
    (out / "status-000001.cose").write_bytes(docs.first_page)
    return out


def _replace(path: Path, kind: str) -> None:
    path.unlink()
    if kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "sparse-3GB":
        with path.open("wb") as f:
            f.truncate(3 * GB)  # sparse: no disk used, 3 GB to whoever reads it
    elif kind == "directory":
        path.mkdir()


def _bounded(run: Measured, exit_code: int, line: str) -> None:
    assert not run.killed, "it hung"
    assert run.error_lines == [line]
    assert run.returncode == exit_code
    assert run.seconds < 15
    assert run.max_rss_mb < 150


KIND_TEXT = {"dev-zero": "a character device, not a regular file", "fifo": "a FIFO, not a regular file",
             "directory": "a directory, not a regular file"}


@pytest.mark.parametrize("name", ["trust-list.cose", "status-000001.cose"])
@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "sparse-3GB", "directory"])
def test_sync_from_a_folder_refuses_what_is_not_a_small_regular_file(folder: Path, tmp_path: Path, name: str,
                                                                     kind: str) -> None:
    """Today: a page that links to /dev/zero or a 3 GB file eats gigabytes; a FIFO hangs forever."""
    _replace(folder / name, kind)
    run = run_measured(cli("sync", "--from", str(folder), "--root-key", str(DIST_PUB),
                           "--data-dir", str(tmp_path / "cp")), timeout_s=30, memory_limit_mb=2000)
    bound = "1 MiB" if name == "trust-list.cose" else "4 MiB"
    reason = KIND_TEXT.get(kind, f"larger than {bound} (3221225472 bytes)")
    _bounded(run, 1, f"checkpoint-app sync: error: MALFORMED: cannot read {name}: {reason}")


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "sparse-3GB"])
def test_verify_refuses_a_trust_list_or_key_that_is_not_a_small_regular_file(folder: Path, kind: str) -> None:
    """Today: `verify --trust-list /dev/zero` ends in MemoryError."""
    _replace(folder / "trust-list.cose", kind)
    run = run_measured(cli("verify", "--trust-list", str(folder / "trust-list.cose"), "--policy",
                           str(folder / "policy.cose"), "--root-key", str(DIST_PUB), "JKM1:X"),
                       timeout_s=30, memory_limit_mb=2000)
    reason = KIND_TEXT.get(kind, "larger than 1 MiB (3221225472 bytes)")
    _bounded(run, 2, f"checkpoint-app verify: error: cannot read trust list {folder / 'trust-list.cose'}: {reason}")

    key = folder / "key.pem"
    key.write_bytes(DIST_PUB.read_bytes())
    _replace(key, kind)
    run = run_measured(cli("verify", "--trust-list", str(folder / "policy.cose"), "--policy",
                           str(folder / "policy.cose"), "--root-key", str(key), "JKM1:X"),
                       timeout_s=30, memory_limit_mb=2000)
    reason = KIND_TEXT.get(kind, "larger than 64 KiB (3221225472 bytes)")
    _bounded(run, 2, f"checkpoint-app verify: error: root key {key} is not a readable PEM public key: {reason}")


@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_sync_refuses_a_root_key_that_is_not_a_regular_file(folder: Path, tmp_path: Path, kind: str) -> None:
    key = tmp_path / "key.pem"
    key.write_bytes(b"")
    _replace(key, kind)
    run = run_measured(cli("sync", "--from", str(folder), "--root-key", str(key), "--data-dir", str(tmp_path / "cp")),
                       timeout_s=30, memory_limit_mb=2000)
    _bounded(run, 2, f"checkpoint-app sync: error: root key {key} is not a readable PEM public key: {KIND_TEXT[kind]}")
