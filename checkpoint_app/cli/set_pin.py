"""checkpoint-app set-pin: the admin PIN, set by the installer (never from inside the kiosk).

Typed twice at a terminal, or read from a file (`--from FILE`, `--from -` for standard
input: one line) for scripted installs. Only the salted slow hash is stored."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import sys
from pathlib import Path
from typing import Any

from checkpoint_app.cli_common import EXIT_OK, UsageError
from checkpoint_app.core import paths
from checkpoint_app.core import settings as settings_mod


def add_parser(sub: Any) -> None:
    p = sub.add_parser("set-pin", help="set the admin PIN (needed for kiosk mode, settings and leaving)")
    p.add_argument("--from", dest="source", metavar="FILE",
                   help="read the PIN from the first line of FILE ('-': standard input) instead of asking twice")
    p.set_defaults(handler=run)


def run(a: argparse.Namespace) -> int:
    path = paths.settings_file(getattr(a, "config", None))
    pin = _read(a.source) if a.source else _ask_twice()
    try:
        settings_mod.check_pin_format(pin)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    current, broken, _ = settings_mod.load_checked(path)
    if broken is not None:  # writing the defaults over it would lose the server, token, ids...
        raise UsageError(f"{path} is unusable ({broken}): fix it or move it away first; the PIN is unchanged")
    try:
        settings_mod.protect(path)
        settings_mod.save(path, dataclasses.replace(current, admin_pin=settings_mod.hash_pin(pin)))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    sys.stdout.write(f"admin PIN set in {path}\n")
    return EXIT_OK


def _read(source: str) -> str:
    try:
        text = sys.stdin.readline() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the PIN from {source}: {getattr(exc, 'strerror', None) or exc}") from None
    lines = text.splitlines()
    return lines[0].strip() if lines else ""


def _ask_twice() -> str:
    if not sys.stdin.isatty():
        raise UsageError("no terminal to ask at: use --from FILE, or --from - to read standard input")
    try:
        first = getpass.getpass("new admin PIN (4-8 digits): ")
        second = getpass.getpass("the same PIN again: ")
    except (EOFError, KeyboardInterrupt):
        raise UsageError("cancelled; the PIN is unchanged") from None
    if first != second:
        raise UsageError("the two PINs differ; the PIN is unchanged")
    return first
