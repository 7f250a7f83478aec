"""checkpoint-app verify (spec section 9)."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

from checkpoint_app.cli.data_folder import (
    add_config_argument,
    configuration,
    record_decisions,
    recording_station,
    store_context,
)
from checkpoint_app.cli_common import EXIT_OK, EXIT_PROBLEM, UsageError
from checkpoint_app.core.bounds import MAX_DOCUMENT_BYTES, os_error_text, read_bounded
from checkpoint_app.core.checkpoint import Context, Inputs, TemperatureOutOfRange, decide, decision_json, scan
from checkpoint_app.core.configuration import Configuration
from checkpoint_app.core.errors import DocumentError
from checkpoint_app.core.trust.documents import open_document
from checkpoint_app.core.trust.key_files import read_key_files
from checkpoint_app.core.trust.policy import parse_policy
from checkpoint_app.core.trust.trust_list import parse_trust_list


def temperature(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"temperature {text!r} is not a number of degrees Celsius") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"temperature {text!r} is not a finite number")
    return value


def unix_time(text: str) -> int:
    """`--at`: whole seconds within the times a scan event may carry (spec 5), so that a
    recorded decision is one the platform can take."""
    from checkpoint_app.core.events import TS_MAX, TS_MIN

    value = int(text) if text.strip().lstrip("+-").isdecimal() and len(text) < 20 else None
    if value is None or not TS_MIN <= value < TS_MAX:
        raise argparse.ArgumentTypeError(f"{text!r} is not a Unix time in whole seconds between "
                                         "2020-01-01 and 2100-01-01")
    return value


def add_parser(sub: Any) -> None:
    p = sub.add_parser("verify", help="verify health-code payloads or QR images offline")
    p.add_argument("payloads", nargs="*", metavar="PAYLOAD", help="QR text, e.g. JKM1:...")
    p.add_argument("--image", action="append", default=[], type=Path, metavar="FILE",
                   help="read the QR codes in an image; may repeat")
    p.add_argument("--json", action="store_true", help="one JSON object per code, one per line")
    # SUPPRESS: when not given here, `checkpoint-app --data-dir DIR verify` still counts.
    p.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                   help="use the trust list, policy and cache the last sync left here (default: the per-user one)")
    add_config_argument(p)
    p.add_argument("--trust-list", type=Path, help="signed trust list file (file mode)")
    p.add_argument("--policy", type=Path, help="signed policy file (file mode)")
    p.add_argument("--root-key", type=Path, action="append", default=[], metavar="PEM",
                   help="pinned distribution public key; may repeat")
    p.add_argument("--at", type=unix_time, metavar="UNIX_TIME", help="take this as now")
    p.add_argument("--temperature", type=temperature, metavar="C", help="temperature taken, in °C")
    p.add_argument("--mask", choices=["yes", "no"], help="mask worn")
    p.add_argument("--record", action="store_true",
                   help="write each decision to the outbox in --data-dir, as the configured station")
    p.set_defaults(handler=run)


def _read(path: Path, what: str, limit: int) -> bytes:
    try:
        return read_bounded(path, limit)
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {os_error_text(exc)}") from None


def file_context(a: argparse.Namespace, venue_type: str) -> Context:
    if not (a.trust_list and a.policy and a.root_key):
        raise UsageError("file mode needs --trust-list, --policy and at least one --root-key")
    keys = read_key_files(a.root_key)
    try:
        trust = parse_trust_list(open_document(_read(a.trust_list, "trust list", MAX_DOCUMENT_BYTES), keys))
        policy = parse_policy(open_document(_read(a.policy, "policy", MAX_DOCUMENT_BYTES), keys))
    except DocumentError as exc:
        raise UsageError(str(exc)) from None
    return Context(trust=trust, policy=policy, venue_type=venue_type)


def _payloads(a: argparse.Namespace) -> list[str]:
    texts = list(a.payloads)
    if a.image:
        from checkpoint_app.core.scanning.images import read_image_codes

        for path in a.image:
            try:
                texts += read_image_codes(path)
            except OSError as exc:
                raise UsageError(f"cannot read image {path}: {os_error_text(exc)}") from None
    if not texts:
        raise UsageError("nothing to verify: give payloads or --image FILE (no code found)")
    return texts


def decision_line(d: dict[str, Any]) -> str:
    if not d["valid"]:
        return f"INVALID {d['error']} -> {d['action']}"
    reasons = ",".join(map(str, d["reasons"])) or "-"
    return (f"{d['color']} (code {d['code_color']}, reasons {reasons}, hid {d['hid']}) -> {d['action']}"
            f" {'ALLOW' if d['allow'] else 'DENY'}{' (pending)' if d['pending'] else ''}")


def run(a: argparse.Namespace) -> int:
    config = configuration(a)
    station = recording_station(a, config)
    ctx = _context(a, config)
    if a.temperature is not None and not ctx.policy.temperature_in_range(a.temperature):
        raise UsageError(str(TemperatureOutOfRange(a.temperature, ctx.policy)) + "; measure again")
    inputs = Inputs(temperature_c=a.temperature, mask=None if a.mask is None else a.mask == "yes")
    now = a.at if a.at is not None else int(time.time())
    decisions = [decide(scan(text, ctx, now), inputs, ctx) for text in _payloads(a)]
    if station is not None:
        record_decisions(getattr(a, "data_dir", None), decisions, station)
    for d in decisions:
        obj = decision_json(d)
        sys.stdout.write((json.dumps(obj, ensure_ascii=False) if a.json else decision_line(obj)) + "\n")
    if any(d.action == "cannot_verify" and d.freshness.never_synced for d in decisions):
        # Documents without a single status page (a first sync cut off): not "old data".
        sys.stderr.write("checkpoint-app verify: this checkpoint has not synced yet, so no code can be verified: "
                         "run `checkpoint-app sync --once` (or `sync --from DIR` with the USB stick)\n")
    return EXIT_OK if all(d.valid for d in decisions) else EXIT_PROBLEM


def _context(a: argparse.Namespace, config: Configuration) -> Context:
    """File mode with the given documents and keys, else the data folder's last sync; for the
    configured venue type either way (the site is the site)."""
    if a.trust_list or a.policy:
        return file_context(a, config.station.venue_type)
    from checkpoint_app.core.store.errors import StoreError

    try:
        return store_context(getattr(a, "data_dir", None), a.root_key, config, now=a.at)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
