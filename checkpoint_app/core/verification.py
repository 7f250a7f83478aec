"""Spec section 3: verify a payload against the trust list and the policy's clock rules."""

from __future__ import annotations

from dataclasses import dataclass

from checkpoint_app.core.codes.claims import HealthCode, parse_claims
from checkpoint_app.core.codes.cose import safe_loads
from checkpoint_app.core.codes.payload import unwrap
from checkpoint_app.core.codes.signature import ALG_NAMES, verify
from checkpoint_app.core.errors import CodeError, ErrorCode
from checkpoint_app.core.trust.policy import Policy
from checkpoint_app.core.trust.trust_list import Issuer, TrustList


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of section 3. `code` holds the claims whenever they were read and
    signed by a trusted key, even if a later time check failed."""

    error: ErrorCode | None
    kid: bytes | None = None
    code: HealthCode | None = None

    @property
    def valid(self) -> bool:
        return self.error is None


def verify_code(text: str, trust: TrustList, policy: Policy, now: int) -> Verification:
    try:
        sign1 = unwrap(text)
    except CodeError as exc:
        return Verification(exc.code)
    issuer = trust.issuers.get(sign1.kid)
    if issuer is None:
        return Verification(ErrorCode.UNKNOWN_KID, sign1.kid)
    if issuer.alg != ALG_NAMES[sign1.alg]:
        return Verification(ErrorCode.UNSUPPORTED_ALGORITHM, sign1.kid)
    if not verify(sign1.alg, issuer.public_key, sign1.to_be_signed(), sign1.signature):
        return Verification(ErrorCode.BAD_SIGNATURE, sign1.kid)
    try:
        code = parse_claims(safe_loads(sign1.payload))
    except ValueError:
        return Verification(ErrorCode.CLAIMS_INVALID, sign1.kid)
    except CodeError as exc:
        return Verification(exc.code, sign1.kid)
    return Verification(_validity_error(code, issuer, policy, now), sign1.kid, code)


def _validity_error(code: HealthCode, issuer: Issuer, policy: Policy, now: int) -> ErrorCode | None:
    if code.iss != issuer.iss:
        return ErrorCode.ISSUER_MISMATCH
    if not issuer.active or not issuer.not_before <= code.iat <= issuer.not_after:
        return ErrorCode.KEY_NOT_VALID
    if code.iat > now + policy.clock_skew_s:
        return ErrorCode.NOT_YET_VALID
    if now > code.exp + policy.clock_skew_s:
        return ErrorCode.EXPIRED
    if now - code.iat > policy.max_code_age_s:
        return ErrorCode.TOO_OLD
    return None
