"""checkpoint-app selftest: can this installation (or bundle) do its job at an entrance?

Each check exercises the real part end to end rather than importing it: a demo code is
issued, drawn as a QR image and read back by both decoders, then verified offline; the
store writes and reads SQLite; Qt starts and finds a Chinese font and the Chinese
translation; OpenCV writes and reads back a video. Exit 0 when nothing failed, 1 when
something did; a warning (no camera plugged in) does not fail.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from checkpoint_app.cli.selftest_audio import check_audio, check_speech
from checkpoint_app.cli.selftest_checks import (
    CheckFailed,
    check_crypto,
    check_decoders,
    check_store,
    check_verification,
)
from checkpoint_app.cli.selftest_kiosk import check_kiosk
from checkpoint_app.cli.selftest_qt import check_camera, check_fonts, check_qt, check_translations
from checkpoint_app.cli_common import EXIT_OK, EXIT_PROBLEM


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # "ok", "warn" or "FAIL"
    detail: str


def add_parser(sub: Any) -> None:
    p = sub.add_parser("selftest", help=("check decoders, crypto, store, fonts, camera backend, translations, "
                                         "audio output, speech and the kiosk's lockdown"))
    p.add_argument("--json", action="store_true", help="one JSON object with every check")
    p.set_defaults(handler=run)


def run(a: argparse.Namespace) -> int:
    results = [_run_one(name, fn) for name, fn in CHECKS]
    failed = sum(r.status == "FAIL" for r in results)
    if a.json:
        sys.stdout.write(json.dumps({"ok": not failed, "checks": [asdict(r) for r in results]}, ensure_ascii=False))
        sys.stdout.write("\n")
    else:
        bundle = getattr(sys, "_MEIPASS", None)
        where = f"bundle {bundle}" if bundle else f"Python {sys.version.split()[0]} at {sys.executable}"
        sys.stdout.write(f"checkpoint-app selftest ({where})\n")
        for r in results:
            sys.stdout.write(f"  {r.status:<4}  {r.name:<12}  {r.detail}\n")
        warned = sum(r.status == "warn" for r in results)
        sys.stdout.write(f"selftest: {len(results) - failed - warned} ok, {warned} warning(s), {failed} failed\n")
    return EXIT_PROBLEM if failed else EXIT_OK


def _run_one(name: str, fn: Callable[[], tuple[str, str]]) -> Check:
    try:
        status, detail = fn()
    except CheckFailed as exc:
        return Check(name, "FAIL", str(exc))
    except Exception as exc:  # a broken bundle shows up here: report it, run the other checks
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return Check(name, "FAIL", f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})")
    return Check(name, status, detail)


CHECKS: tuple[tuple[str, Callable[[], tuple[str, str]]], ...] = (
    ("crypto", check_crypto),
    ("verify", check_verification),
    ("decoders", check_decoders),
    ("store", check_store),
    ("qt", check_qt),
    ("fonts", check_fonts),
    ("translations", check_translations),
    ("camera", check_camera),
    ("audio", check_audio),
    ("speech", check_speech),
    ("kiosk", check_kiosk),
)
