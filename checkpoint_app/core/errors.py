"""Error codes of spec section 3, in the order the checks run."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_A_HEALTH_CODE = "NOT_A_HEALTH_CODE"
    BASE45_INVALID = "BASE45_INVALID"
    DECOMPRESS_FAILED = "DECOMPRESS_FAILED"
    COSE_INVALID = "COSE_INVALID"
    UNSUPPORTED_ALGORITHM = "UNSUPPORTED_ALGORITHM"
    UNKNOWN_KID = "UNKNOWN_KID"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    CLAIMS_INVALID = "CLAIMS_INVALID"
    ISSUER_MISMATCH = "ISSUER_MISMATCH"
    KEY_NOT_VALID = "KEY_NOT_VALID"
    NOT_YET_VALID = "NOT_YET_VALID"
    EXPIRED = "EXPIRED"
    TOO_OLD = "TOO_OLD"
    # Spec 5.1: a lookup by identity document that the platform answered with `found` false.
    NOT_FOUND = "NOT_FOUND"


class CodeError(Exception):
    """A payload failed one step of spec section 3; `code` says which."""

    def __init__(self, code: ErrorCode, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else str(code))
        self.code = code
        self.detail = detail


class DocumentError(Exception):
    """A signed document (trust list, policy, status page) was refused whole."""


class SignatureError(DocumentError):
    """A well-formed COSE_Sign1 document whose key is not pinned or whose signature fails."""
