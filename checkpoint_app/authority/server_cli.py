"""checkpoint-authority commands for the platform's database and server:
serve, publish, set-status, register-checkpoint, compact, new-epoch, export, stats.

Privacy: `set-status --id-number` turns the number into the hid with the authority's
keyed hash at once (and, for lookups, into another keyed hash); the number is neither
stored, printed nor logged. Give `-` to read
it from standard input, which keeps it out of the process list and shell history."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from checkpoint_app.authority import cli, statuslog
from checkpoint_app.authority.epoch import DEFAULT_SERIAL_GAP
from checkpoint_app.authority.issuing import mask_name
from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.authority.lookup import LOOKUPS_PER_MINUTE
from checkpoint_app.authority.platform import DEFAULT_PAGE_SIZE, Authority
from checkpoint_app.cli_common import EXIT_OK, UsageError
from checkpoint_app.core.codes.claims import Color
from checkpoint_app.core.identity import IdDocument, normalize

DB_ENV = "CHECKPOINT_AUTHORITY_DB"
ADMIN_ENV = "CHECKPOINT_AUTHORITY_ADMIN_TOKEN"
CST = dt.timezone(dt.timedelta(hours=8))


def _db_url(text: str | None) -> str:
    text = text or os.environ.get(DB_ENV) or "authority.sqlite3"
    return text if "://" in text else f"sqlite:///{Path(text).resolve()}"


def _open(a: argparse.Namespace, **kw: Any) -> Authority:
    from sqlalchemy.exc import SQLAlchemyError

    key = load_private_key(a.key) if getattr(a, "key", None) else None
    url = _db_url(a.db)
    try:
        return Authority.open(url, key, **kw)
    except ImportError as exc:
        raise UsageError(f"the database driver is missing ({exc.name}); for PostgreSQL: pip install psycopg") from None
    except SQLAlchemyError as exc:
        raise UsageError(f"cannot open the database {url.split('@')[-1]}: {exc.__class__.__name__}") from None


SERVE_REFRESH_S = 1.0  # pages and tokens from memory for a second (pagecache.py, tokens.py)


def _cmd_serve(a: argparse.Namespace) -> int:
    from checkpoint_app.authority import workers
    from checkpoint_app.authority.server import ServeLimits, create_app

    limits = ServeLimits(a.connection_limit, a.channel_timeout)
    _enough_descriptors(limits.connection_limit)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # not a warning per queued request
    if a.workers and not workers.available():
        raise UsageError("--workers needs gunicorn, which runs on Linux and other Unix systems (pip install gunicorn)")
    admin = a.admin_token_file.read_text().strip() if a.admin_token_file else os.environ.get(ADMIN_ENV)
    options = {"page_size": a.page_size, "admin_token": admin or None, "lookups_per_minute": a.lookup_limit,
               "hid_secret": a.hid_key.read_bytes() if a.hid_key else None, "refresh_s": SERVE_REFRESH_S}
    authority = _open(a, **options)
    _publish(authority, a)
    if not a.workers:
        return _serve_here(authority, a, limits)
    authority.engine.dispose()  # each worker opens its own connections after the fork
    print(f"serving the distribution API on http://{a.host}:{a.port}/v1/ ({a.workers} gunicorn workers"
          f" x {a.threads} threads; Ctrl-C stops)", flush=True)
    workers.run(lambda: create_app(_open(a, **options)),
                workers.Workers(a.host, a.port, a.workers, a.threads, limits.connection_limit, a.worker_timeout))
    return EXIT_OK


def _serve_here(authority: Authority, a: argparse.Namespace, limits: Any) -> int:
    """Serve in this process (waitress) until Ctrl-C, then one line and exit status 130
    (cli.main); or until SIGTERM (`systemctl stop`, a shutdown), then one line and exit
    status 0, which systemd counts as a clean stop. waitress ends its loop on either and
    returns as if nothing happened; what the fleet view still holds is written first (the
    default SIGTERM ended the process where it stood, and up to a minute of checkpoints'
    reported health with it)."""
    from waitress.server import create_server

    from checkpoint_app.authority.server import create_app

    app = create_app(authority)
    server = create_server(app, host=a.host, port=a.port, threads=a.threads, **limits.waitress())
    server.print_listen("Serving on http://{}:{}")
    print(f"serving the distribution API on http://{a.host}:{a.port}/v1/ (waitress; Ctrl-C stops)", flush=True)
    terminated: list[int] = []

    def on_term(signum: int, _frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # leaving already: a second one changes nothing
        terminated.append(signum)
        raise SystemExit(EXIT_OK)

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        server.run()
    finally:
        # leaving (by either signal): a SIGTERM now must not cut the fleet's last write short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        app.extensions["fleet"].stop()
        signal.signal(signal.SIGTERM, previous)
    if not terminated:
        raise KeyboardInterrupt
    print("checkpoint-authority serve: stopped (SIGTERM)", file=sys.stderr, flush=True)
    return EXIT_OK


def _enough_descriptors(connections: int) -> None:
    """Raise the soft limit of open files to what the connection limit needs (Debian's
    default soft limit, 1024, would refuse connections before waitress' limit does)."""
    try:
        import resource
    except ImportError:  # Windows: no such limit
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 128  # the database, the log, the threads' sockets
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        if new < wanted:
            logging.getLogger("checkpoint.authority").warning(
                "open-file limit %d is below --connection-limit %d + 128; raise it (ulimit -n)", new, connections)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def _publish(authority: Authority, a: argparse.Namespace) -> None:
    for kind, path in (("trust-list", a.trust_list), ("policy", a.policy)):
        if path is not None:
            print(f"{kind} serial {authority.publish(kind, path.read_bytes())} published")


def _cmd_publish(a: argparse.Namespace) -> int:
    if not (a.trust_list or a.policy):
        raise UsageError("give --trust-list FILE and/or --policy FILE")
    _publish(_open(a), a)
    return EXIT_OK


def checked_document(doc_type: int, number: str) -> IdDocument:
    """The document, or one line that names its problem (never the number)."""
    try:
        return IdDocument(doc_type, normalize(number))
    except ValueError as exc:
        raise UsageError(f"the document number is refused: {exc}") from None


def register_holder(db: str | None, hid_key: Path, doc: IdDocument, hid: bytes, name: str, iss: str) -> None:
    """Let `POST /v1/lookup` find this person by document (spec 5.1): a keyed hash of it only."""
    authority = _open(argparse.Namespace(db=db))
    authority.hid_secret = hid_key.read_bytes()
    authority.register_person(doc, hid, mask_name(name), iss)


def _cmd_set_status(a: argparse.Namespace) -> int:
    number = None if a.hid else cli.id_number(a)
    doc = None if number is None else checked_document(a.doc_type, number)
    hid = cli.holder_hid(a, None if doc is None else doc.number)
    color = Color[a.color.upper()]
    authority = _open(a)
    now = int(authority.clock())
    at = a.effective_at if a.effective_at is not None else now
    seq = authority.set_statuses([(hid, int(color), tuple(a.reason), at)])
    what = "removed (no special status)" if color == Color.GREEN and not a.reason else f"{color.label} {a.reason}"
    when = f"held until {at}, published then" if at > now else f"seq {seq}"
    if doc is not None:
        register_holder(a.db, a.hid_key, doc, hid, a.name or "", a.iss)
    print(f"hid {hid.hex()}: {what} from {at}, {when}{'; lookups by document find it' if doc else ''}")
    return EXIT_OK


def _cmd_register(a: argparse.Namespace) -> int:
    token = _open(a).register_checkpoint(a.checkpoint_id)
    print(token)
    sys.stderr.write(f"checkpoint {a.checkpoint_id} registered; give it this token (shown once)\n")
    return EXIT_OK


def _cmd_compact(a: argparse.Namespace) -> int:
    before = None if a.drop_removals_days is None else int(time.time()) - a.drop_removals_days * 86400
    result = _open(a).compact(before)
    print(f"{result.deleted} entries deleted; horizon {result.horizon}; head {statuslog.head(_open(a).engine)}")
    return EXIT_OK


def _cmd_new_epoch(a: argparse.Namespace) -> int:
    started = _open(a).new_epoch(a.serial_gap)
    print(f"new epoch {started.epoch.hex()}: checkpoints rebuild their status caches at their next sync")
    print("the next documents need serials above: "
          + ", ".join(f"{kind} {floor}" for kind, floor in started.floors.items()))
    return EXIT_OK


def _cmd_export(a: argparse.Namespace) -> int:
    from checkpoint_app.authority.export import export_folder

    pages = export_folder(_open(a), a.folder)
    print(f"trust list, policy and {pages} status pages written to {a.folder}")
    return EXIT_OK


def _day_start(text: str) -> int:
    try:
        return int(dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), CST).timestamp())
    except ValueError:
        raise UsageError(f"{text!r} is not a date like 2020-03-03") from None


