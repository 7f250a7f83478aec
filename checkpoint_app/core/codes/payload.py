"""The QR text layers: "JKM1:" prefix, Base45, zlib with the 64 KiB cap."""

from __future__ import annotations

import zlib

from checkpoint_app.core.bounds import MAX_QR_TEXT
from checkpoint_app.core.codes.base45 import Base45Error, b45decode, b45encode
from checkpoint_app.core.codes.cose import Sign1, parse_sign1
from checkpoint_app.core.errors import CodeError, ErrorCode

PREFIX = "JKM1:"
MAX_INFLATED = 65536


def is_health_code(text: str) -> bool:
    return text.startswith(PREFIX)


def inflate(data: bytes) -> bytes:
    """zlib-inflate at most MAX_INFLATED bytes of a complete stream, or DECOMPRESS_FAILED."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_INFLATED + 1)
    except zlib.error as exc:
        raise CodeError(ErrorCode.DECOMPRESS_FAILED, str(exc)) from None
    if len(out) > MAX_INFLATED or inflater.unconsumed_tail:
        raise CodeError(ErrorCode.DECOMPRESS_FAILED, f"inflates to more than {MAX_INFLATED} bytes")
    if not inflater.eof:
        raise CodeError(ErrorCode.DECOMPRESS_FAILED, "zlib stream is truncated")
    if inflater.unused_data:
        raise CodeError(ErrorCode.DECOMPRESS_FAILED, "bytes follow the zlib stream")
    return out


def unwrap(text: str) -> Sign1:
    """Steps 1-5 of spec section 3: text → COSE_Sign1 with a supported alg."""
    if not is_health_code(text):
        raise CodeError(ErrorCode.NOT_A_HEALTH_CODE)
    if len(text) > MAX_QR_TEXT:  # spec 4.4; no QR code holds more than 4,296 alphanumerics
        raise CodeError(ErrorCode.BASE45_INVALID, f"text longer than {MAX_QR_TEXT} characters")
    try:
        compressed = b45decode(text[len(PREFIX):])
    except Base45Error as exc:
        raise CodeError(ErrorCode.BASE45_INVALID, str(exc)) from None
    return parse_sign1(inflate(compressed))


def wrap(cose: bytes) -> str:
    """The QR text for a COSE_Sign1 (the authority's side)."""
    return PREFIX + b45encode(zlib.compress(cose, 9))
