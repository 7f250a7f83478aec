"""Run a command as a child process and measure it: wall time and its own peak memory
(max RSS from wait4, for this child alone), under an address-space limit so that a
regression fails the test instead of taking the machine's memory."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Measured:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float
    killed: bool  # the wall-time limit ended it

    @property
    def error_lines(self) -> list[str]:
        """The command's own error lines (log warnings, which start with their level, aside);
        a traceback shows up here whole."""
        return [line for line in self.stderr.splitlines()
                if line.strip() and not line.startswith(("WARNING ", "INFO ", "DEBUG "))]


def cli(*args: str) -> list[str]:
    """The checkpoint-app command line, run by this test's interpreter."""
    return [sys.executable, "-c", "import sys; from checkpoint_app.cli import main; sys.exit(main())", *args]


def authority_cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from checkpoint_app.authority.cli import main; sys.exit(main())",
            *args]


def run_measured(cmd: Sequence[str], *, timeout_s: float, memory_limit_mb: int | None = 3000,
                 stdin: bytes | None = None, env: dict[str, str] | None = None) -> Measured:
    """Run `cmd`; kill it after `timeout_s`. The address-space limit keeps a bug from using
    gigabytes (it then fails, which the test reports, rather than swapping the machine)."""

    def limit() -> None:
        if memory_limit_mb is not None:
            cap = memory_limit_mb << 20
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    full_env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as inp:
        inp.write(stdin or b"")
        inp.seek(0)
        start = time.monotonic()
        proc = subprocess.Popen(list(cmd), stdin=inp, stdout=out, stderr=err, env=full_env, cwd=ROOT,
                                preexec_fn=limit)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            proc.kill()

        timer = threading.Timer(timeout_s, kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(proc.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                        seconds, usage.ru_maxrss / 1024, killed.is_set())
