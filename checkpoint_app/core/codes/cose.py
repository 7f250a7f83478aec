"""COSE_Sign1 (RFC 9052) as spec section 2 restricts it: alg and kid in the protected
header only, an attached payload, tag 18 or the untagged array."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2

from checkpoint_app.core.codes.signature import ALG_NAMES, PrivateKey, alg_of, kid_of, sign
from checkpoint_app.core.errors import CodeError, ErrorCode

COSE_SIGN1_TAG = 18
_ALG, _KID = 1, 4


@dataclass(frozen=True, slots=True)
class Sign1:
    protected: bytes
    alg: int
    kid: bytes
    payload: bytes
    signature: bytes

    def to_be_signed(self) -> bytes:
        return sig_structure(self.protected, self.payload)


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def safe_loads(data: bytes) -> Any:
    """cbor2.loads; cbor2 (>= 5.6) itself refuses nesting deeper than 400 levels, so a
    hostile document cannot exhaust the stack. Every failure is a ValueError."""
    try:
        return cbor2.loads(data)
    except Exception as exc:  # cbor2 raises several types on hostile input
        raise ValueError(f"not CBOR: {exc}") from None


def parse_sign1(data: bytes) -> Sign1:
    """Parse a COSE_Sign1. Raises CodeError COSE_INVALID or UNSUPPORTED_ALGORITHM."""
    try:
        obj = safe_loads(data)
    except ValueError as exc:
        raise CodeError(ErrorCode.COSE_INVALID, str(exc)) from None
    if isinstance(obj, cbor2.CBORTag):
        if obj.tag != COSE_SIGN1_TAG:
            raise CodeError(ErrorCode.COSE_INVALID, f"CBOR tag {obj.tag}, expected 18")
        obj = obj.value
    # cbor2 decodes a tag's content as immutable values: a tuple, a frozendict.
    if not isinstance(obj, (list, tuple)) or len(obj) != 4:
        raise CodeError(ErrorCode.COSE_INVALID, "not a four-element array")
    protected, unprotected, payload, signature = obj
    if not (isinstance(protected, bytes) and isinstance(payload, bytes) and isinstance(signature, bytes)):
        raise CodeError(ErrorCode.COSE_INVALID, "protected, payload and signature must be byte strings")
    if not isinstance(unprotected, (dict, Mapping)):  # dict first: the common case, no ABC check
        raise CodeError(ErrorCode.COSE_INVALID, "unprotected header is not a map")
    alg, kid = _protected_header(protected)
    return Sign1(protected, alg, kid, payload, signature)


def _protected_header(protected: bytes) -> tuple[int, bytes]:
    try:
        header = safe_loads(protected) if protected else {}
    except ValueError:
        raise CodeError(ErrorCode.COSE_INVALID, "protected header is not CBOR") from None
    if not isinstance(header, dict):
        raise CodeError(ErrorCode.COSE_INVALID, "protected header is not a map")
    alg, kid = header.get(_ALG), header.get(_KID)
    if alg is None or kid is None:
        raise CodeError(ErrorCode.COSE_INVALID, "alg and kid must be in the protected header")
    if not isinstance(kid, bytes) or len(kid) != 8:
        raise CodeError(ErrorCode.COSE_INVALID, "kid is not an 8-byte string")
    if isinstance(alg, bool) or not isinstance(alg, int | str):
        raise CodeError(ErrorCode.COSE_INVALID, "alg is neither an integer nor a text")
    if alg not in ALG_NAMES:
        raise CodeError(ErrorCode.UNSUPPORTED_ALGORITHM, f"alg {alg!r}")
    return alg, kid


def encode_sign1(key: PrivateKey, payload: bytes, *, tagged: bool = True) -> bytes:
    """Sign `payload` into a COSE_Sign1 with alg and kid in the protected header."""
    protected = cbor2.dumps({_ALG: alg_of(key), _KID: kid_of(key.public_key())})
    return encode_parts(protected, payload, sign(key, sig_structure(protected, payload)), tagged=tagged)


def encode_parts(protected: bytes, payload: bytes, signature: bytes, *, tagged: bool = True) -> bytes:
    """A COSE_Sign1 from its parts as given, whether or not the signature fits them."""
    array = [protected, {}, payload, signature]
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, array) if tagged else array)
