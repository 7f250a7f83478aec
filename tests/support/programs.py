"""External programs a test runs (Xvfb, nginx, faketime...): `@pytest.mark.needs_programs("Xvfb")`
or `needs_programs("Xvfb")` in a fixture. Where one is missing the test is skipped, naming the
Debian package; in CI (CI=true) it fails instead, since .ci/run installs every program of
.ci/programs.txt and a skip there would hide a broken install."""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path

import pytest

PROGRAMS_TXT = Path(__file__).resolve().parents[2] / ".ci" / "programs.txt"
SBIN = ("/usr/local/sbin", "/usr/sbin", "/sbin")  # nginx is there; a non-root PATH may lack it


@functools.cache
def packages() -> dict[str, str]:
    """program -> Debian package, from .ci/programs.txt."""
    out = {}
    for line in PROGRAMS_TXT.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            program, package, *_ = line.split()
            out[program] = package
    return out


def find_program(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path=os.pathsep.join(SBIN))


def needs_programs(*names: str) -> None:
    unlisted = [n for n in names if n not in packages()]
    if unlisted:
        pytest.fail(f"{', '.join(unlisted)}: not in .ci/programs.txt (add it with its Debian package)")
    missing = [n for n in names if find_program(n) is None]
    if not missing:
        return
    wanted = " ".join(dict.fromkeys(packages()[n] for n in missing))
    message = f"needs {', '.join(missing)} (apt-get install {wanted})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}: CI installs every program of .ci/programs.txt", pytrace=False)
    pytest.skip(message)
