"""checkpoint-authority: the reference platform's operator commands."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from checkpoint_app.authority.documents import IssuerKey, sign_json, trust_list_json
from checkpoint_app.authority.issuing import DEFAULT_VALIDITY_S, hid_for, issue, mask_doc, mask_name, qr_png
from checkpoint_app.authority.keys import generate_key, load_private_key, public_path, save_private_key
from checkpoint_app.cli_common import EXIT_OK, OneLineParser, UsageError, fail
from checkpoint_app.core.codes.claims import Color, HealthCode
from checkpoint_app.core.codes.signature import kid_of, load_public_pem
from checkpoint_app.core.errors import DocumentError
from checkpoint_app.core.trust.policy import parse_policy
from checkpoint_app.core.trust.trust_list import parse_trust_list
from checkpoint_app.interrupt import Leaving, run_stoppable

YEAR_S = 366 * 86400
Handler = Callable[[argparse.Namespace], int]
_EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction[OneLineParser]], None]] = []


def register(add: Callable[[argparse._SubParsersAction[OneLineParser]], None]) -> None:
    """Let other authority modules (the server, the status log) add their commands."""
    _EXTRA_COMMANDS.append(add)


def _cmd_keygen(a: argparse.Namespace) -> int:
    if a.out.exists() and not a.force:
        raise UsageError(f"{a.out} exists; give --force to replace it")
    key = generate_key(a.alg)
    save_private_key(key, a.out)
    print(f"{a.alg} key {kid_of(key.public_key()).hex()} written to {a.out} (public: {public_path(a.out)})")
    return EXIT_OK


def id_number(a: argparse.Namespace) -> str | None:
    """--id-number as given, or read from standard input for '-', which keeps the number out
    of the process list and the shell history (issue, set-status)."""
    if a.id_number != "-":
        return str(a.id_number) if a.id_number else None
    number = sys.stdin.readline().strip()
    if not number:
        raise UsageError("--id-number -: no ID number on standard input")
    return number


def holder_hid(a: argparse.Namespace, number: str | None) -> bytes:
    """The hid from --hid, or from the ID number with the --hid-key secret."""
    if a.hid:
        try:
            hid = bytes.fromhex(a.hid)
        except ValueError:
            hid = b""
        if len(hid) != 16:
            raise UsageError("--hid must be 32 hex digits (16 bytes)")
        return hid
    if not (number and a.hid_key):
        raise UsageError("give --hid, or --id-number with --hid-key")
    return hid_for(a.hid_key.read_bytes(), number)


def _cmd_issue(a: argparse.Namespace) -> int:
    iat = a.iat if a.iat is not None else int(time.time())
    number = id_number(a)
    code = HealthCode(
        iss=a.iss, iat=iat, exp=iat + a.validity, hid=holder_hid(a, number), color=Color[a.color.upper()],
        reasons=tuple(a.reason), name=mask_name(a.name), doc=mask_doc(number or a.doc or ""),
        doc_type=a.doc_type,
    )
    text = issue(load_private_key(a.key), code)
    if a.db is not None:
        _register(a, code.hid, number or a.doc)
    if a.png:
        qr_png(text, a.png)
    print(text)
    return EXIT_OK


def _register(a: argparse.Namespace, hid: bytes, number: str | None) -> None:
    """`issue --db`: lookups by the holder's document find this code's hid (spec 5.1)."""
    from checkpoint_app.authority.server_cli import checked_document, register_holder

    if not (number and a.hid_key):
        raise UsageError("--db registers the holder for lookups: give --id-number (or --doc) and --hid-key")
    register_holder(a.db, a.hid_key, checked_document(a.doc_type, number), hid, a.name, a.iss)


def _issuer_entries(a: argparse.Namespace) -> list[IssuerKey]:
    entries = []
    for spec, status in [(s, "active") for s in a.issuer] + [(s, "revoked") for s in a.revoked]:
        parts = spec.split(",")
        if len(parts) != 3:
            raise UsageError(f"issuer {spec!r}: write ISS,NAME,PUBLIC_KEY.pem")
        iss, name, pem = parts
        entries.append(IssuerKey(iss, name, load_public_pem(Path(pem).read_bytes()),
                                 a.not_before, a.not_before + a.valid_for, status))
    return entries


def _cmd_sign_trust_list(a: argparse.Namespace) -> int:
    doc = trust_list_json(a.serial, a.issued_at or int(time.time()), _issuer_entries(a))
    signed = sign_json(load_private_key(a.key), doc)
    parse_trust_list(json.dumps(doc).encode())  # refuse to sign what a checkpoint would refuse
    a.out.write_bytes(signed)
    print(f"trust list serial {a.serial} with {len(doc['issuers'])} issuers written to {a.out}")
    return EXIT_OK


def _cmd_sign_policy(a: argparse.Namespace) -> int:
    doc = json.loads(a.input.read_text(encoding="utf-8"))
    if a.serial is not None:
        doc["serial"] = a.serial
    parse_policy(json.dumps(doc).encode())  # refuse to sign what a checkpoint would refuse
    a.out.write_bytes(sign_json(load_private_key(a.key), doc))
    print(f"policy serial {doc['serial']} ({doc.get('version')}) written to {a.out}")
    return EXIT_OK


def build_parser() -> OneLineParser:
    p = OneLineParser(prog="checkpoint-authority", description=(
        "The reference health-code platform: make keys, issue codes, sign the trust list and the "
        "policy that checkpoints verify, and serve them over HTTP."))
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=OneLineParser)

    k = sub.add_parser("keygen", help="make an issuer or distribution key pair (PEM)")
    k.add_argument("--alg", choices=["ES256", "EdDSA"], default="ES256",
                   help="ES256 (P-256, default; distribution keys must be ES256) or EdDSA (Ed25519)")
    k.add_argument("--out", type=Path, required=True, help="private key file; the public key goes beside it")
    k.add_argument("--force", action="store_true", help="replace an existing key file")
    k.set_defaults(handler=_cmd_keygen)

    i = sub.add_parser("issue", help="issue a health code: prints the QR text, optionally writes a PNG")
    i.add_argument("--key", type=Path, required=True, help="the issuer's private key (PEM)")
    i.add_argument("--iss", default="140000", help="six-digit region code of the province (default 140000)")
    i.add_argument("--color", choices=[c.label for c in Color], required=True)
    i.add_argument("--reason", type=int, action="append", default=[], help="reason code; may repeat")
    i.add_argument("--name", required=True, help="holder's full name; only its masked form goes in the code")
    i.add_argument("--id-number", help="holder's ID number; masked in the code, hashed into the hid; "
                                       "'-' reads it from standard input")
    i.add_argument("--doc", help="document number when no --id-number is given (masked in the code)")
    i.add_argument("--doc-type", type=int, default=1, help="1 ID card (default), 2 passport, 3-5 permits")
    i.add_argument("--hid", help="the holder pseudonym as 32 hex digits, instead of --id-number/--hid-key")
    i.add_argument("--hid-key", type=Path, help="file with the authority's secret for hashing ID numbers")
    i.add_argument("--iat", type=int, help="issue time (Unix seconds; default now)")
    i.add_argument("--validity", type=int, default=DEFAULT_VALIDITY_S, help="seconds until exp (default 86400)")
    i.add_argument("--png", type=Path, help="also write the QR code as a PNG")
    i.add_argument("--db", metavar="URL|FILE",
                   help="also register the holder in the platform's database, so that lookups by "
                        "document find them (spec 5.1; keeps a keyed hash of the number only)")
    i.set_defaults(handler=_cmd_issue)

    t = sub.add_parser("sign-trust-list", help="sign the trust list of issuer keys")
    t.add_argument("--key", type=Path, required=True, help="the distribution private key (ES256)")
    t.add_argument("--serial", type=int, required=True, help="must grow with each new trust list")
    t.add_argument("--issuer", action="append", default=[], metavar="ISS,NAME,PUB.pem",
                   help="an active issuer key; may repeat")
    t.add_argument("--revoked", action="append", default=[], metavar="ISS,NAME,PUB.pem",
                   help="a revoked issuer key; may repeat")
    t.add_argument("--not-before", type=int, default=int(time.time()) - 86400, help="key validity start")
    t.add_argument("--valid-for", type=int, default=YEAR_S, help="key validity in seconds (default a year)")
    t.add_argument("--issued-at", type=int, help="document time (default now)")
    t.add_argument("--out", type=Path, required=True)
    t.set_defaults(handler=_cmd_sign_trust_list)

    s = sub.add_parser("sign-policy", help="check and sign a policy JSON (spec 4.2)")
    s.add_argument("--key", type=Path, required=True, help="the distribution private key (ES256)")
    s.add_argument("--in", dest="input", type=Path, required=True, help="policy JSON file")
    s.add_argument("--serial", type=int, help="override the serial in the file")
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(handler=_cmd_sign_policy)

    for add in _EXTRA_COMMANDS:
        add(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Ctrl-C at any moment, the server's start included, is one line and exit status 130."""
    return run_stoppable("checkpoint-authority", lambda leaving: _main(argv, leaving))


def _main(argv: Sequence[str] | None, leaving: Leaving) -> int:
    _load_extra_commands()
    parser = build_parser()
    args = parser.parse_args(argv)
    leaving.prog = f"checkpoint-authority {args.command}"
    try:
        result: int = args.handler(args)
        return result
    except (UsageError, DocumentError, ValueError, OSError, KeyError) as exc:
        return fail(f"checkpoint-authority {args.command}", str(exc))


def _load_extra_commands() -> None:
    """Import the modules that register more commands (server, status log)."""
    import importlib

    for name in ("checkpoint_app.authority.server_cli", "checkpoint_app.authority.bulk_cli",
                 "checkpoint_app.authority.dashboard.cli"):
        importlib.import_module(name)
