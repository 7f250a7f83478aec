"""checkpoint-app export: the local scan records of a date range, pseudonymous (hid only).

Dates are days in China Standard Time (UTC+8, the spec's display zone), both inclusive."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from checkpoint_app.cli_common import EXIT_OK, UsageError
from checkpoint_app.core.stats import CSV_COLUMNS, to_csv

if TYPE_CHECKING:
    from checkpoint_app.core.store.records import Record

CST = dt.timezone(dt.timedelta(hours=8))
def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2020-03-03") from None


def add_parser(sub: Any) -> None:
    p = sub.add_parser("export", help="export local scan records (pseudonymous) as CSV or JSON lines")
    p.add_argument("--from", dest="day_from", type=_day, required=True, metavar="DATE", help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="day_to", type=_day, required=True, metavar="DATE", help="last day, inclusive")
    p.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    p.add_argument("--out", type=Path, help="output file (default: standard output)")
    # SUPPRESS: when not given here, `checkpoint-app --data-dir DIR sync` still counts.
    p.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                   help="data folder (default: the per-user data folder)")
    p.set_defaults(handler=run)


def _bounds(a: argparse.Namespace) -> tuple[int, int]:
    if a.day_to < a.day_from:
        raise UsageError("--to is before --from")
    start = dt.datetime.combine(a.day_from, dt.time(), CST)
    if a.day_to == dt.date.max:
        return int(start.timestamp()), 2**62
    end = dt.datetime.combine(a.day_to + dt.timedelta(days=1), dt.time(), CST)
    return int(start.timestamp()), int(end.timestamp())


def _write(records: list[Record], fmt: str, out: IO[str]) -> None:
    """The window's statistics CSV (core.stats.to_csv) with where each record stands with
    the upload (waiting, sent, rejected: the platform's reason)."""
    if fmt == "csv":
        out.write(to_csv([r.event for r in records], [r.upload for r in records]))
        return
    for r in records:
        wire = r.event.to_wire()
        out.write(json.dumps({**{k: wire.get(k) for k in CSV_COLUMNS}, "upload": r.upload}, ensure_ascii=False) + "\n")


def run(a: argparse.Namespace) -> int:
    from checkpoint_app.core.store import Store, StoreError

    ts_from, ts_to = _bounds(a)
    try:
        with Store.open(a.data_dir, check=False) as store:
            found = store.records_between(ts_from, ts_to)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    if found.unreadable:
        sys.stderr.write(f"warning: {found.unreadable} scan records in this range are damaged in the store and "
                         "cannot be exported (they are kept there)\n")
    if a.out is None:
        _write(found.records, a.format, sys.stdout)
    else:
        try:
            with a.out.open("w", encoding="utf-8", newline="") as f:
                _write(found.records, a.format, f)
        except OSError as exc:
            raise UsageError(f"cannot write {a.out}: {exc.strerror}") from None
        sys.stderr.write(f"{len(found.records)} scan events written to {a.out}\n")
    return EXIT_OK
