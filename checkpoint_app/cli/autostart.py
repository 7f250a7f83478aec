"""checkpoint-app install-autostart / uninstall-autostart: start in kiosk mode at login, restart on crash."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from checkpoint_app.cli_common import EXIT_OK, EXIT_PROBLEM, UsageError
from checkpoint_app.core.autostart import (
    autostart_path,
    launch_command,
    plan_install,
    session_paths,
    uninstall_commands,
    write_atomically,
)
from checkpoint_app.resources import resource


def add_parser(sub: Any) -> None:
    p = sub.add_parser("install-autostart",
                       help="start the checkpoint in kiosk mode at login and restart it after a crash")
    p.add_argument("--dry-run", action="store_true", help="print the file instead of writing it")
    p.add_argument("--now", action="store_true", help="also start it now (Linux)")
    p.add_argument("--platform", choices=["linux", "win32"], default=None, help=argparse.SUPPRESS)
    p.set_defaults(handler=run)
    u = sub.add_parser("uninstall-autostart", help="remove what install-autostart installed")
    u.add_argument("--platform", choices=["linux", "win32"], default=None, help=argparse.SUPPRESS)
    u.set_defaults(handler=run, dry_run=False, now=False)


def run(a: argparse.Namespace) -> int:
    platform = a.platform or ("win32" if sys.platform == "win32" else "linux")
    if a.command == "uninstall-autostart":
        return _uninstall(platform)
    extra: list[str] = []
    for flag, value in (("--data-dir", getattr(a, "data_dir", None)), ("--config", getattr(a, "config", None))):
        if value:
            extra += [flag, str(Path(value).resolve())]  # the unit runs from another directory
    session = _kiosk_session() if platform == "linux" else None
    plan = plan_install(platform, launch_command(extra), os.environ, Path.home(), kiosk_session=session)
    files = [*plan.extra, (plan.path, plan.text)]
    if a.dry_run:
        sys.stdout.writelines(f"# {path}\n{text}\n" for path, text in files)
        return EXIT_OK
    for path, text in files:
        try:
            write_atomically(path, text)
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror}") from None
        sys.stdout.write(f"wrote {path}\n")
    steps = list(plan.commands)
    if a.now and platform == "linux":
        steps.append(("systemctl", "--user", "start", "checkpoint.service"))
    return _systemctl(steps)


def _kiosk_session() -> tuple[str, str] | None:
    openbox = shutil.which("openbox")
    if openbox is None:
        sys.stdout.write("openbox is not installed: no kiosk session (apt-get install openbox, then run this again)\n")
        return None
    return openbox, resource("kiosk", "openbox-rc.xml").read_text(encoding="utf-8")


def _uninstall(platform: str) -> int:
    path = autostart_path(platform, os.environ, Path.home())
    session: tuple[Path, ...] = session_paths(os.environ, Path.home()) if platform == "linux" else ()
    has_session = bool(session) and session[0].exists()
    status = _systemctl(list(uninstall_commands(platform, session=has_session))) if path.exists() else EXIT_OK
    for extra in session:
        if extra.exists():
            extra.unlink()
            sys.stdout.write(f"removed {extra}\n")
    try:
        path.unlink()
    except FileNotFoundError:
        sys.stdout.write(f"nothing to remove: {path} does not exist\n")
        return EXIT_OK
    except OSError as exc:
        raise UsageError(f"cannot remove {path}: {exc.strerror}") from None
    sys.stdout.write(f"removed {path}\n")
    return status


def _systemctl(steps: list[tuple[str, ...]]) -> int:
    """Run the systemctl steps; where that cannot work here, say exactly what to run instead."""
    if not steps:
        return EXIT_OK
    if shutil.which(steps[0][0]) is None:
        sys.stdout.write("systemctl is not available here; on the entrance PC, logged in as the kiosk user, run:\n")
        sys.stdout.writelines(f"  {shlex.join(s)}\n" for s in steps)
        return EXIT_OK
    for i, step in enumerate(steps):
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            problem = str(exc)
        else:
            if done.returncode == 0:
                continue
            problem = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        sys.stderr.write(f"checkpoint-app: error: {shlex.join(step)} failed: {problem}\n")
        sys.stdout.write("the file is in place; when the user's systemd session is running, run:\n")
        sys.stdout.writelines(f"  {shlex.join(s)}\n" for s in steps[i:])
        return EXIT_PROBLEM
    return EXIT_OK
