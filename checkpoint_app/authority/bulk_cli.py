"""checkpoint-authority commands for a province's files: register-checkpoints and
import-statuses (bulk.py, status_import.py). Both can be run again: nothing is applied
twice, and an interrupted run goes on where it stopped."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

from checkpoint_app.authority import bulk, cli, status_import
from checkpoint_app.authority.server_cli import _common, _open
from checkpoint_app.cli_common import EXIT_OK, UsageError

MAX_STATUS_ROWS = 20_000_000  # a file is read whole and checked before anything is applied


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise UsageError(f"{path} is not a file")
    return path.read_bytes()


def _text(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None


def _key(path: Path | None, what: str) -> bytes | None:
    if path is None:
        return None
    key = _read(path)
    if len(key) < 32:
        raise UsageError(f"the {what} {path} has fewer than 32 bytes: make one with head -c 32 /dev/urandom")
    return key


def _cmd_import_statuses(a: argparse.Namespace) -> int:
    raw = _read(a.file)
    started = time.monotonic()
    try:
        changes = bulk.parse_statuses(_text(raw, a.file), int(time.time()), _key(a.hid_key, "hid key"),
                                      max_rows=MAX_STATUS_ROWS)
    except bulk.BulkError as exc:
        raise UsageError(f"{a.file}: {exc}; nothing imported") from None
    done = status_import.import_statuses(_open(a), changes, status_import.file_digest(raw), a.chunk)
    already = f"; {done.total - done.applied} applied by an earlier run" if done.applied < done.total else ""
    print(f"{done.total} changes in {a.file.name}: {done.applied} applied now{already}; log head {done.head}"
          f" ({time.monotonic() - started:.1f} s)")
    return EXIT_OK


def _cmd_register_checkpoints(a: argparse.Namespace) -> int:
    if a.out.exists() and not a.out.is_file():
        raise UsageError(f"{a.out} is not a file")
    try:
        specs = bulk.parse_checkpoints(_text(_read(a.file), a.file))
    except bulk.BulkError as exc:
        raise UsageError(f"{a.file}: {exc}; nothing registered") from None
    sheet = bulk.register_checkpoints(_open(a), specs, _key(a.token_key, "token key"))
    _write_private(a.out, bulk.token_sheet(sheet))
    shown = sum(1 for r in sheet if r.token)
    print(f"{len(specs)} checkpoints: {sum(1 for r in sheet if not r.note)} registered now, "
          f"{len(specs) - shown} without a token on the sheet (see its note column); sheet {a.out}")
    return EXIT_OK


def _write_private(path: Path, text: str) -> None:
    """The token sheet, readable by its owner only, replaced whole (never half written)."""
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def _add(sub: Any) -> None:
    i = sub.add_parser("import-statuses", help="import status changes from a CSV (hid or id_number, color,"
                                               " reasons, effective_at); can be run again")
    _common(i)
    i.add_argument("file", type=Path, metavar="FILE.csv")
    i.add_argument("--hid-key", type=Path, help="the secret for hashing ID numbers (for an id_number column)")
    i.add_argument("--chunk", type=int, default=status_import.CHUNK, metavar="N",
                   help="changes per transaction (default %(default)s); each holds the log's write lock")
    i.set_defaults(handler=_cmd_import_statuses)

    r = sub.add_parser("register-checkpoints", help="register checkpoints from a CSV (checkpoint_id, venue_id,"
                                                    " venue_type) and write their token sheet; can be run again")
    _common(r)
    r.add_argument("file", type=Path, metavar="FILE.csv")
    r.add_argument("--out", type=Path, required=True, metavar="SHEET.csv",
                   help="the token sheet to write (mode 0600): keep it safe, hand each station its token")
    r.add_argument("--token-key", type=Path, metavar="KEY",
                   help="a secret file (32+ random bytes): tokens derived from it, so a re-run writes the"
                        " same sheet again; without it tokens are random and shown once")
    r.set_defaults(handler=_cmd_register_checkpoints)


cli.register(_add)
