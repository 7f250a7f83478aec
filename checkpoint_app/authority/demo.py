"""Demo people and their codes, issued fresh with the bundled demo keys.

The demo keys in resources/demo/keys sign nothing real: they exist so that
`checkpoint-app --demo` and the tests run the real protocol with no configuration."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from checkpoint_app.authority.issuing import hid_for, issue, mask_doc, mask_name
from checkpoint_app.authority.keys import generate_key, load_private_key
from checkpoint_app.core.codes.claims import Color, HealthCode
from checkpoint_app.resources import resource


@dataclass(frozen=True)
class DemoPerson:
    label: str
    name: str
    id_number: str
    color: Color
    reasons: tuple[int, ...]


DEMO_PEOPLE = (
    DemoPerson("green", "王小廉", "140105199001010916", Color.GREEN, ()),
    DemoPerson("yellow", "李春梅", "140106198507123321", Color.YELLOW, (201,)),
    DemoPerson("red-hospital", "张建国", "140107197003034412", Color.RED, (101,)),
    DemoPerson("red-turn-back", "赵丽", "140108199511115527", Color.RED, (103,)),
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
    # Forged: a stranger's key that claims the real issuer's kid cannot produce its signature.
    forged = issue(generate_key(), dataclasses.replace(person_code(DEMO_PEOPLE[3], now - 60), color=Color.GREEN,
                                                       reasons=()))
    codes.append(DemoCode("forged", _with_kid_of(forged, key)))
    return codes


def _with_kid_of(text: str, real_key: object) -> str:
    """Rewrite the protected header of a forged code to name the real issuer's kid."""
    import zlib

    import cbor2

    from checkpoint_app.core.codes.base45 import b45decode
    from checkpoint_app.core.codes.payload import PREFIX, wrap
    from checkpoint_app.core.codes.signature import kid_of

    tag = cbor2.loads(zlib.decompress(b45decode(text[len(PREFIX):])))
    protected, unprotected, payload, signature = tag.value
    header = cbor2.loads(protected) | {4: kid_of(real_key.public_key())}  # type: ignore[attr-defined]
    return wrap(cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps(header), {}, payload, signature])))
