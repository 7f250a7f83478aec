"""checkpoint-app: the window (default), and the commands of spec section 9 and more.

Each command lives in its own module with `add_parser(sub)`; heavy imports (Qt, OpenCV)
happen inside the handlers so that `verify` starts fast."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from checkpoint_app.cli_common import OneLineParser, UsageError, fail
from checkpoint_app.interrupt import run_stoppable

COMMAND_MODULES = (
    "checkpoint_app.cli.verify",
    "checkpoint_app.cli.decode",
    "checkpoint_app.cli.sync",
    "checkpoint_app.cli.lookup",
    "checkpoint_app.cli.export",
    "checkpoint_app.cli.selftest",
    "checkpoint_app.cli.autostart",
    "checkpoint_app.cli.set_pin",
)


def build_parser() -> OneLineParser:
    p = OneLineParser(prog="checkpoint-app", description=(
        "Health-code checkpoint. With no command it opens the checkpoint window."))
    p.add_argument("--demo", action="store_true",
                   help="run end to end with a built-in authority and a demo video as the camera")
    p.add_argument("--kiosk", action="store_true", help="full screen, locked; leaving needs the admin PIN")
    p.add_argument("--config", help="settings file that overrides the per-user settings")
    p.add_argument("--data-dir", help="data folder (default: the per-user data folder)")
    p.add_argument("--lang", choices=["zh", "en"], help="the window's language for this run (default: the settings'; "
                   "on the first start, the system's)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:  # the window leaves on Ctrl-C by its own shutdown path (workers/termination.py)
        return _run(args)
    # A command stopped by Ctrl-C (a sync waiting on the network): one line and exit 130. What it
    # wrote is whole: every store write is one transaction, rolled back when cut off.
    return run_stoppable(f"checkpoint-app {args.command}", lambda _leaving: _run(args))


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command is None:
            return _run_window(args)
        result: int = args.handler(args)
        return result
    except Exception as exc:
        message = str(exc) if isinstance(exc, UsageError) else known_failure(exc)
        if message is None:
            raise  # a bug: its traceback goes to the log and the crash handler
        prog = f"checkpoint-app {args.command}" if args.command else "checkpoint-app"
        return fail(prog, message)


def known_failure(exc: Exception) -> str | None:
    """One line for a key file that cannot be read or a store that cannot be used (locked,
    full, read-only, damaged), from whichever command met it; None for anything else (a bug).
    Imported only on failure, so that a command that never opens the store does not load it."""
    import sqlite3

    from checkpoint_app.core.store.errors import StoreError, describe
    from checkpoint_app.core.trust.key_files import KeyFileError

    if isinstance(exc, StoreError | KeyFileError):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        return describe(exc)
    return None


def _run_window(args: argparse.Namespace) -> int:
    _check_display()
    app = importlib.import_module("checkpoint_app.app")  # Qt, loaded for the window only
    result: int = app.run(args)
    return result


def _check_display() -> None:
    """Qt's own message for a missing display blames the installation; say what is wrong."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise UsageError("no display: start the window from a desktop session, or on a virtual screen "
                         "with `xvfb-run -a checkpoint-app ...` (QT_QPA_PLATFORM=offscreen runs it unseen)")
