"""CWT claims and the `jkm` health-code claim (spec section 2) → HealthCode."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from checkpoint_app.core.errors import CodeError, ErrorCode

ISS, IAT, EXP, JKM = 1, 6, 4, -65537
J_VER, J_HID, J_COLOR, J_REASONS, J_NAME, J_DOC, J_DOC_TYPE = range(1, 8)
_SIX_DIGITS = re.compile(r"[0-9]{6}")


class Color(IntEnum):
    GREEN = 0
    YELLOW = 1
    RED = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class HealthCode:
    """The claims of a code. `name` and `doc` arrive masked by the issuer; they are
    shown to the guard and never stored, logged or sent."""

    iss: str
    iat: int
    exp: int
    hid: bytes
    color: Color
    reasons: tuple[int, ...]
    name: str
    doc: str
    doc_type: int


def _invalid(why: str) -> CodeError:
    return CodeError(ErrorCode.CLAIMS_INVALID, why)


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(f"{what} is not an integer")
    return value


def _uint(value: Any, what: str) -> int:
    if _int(value, what) < 0:
        raise _invalid(f"{what} is negative")
    return int(value)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise _invalid(f"{what} is not a text")
    return value


def _required(claims: dict[Any, Any], key: int, what: str) -> Any:
    if key not in claims:
        raise _invalid(f"{what} is missing")
    return claims[key]


def parse_claims(claims: Any) -> HealthCode:
    """Check the decoded CWT payload; raise CodeError(CLAIMS_INVALID) on any breach."""
    if not isinstance(claims, dict):
        raise _invalid("payload is not a map")
    iss = _text(_required(claims, ISS, "iss"), "iss")
    if not _SIX_DIGITS.fullmatch(iss):
        raise _invalid("iss is not a six-digit region code")
    iat = _int(_required(claims, IAT, "iat"), "iat")
    exp = _int(_required(claims, EXP, "exp"), "exp")
    if exp <= iat:
        raise _invalid("exp is not after iat")
    jkm = _required(claims, JKM, "jkm")
    if not isinstance(jkm, dict):
        raise _invalid("jkm is not a map")
    if _uint(_required(jkm, J_VER, "ver"), "ver") != 1:
        raise _invalid("ver is not 1")
    hid = _required(jkm, J_HID, "hid")
    if not isinstance(hid, bytes) or len(hid) != 16:
        raise _invalid("hid is not a 16-byte string")
    color = _uint(_required(jkm, J_COLOR, "color"), "color")
    if color > Color.RED:
        raise _invalid("color is not 0, 1 or 2")
    reasons = _required(jkm, J_REASONS, "reasons")
    if not isinstance(reasons, list):
        raise _invalid("reasons is not an array")
    return HealthCode(
        iss=iss,
        iat=iat,
        exp=exp,
        hid=hid,
        color=Color(color),
        reasons=tuple(_uint(r, "a reason") for r in reasons),
        name=_text(_required(jkm, J_NAME, "name"), "name"),
        doc=_text(_required(jkm, J_DOC, "doc"), "doc"),
        # Any uint: the spec lists five types but a new one must not make a code invalid.
        doc_type=_uint(_required(jkm, J_DOC_TYPE, "doc_type"), "doc_type"),
    )


def encode_claims(code: HealthCode, extra: dict[int, Any] | None = None) -> dict[int, Any]:
    """The CWT claims map for `code` (the authority's side)."""
    return {
        ISS: code.iss,
        IAT: code.iat,
        EXP: code.exp,
        JKM: {
            J_VER: 1,
            J_HID: code.hid,
            J_COLOR: int(code.color),
            J_REASONS: list(code.reasons),
            J_NAME: code.name,
            J_DOC: code.doc,
            J_DOC_TYPE: code.doc_type,
        }
        | (extra or {}),
    }
