"""checkpoint-authority commands of the dashboard: admin accounts, the periodic report,
revoking a checkpoint, recounting the scan counts.

Passwords never come from the command line (the process list and shell history would
keep them): from a prompt, or from a file or standard input with --password-file."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path
from typing import Any

from checkpoint_app.authority import bulk, cli, rollup
from checkpoint_app.authority.dashboard import auth
from checkpoint_app.authority.server_cli import _common, _open
from checkpoint_app.cli_common import EXIT_OK, UsageError


def _password(a: argparse.Namespace) -> str:
    if a.password_file:
        text = sys.stdin.readline() if str(a.password_file) == "-" else a.password_file.read_text(encoding="utf-8")
        return text.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UsageError("no terminal to ask for the password: give --password-file FILE (or - for stdin)")
    first = getpass.getpass("new password: ")
    if first != getpass.getpass("again: "):
        raise UsageError("the two passwords differ")
    return first


def _cmd_add_admin(a: argparse.Namespace) -> int:
    created = auth.set_account(_open(a).engine, a.username, _password(a), int(time.time()))
    print(f"dashboard account {a.username} {'created' if created else 'given a new password (its sessions ended)'}")
    return EXIT_OK


def _cmd_remove_admin(a: argparse.Namespace) -> int:
    if not auth.remove_account(_open(a).engine, a.username):
        raise UsageError(f"there is no dashboard account {a.username}")
    print(f"dashboard account {a.username} removed")
    return EXIT_OK


def _cmd_list_admins(a: argparse.Namespace) -> int:
    for name in auth.accounts(_open(a).engine):
        print(name)
    return EXIT_OK


def _cmd_report(a: argparse.Namespace) -> int:
    from checkpoint_app.authority.dashboard.queries import Period, today
    from checkpoint_app.authority.dashboard.report import render_report

    authority = _open(a)
    try:
        period = Period.parse(a.day_from, a.day_to, today(authority.clock()))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    a.out.write_bytes(render_report(authority, period, a.lang, {}))
    print(f"report for {period.first} to {period.last} written to {a.out}")
    return EXIT_OK


def _cmd_revoke(a: argparse.Namespace) -> int:
    if not bulk.revoke_checkpoint(_open(a).engine, a.checkpoint_id, int(time.time())):
        raise UsageError(f"checkpoint {a.checkpoint_id} is not registered")
    print(f"the token of checkpoint {a.checkpoint_id} is revoked; its requests are refused from now on")
    return EXIT_OK


def _cmd_recount(a: argparse.Namespace) -> int:
    n = rollup.rebuild(_open(a).engine)
    print(f"scan counts rebuilt from {n} events")
    return EXIT_OK


def _add(sub: Any) -> None:
    p = sub.add_parser("add-admin", help="create a dashboard account, or set its password")
    _common(p)
    p.add_argument("username")
    p.add_argument("--password-file", type=Path, metavar="FILE", help="read the password from FILE ('-': stdin)")
    p.set_defaults(handler=_cmd_add_admin)

    r = sub.add_parser("remove-admin", help="remove a dashboard account and end its sessions")
    _common(r)
    r.add_argument("username")
    r.set_defaults(handler=_cmd_remove_admin)

    ls = sub.add_parser("list-admins", help="list the dashboard accounts")
    _common(ls)
    ls.set_defaults(handler=_cmd_list_admins)

    rep = sub.add_parser("report", help="the periodic report (通报) as a PDF: cities ranked, charts, offline sites")
    _common(rep)
    rep.add_argument("--from", dest="day_from", metavar="DATE", required=True, help="first day, YYYY-MM-DD (UTC+8)")
    rep.add_argument("--to", dest="day_to", metavar="DATE", required=True, help="last day, inclusive")
    rep.add_argument("--out", type=Path, required=True, help="the PDF file to write")
    rep.add_argument("--lang", choices=["zh", "en"], default="zh")
    rep.set_defaults(handler=_cmd_report)

    v = sub.add_parser("revoke-checkpoint", help="revoke a checkpoint's token (its requests get 401)")
    _common(v)
    v.add_argument("checkpoint_id")
    v.set_defaults(handler=_cmd_revoke)

    c = sub.add_parser("recount-scans", help="rebuild the dashboard's scan counts from the stored events")
    _common(c)
    c.set_defaults(handler=_cmd_recount)


cli.register(_add)
