"""COSE_Sign1 (RFC 9052) as spec section 2 restricts it: alg and kid in the protected
header only, an attached payload, tag 18 or the untagged array."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cbor2

from checkpoint_app.core.codes import cbor_skim
from checkpoint_app.core.codes.cbor_skim import SkimError
from checkpoint_app.core.codes.signature import ALG_NAMES, PrivateKey, alg_of, kid_of, sign
from checkpoint_app.core.errors import CodeError, ErrorCode

COSE_SIGN1_TAG = 18
# Not in the spec: alg and kid take 13 bytes. The headers are read before any signature
# check, so each is bounded.
MAX_HEADER = 4096
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
    """Parse a COSE_Sign1. Raises CodeError COSE_INVALID or UNSUPPORTED_ALGORITHM.

    Only the protected header is decoded; the unprotected one (never used) is skipped
    unread and the payload stays bytes until its signature has been checked."""
    try:
        protected, payload, signature = _envelope(data)
    except SkimError as exc:
        raise CodeError(ErrorCode.COSE_INVALID, str(exc)) from None
    alg, kid = _protected_header(protected)
    return Sign1(protected, alg, kid, payload, signature)


def _envelope(data: bytes) -> tuple[bytes, bytes, bytes]:
    """Tag 18 (or none), then [protected bstr, unprotected map, payload bstr, signature bstr].
    Bytes after the structure are ignored, as a CBOR decoder of one item ignores them."""
    major, arg, pos = cbor_skim.head(data, 0)
    if major == 6:
        if arg != COSE_SIGN1_TAG:
            raise SkimError(f"CBOR tag {arg}, expected 18")
        major, arg, pos = cbor_skim.head(data, pos)
    if major != 4 or arg not in (4, None):
        raise SkimError("not a four-element array")
    protected, pos = _bytes(data, pos)
    if cbor_skim.head(data, pos)[0] != 5:
        raise SkimError("unprotected header is not a map")
    try:
        pos = cbor_skim.skip(data, pos, MAX_HEADER)
    except SkimError as exc:
        raise SkimError(f"unprotected header: {exc}") from None
    payload, pos = _bytes(data, pos)
    signature, pos = _bytes(data, pos)
    if arg is None and data[pos:pos + 1] != b"\xff":  # an indefinite array must end after four items
        raise SkimError("not a four-element array")
    return protected, payload, signature


def _bytes(data: bytes, pos: int) -> tuple[bytes, int]:
    if cbor_skim.head(data, pos)[0] != 2:
        raise SkimError("protected, payload and signature must be byte strings")
    return cbor_skim.byte_string(data, pos)


def _protected_header(protected: bytes) -> tuple[int, bytes]:
    if len(protected) > MAX_HEADER:
        raise CodeError(ErrorCode.COSE_INVALID, f"protected header: longer than {MAX_HEADER} bytes")
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