def _cmd_stats(a: argparse.Namespace) -> int:
    ts_from = _day_start(a.day_from) if a.day_from else 0
    ts_to = _day_start(a.day_to) + 86400 if a.day_to else 2**62
    print(json.dumps(_open(a).stats(ts_from, ts_to), ensure_ascii=False, indent=1))
    return EXIT_OK


def _common(p: argparse.ArgumentParser, key: bool = False) -> None:
    p.add_argument("--db", metavar="URL|FILE",
                   help=f"database: a SQLite file or an SQLAlchemy URL (default ${DB_ENV} or ./authority.sqlite3)")
    if key:
        p.add_argument("--key", type=Path, required=True, help="the distribution private key (ES256) that signs")


def _add(sub: Any) -> None:
    s = sub.add_parser("serve", help="serve the distribution API (spec section 5) over HTTP")
    _common(s, key=True)
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--workers", type=_positive_int, metavar="N",
                   help="serve with N worker processes (gunicorn; Linux), behind a reverse proxy that buffers"
                        " requests (nginx: docs/authority-operations.md); one per core is usual. Without it: one"
                        " process (waitress), which also withstands slow clients on its own")
    s.add_argument("--threads", type=_positive_int, default=8, help="threads per process (default 8)")
    s.add_argument("--worker-timeout", type=_positive_int, default=60, metavar="S",
                   help="gunicorn: a worker that answers nothing for S seconds is replaced (default 60)")
    s.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE, help="status entries per page")
    s.add_argument("--trust-list", type=Path, help="signed trust list to publish at start")
    s.add_argument("--policy", type=Path, help="signed policy to publish at start")
    s.add_argument("--admin-token-file", type=Path, help=f"token for GET /v1/stats (or ${ADMIN_ENV})")
    s.add_argument("--connection-limit", type=_positive_int, default=1000, metavar="N",
                   help="most client connections at once (per worker), idle or stalled ones included"
                        " (default 1000)")
    s.add_argument("--channel-timeout", type=_positive_int, default=30, metavar="S",
                   help="close a connection idle or stalled mid-request this long (default 30 s)")
    s.add_argument("--hid-key", type=Path,
                   help="the secret for hashing ID numbers: needed to answer lookups by document (spec 5.1)")
    s.add_argument("--lookup-limit", type=int, default=LOOKUPS_PER_MINUTE, metavar="N",
                   help=f"lookups per checkpoint per minute before 429 (default {LOOKUPS_PER_MINUTE})")
    s.set_defaults(handler=_cmd_serve)

    p = sub.add_parser("publish", help="publish a signed trust list or policy (serial may not go back)")
    _common(p, key=True)
    p.add_argument("--trust-list", type=Path)
    p.add_argument("--policy", type=Path)
    p.set_defaults(handler=_cmd_publish)

    t = sub.add_parser("set-status", help="set a person's status in the log (by hid or ID number)")
    _common(t)
    t.add_argument("--hid", help="the holder pseudonym, 32 hex digits")
    t.add_argument("--id-number", help="ID number, hashed at once into the hid; '-' reads it from stdin")
    t.add_argument("--hid-key", type=Path, help="file with the authority's secret for hashing ID numbers")
    t.add_argument("--doc-type", type=int, default=1, choices=range(1, 6), metavar="N",
                   help="of --id-number: 1 resident ID card (default), 2 passport, 3-5 permits")
    t.add_argument("--name", help="with --id-number: the holder's name, kept masked for lookups (spec 5.1)")
    t.add_argument("--iss", default="140000", help="with --id-number: the province's region code (default 140000)")
    t.add_argument("--color", choices=[c.label for c in Color], required=True,
                   help="green with no --reason removes the person's special status")
    t.add_argument("--reason", type=int, action="append", default=[], help="reason code; may repeat")
    t.add_argument("--effective-at", type=int,
                   help="from when (Unix seconds; default now); a later time is held and published when due")
    t.set_defaults(handler=_cmd_set_status)

    r = sub.add_parser("register-checkpoint", help="register a checkpoint and print its bearer token")
    _common(r)
    r.add_argument("checkpoint_id", help="e.g. TY-XD-0001")
    r.set_defaults(handler=_cmd_register)

    c = sub.add_parser("compact", help="keep the newest entry per person; optionally drop old removals")
    _common(c)
    c.add_argument("--drop-removals-days", type=int, metavar="DAYS",
                   help="also drop removals older than DAYS (checkpoints behind them get a reset)")
    c.set_defaults(handler=_cmd_compact)

    n = sub.add_parser("new-epoch", help="after restoring the database from a backup or rebuilding the log:"
                                         " start a new epoch, so that checkpoints rebuild their caches")
    _common(n)
    n.add_argument("--serial-gap", type=int, default=DEFAULT_SERIAL_GAP, metavar="N",
                   help="the next trust list and policy must have serials at least N above the restored ones, "
                        "so that none repeats a serial published after the backup (default %(default)s)")
    n.set_defaults(handler=_cmd_new_epoch)

    e = sub.add_parser("export", help="write the signed documents to a folder for sites with no network")
    _common(e, key=True)
    e.add_argument("folder", type=Path, metavar="DIR")
    e.set_defaults(handler=_cmd_export)

    st = sub.add_parser("stats", help="scan counts per day, region, colour, action, fever and source (JSON)")
    _common(st)
    st.add_argument("--from", dest="day_from", metavar="DATE", help="first day, YYYY-MM-DD (UTC+8)")
    st.add_argument("--to", dest="day_to", metavar="DATE", help="last day, inclusive")
    st.set_defaults(handler=_cmd_stats)


cli.register(_add)
