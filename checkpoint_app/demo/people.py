"""Demo people and their codes, issued fresh with the bundled demo keys.

The demo keys in resources/demo/keys sign nothing real: they exist so that
`checkpoint-app --demo` and the tests run the real protocol with no configuration."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import cbor2

from checkpoint_app.authority.issuing import hid_for, issue, mask_doc, mask_name
from checkpoint_app.authority.keys import load_private_key
from checkpoint_app.core.codes.claims import Color, HealthCode, encode_claims
from checkpoint_app.core.codes.cose import encode_parts
from checkpoint_app.core.codes.payload import unwrap, wrap
from checkpoint_app.core.codes.signature import PrivateKey
from checkpoint_app.resources import resource


@dataclass(frozen=True)
class DemoPerson:
    label: str
    name: str
    id_number: str
    color: Color
    reasons: tuple[int, ...]


# Valid GB 11643 numbers (check characters included; spec 5.1's example 140105199001010916
# fails its own check and would be refused before any lookup).
DEMO_PEOPLE = (
    DemoPerson("green", "王小廉", "140105199001010913", Color.GREEN, ()),
    DemoPerson("yellow", "李春梅", "140106198507123327", Color.YELLOW, (201,)),
    DemoPerson("red-hospital", "张建国", "140107197003034410", Color.RED, (101,)),
    DemoPerson("red-turn-back", "赵丽", "14010819951111552X", Color.RED, (103,)),
    DemoPerson("green-whitelist", "陈医生", "140109198202026613", Color.GREEN, (301,)),
)


@dataclass(frozen=True)
class DemoCode:
    label: str
    text: str


def demo_keys_dir() -> Path:
    return resource("demo", "keys")


def hid_secret() -> bytes:
    return (demo_keys_dir() / "hid-secret.bin").read_bytes()


def person_code(person: DemoPerson, iat: int, validity_s: int = 86400) -> HealthCode:
    return HealthCode(
        iss="140000", iat=iat, exp=iat + validity_s, hid=hid_for(hid_secret(), person.id_number),
        color=person.color, reasons=person.reasons, name=mask_name(person.name),
        doc=mask_doc(person.id_number), doc_type=1,
    )


def demo_codes(now: int) -> list[DemoCode]:
    """Codes for every demo person issued a minute ago, plus an expired and a forged one."""
    key = load_private_key(demo_keys_dir() / "issuer-140000.pem")
    codes = [DemoCode(p.label, issue(key, person_code(p, now - 60))) for p in DEMO_PEOPLE]
    expired = person_code(DEMO_PEOPLE[0], now - 3 * 86400)
    codes.append(DemoCode("expired", issue(key, expired)))
    codes.append(DemoCode("forged", forged_green(key, person_code(DEMO_PEOPLE[3], now - 60))))
    return codes


def forged_green(key: PrivateKey, red: HealthCode) -> str:
    """A red code whose claims were edited to green, keeping the issuer's signature:
    the forgery a checkpoint sees most, and refuses with BAD_SIGNATURE."""
    genuine = unwrap(issue(key, red))
    edited = cbor2.dumps(encode_claims(dataclasses.replace(red, color=Color.GREEN, reasons=())))
    return wrap(encode_parts(genuine.protected, edited, genuine.signature))
