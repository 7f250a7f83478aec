"""Run a command as a child process and measure it: wall time and its own peak memory
(max RSS from wait4, for this child alone), under an address-space limit so that a
regression fails the test instead of taking the machine's memory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
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
    killed: bool  # the wall-time limit ended it (returncode is then the launcher's, -9)

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


# Forks and runs the command, then writes the child's own rusage max RSS to a file. Why a
# launcher: a child forked from pytest itself counts the pytest pages it shared before its
# exec in its max RSS, and a vfork'ed one is charged with the parent's high-water mark.
_LAUNCHER = """
import os, resource, sys
limit, report, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
pid = os.fork()
if pid == 0:
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit << 20, limit << 20))
    os.execv(cmd[0], cmd)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as f:
    f.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
os._exit(code if code >= 0 else 128 - code)
"""


def run_measured(cmd: Sequence[str], *, timeout_s: float, memory_limit_mb: int | None = 3000,
                 stdin: bytes | None = None, env: dict[str, str] | None = None) -> Measured:
    """Run `cmd`; kill it after `timeout_s`. The address-space limit keeps a bug from using
    gigabytes (it then fails, which the test reports, rather than swapping the machine)."""
    full_env = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    with tempfile.TemporaryDirectory() as tmp:
        files = {name: Path(tmp, name) for name in ("in", "out", "err", "rss")}
        files["in"].write_bytes(stdin or b"")
        with files["in"].open("rb") as inp, files["out"].open("wb") as out, files["err"].open("wb") as err:
            start = time.monotonic()
            proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(memory_limit_mb or 0), str(files["rss"]),
                                     *cmd], stdin=inp, stdout=out, stderr=err, env=full_env, cwd=ROOT,
                                    start_new_session=True)
            try:
                returncode, killed = proc.wait(timeout_s), False
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                returncode, killed = proc.wait(), True
            seconds = time.monotonic() - start
        rss = files["rss"].read_text() if files["rss"].exists() else "0"
        return Measured(returncode, files["out"].read_text(errors="replace"), files["err"].read_text(errors="replace"),
                        seconds, int(rss or 0) / 1024, killed)
