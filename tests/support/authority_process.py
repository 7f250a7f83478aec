"""`checkpoint-authority` as an operator runs it: commands and `serve` in processes of their own."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.nginx import free_port, wait_for_port

LAUNCHER = "import sys; from checkpoint_app.authority.cli import main; sys.exit(main())"


def authority_cli(*args: str) -> str:
    """Run a command; its standard output (it must succeed)."""
    done = subprocess.run([sys.executable, "-c", LAUNCHER, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@contextmanager
def serving(db: Path | str, key: Path, *args: str) -> Iterator[int]:
    """`serve` on a free loopback port until the block ends; yields the port."""
    port = free_port()
    with subprocess.Popen([sys.executable, "-c", LAUNCHER, "serve", "--db", str(db), "--key", str(key),
                           "--port", str(port), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:
        try:
            wait_for_port(port, proc, timeout_s=60)
            yield port
        finally:
            proc.terminate()
            proc.wait(timeout=20)
