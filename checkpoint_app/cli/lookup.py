"""checkpoint-app lookup (spec 5.1 and 9): the status of someone without a phone, asked of the
platform by identity document, decided by the policy like a code.

The number is checked (exit 2) before anything is opened or sent; it reaches only the
request body, never stdout, stderr, the store or a log line. `--doc-file -` reads it from
standard input so that it stays out of the process list."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from checkpoint_app.cli.data_folder import add_config_argument, configuration, recording_station
from checkpoint_app.cli.verify import decision_line, temperature
from checkpoint_app.cli_common import EXIT_OK, EXIT_PROBLEM, UsageError
from checkpoint_app.core.checkpoint import Decision, Inputs, TemperatureOutOfRange, decide, decision_json
from checkpoint_app.core.configuration import Configuration
from checkpoint_app.core.events import Station
from checkpoint_app.core.identity import RESIDENT_ID, IdDocument, normalize

MAX_DOC_FILE = 256  # an 18-character number and a line break; anything longer is not one
_PROBLEM_WORDS = {
    "ID_LENGTH": "it is not 18 characters", "ID_CHARACTERS": "only digits, and X last, belong in it",
    "ID_REGION": "it names no province", "ID_BIRTH_DATE": "its birth date is impossible",
    "ID_CHECK_DIGIT": "its check digit does not match",
}


def add_parser(sub: Any) -> None:
    p = sub.add_parser("lookup", help="look up someone without a phone by identity document (online)")
    p.add_argument("--json", action="store_true", help="print the decision as one JSON object")
    p.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, metavar="DIR",
                   help="data folder whose platform, token and keys `sync` remembered")
    add_config_argument(p)
    p.add_argument("--temperature", type=temperature, metavar="C", help="temperature taken, in °C")
    p.add_argument("--mask", choices=["yes", "no"], help="mask worn")
    p.add_argument("--record", action="store_true",
                   help="write the decision to the outbox (source id_lookup), as the configured station")
    p.add_argument("--doc-type", type=int, default=RESIDENT_ID, choices=range(1, 6), metavar="N",
                   help="1 resident ID card (default), 2 passport, 3-5 travel and residence permits")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--doc", metavar="NUMBER", help="the document number (shows in the process list)")
    which.add_argument("--doc-file", metavar="FILE", help="read the number from FILE, '-' for standard input")
    p.set_defaults(handler=run)


def _read_number(a: argparse.Namespace) -> str:
    if a.doc is not None:
        return str(a.doc)
    if a.doc_file == "-":
        data = sys.stdin.buffer.read(MAX_DOC_FILE + 1)
    else:
        from checkpoint_app.core.bounds import read_bounded

        try:
            data = read_bounded(a.doc_file, MAX_DOC_FILE)
        except OSError as exc:
            raise UsageError(f"cannot read --doc-file {a.doc_file}: {exc.strerror or exc}") from None
    if len(data) > MAX_DOC_FILE:
        raise UsageError(f"--doc-file holds more than {MAX_DOC_FILE} bytes: not one document number")
    lines = data.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else ""


def document(a: argparse.Namespace) -> IdDocument:
    """The checked document; a wrong one is a usage error (exit 2), never sent (spec 5.1)."""
    number = normalize(_read_number(a))
    if not number:
        raise UsageError("no document number given")
    try:
        return IdDocument(a.doc_type, number)
    except ValueError as exc:
        code = str(exc).rsplit(": ", 1)[-1]
        why = _PROBLEM_WORDS.get(code, str(exc))
        raise UsageError(f"the document number is wrong ({why}); nothing was sent: check it and give it again") \
            from None


def _no_answer(problem: str) -> dict[str, Any]:
    return {"valid": False, "error": problem, "hid": None, "name": None, "doc": None, "color": None,
            "reasons": None, "action": "cannot_verify", "allow": False, "pending": False, "source": "id_lookup"}


def run(a: argparse.Namespace) -> int:
    from checkpoint_app.core.lookup.answer import LookupFailure
    from checkpoint_app.core.store import Store, StoreError

    doc = document(a)
    config = configuration(a)
    station = recording_station(a, config)  # refused before anything is asked
    try:
        with Store.open(getattr(a, "data_dir", None), check=False) as store:
            decision = _look_up(store, doc, a, config, station)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    except LookupFailure as exc:
        _print(a, _no_answer(str(exc.code)), f"NO ANSWER {exc.code} -> cannot_verify")
        sys.stderr.write(f"checkpoint-app lookup: error: no answer from the platform ({exc}); "
                         "nothing recorded: record the person by hand\n")
        return EXIT_PROBLEM
    obj = decision_json(decision)
    _print(a, obj, decision_line(obj))
    return EXIT_OK if decision.valid else EXIT_PROBLEM


def _look_up(store: Any, doc: IdDocument, a: argparse.Namespace, config: Configuration,
             station: Station | None) -> Decision:
    from checkpoint_app.cli.data_folder import distribution_keys
    from checkpoint_app.core.events import event_from_decision
    from checkpoint_app.core.lookup.answer import LookupFailure
    from checkpoint_app.core.lookup.client import ask, check_url, chosen_platform
    from checkpoint_app.core.lookup.decide import lookup_context, lookup_scan

    now = int(time.time())
    keys = distribution_keys(store, (), config)
    ctx = lookup_context(store.load_context(keys, config.station.venue_type, now))
    if a.temperature is not None and not ctx.policy.temperature_in_range(a.temperature):
        raise UsageError(str(TemperatureOutOfRange(a.temperature, ctx.policy)) + "; measure again")
    platform = chosen_platform(store, keys, config.platform())
    if platform is None:
        raise UsageError("no platform configured: run `sync --once --server URL --token TOKEN` once, or set "
                         f"server_url and token in {config.path}")
    try:
        check_url(platform.server_url)
    except LookupFailure as exc:
        raise UsageError(f"{exc.detail}; the platform is {platform.server_url}") from None
    answer = ask(platform, doc, ctx.policy.clock_skew_s)
    now = int(time.time())
    inputs = Inputs(temperature_c=a.temperature, mask=None if a.mask is None else a.mask == "yes")
    decision = decide(lookup_scan(answer, doc, now), inputs, ctx)
    if station is not None:
        store.record_event(event_from_decision(decision, station, now))
    return decision


def _print(a: argparse.Namespace, obj: dict[str, Any], line: str) -> None:
    sys.stdout.write((json.dumps(obj, ensure_ascii=False) if a.json else line) + "\n")
