"""Spec section 3, each step and its error code, with payloads made here."""

from __future__ import annotations

import zlib
from dataclasses import replace

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from checkpoint_app.authority.keys import generate_key
from checkpoint_app.core.codes.signature import kid_of
from checkpoint_app.core.errors import ErrorCode
from checkpoint_app.core.verification import verify_code
from tests.support.core_pki import NOW, Pki
from tests.support.jkm_forge import claims_payload, sign1, text_of, wrap_cose


def check(pki: Pki, text: str, now: int = NOW) -> ErrorCode | None:
    return verify_code(text, pki.trust, pki.policy, now).error


def test_valid_es256_and_eddsa(pki: Pki) -> None:
    assert check(pki, pki.issue()) is None
    v = verify_code(pki.issue(pki.issuer_ed, iss="110000"), pki.trust, pki.policy, NOW)
    assert v.valid and v.code is not None and v.code.iss == "110000"
    assert v.kid == kid_of(pki.issuer_ed.public_key())


def test_untagged_cose_is_accepted(pki: Pki) -> None:
    assert check(pki, wrap_cose(sign1(pki.issuer, claims_payload(pki.code()), tagged=False))) is None


@pytest.mark.parametrize("text", ["", "https://example.org/", "jkm1:ABC", "JKM2:ABC", " JKM1:ABC", "HC1:NCF"])
def test_not_a_health_code(pki: Pki, text: str) -> None:
    assert check(pki, text) == ErrorCode.NOT_A_HEALTH_CODE


@pytest.mark.parametrize("body", ["A", "abc", "GGW", "JKM1:"])
def test_base45_invalid(pki: Pki, body: str) -> None:
    assert check(pki, "JKM1:" + body) == ErrorCode.BASE45_INVALID


def test_decompress_failures(pki: Pki) -> None:
    cose = sign1(pki.issuer, claims_payload(pki.code()))
    assert check(pki, text_of(cose)) == ErrorCode.DECOMPRESS_FAILED  # not compressed
    assert check(pki, text_of(zlib.compress(cose)[:-3])) == ErrorCode.DECOMPRESS_FAILED  # truncated
    assert check(pki, text_of(zlib.compress(cose) + b"x")) == ErrorCode.DECOMPRESS_FAILED  # trailing bytes
    assert check(pki, text_of(zlib.compress(b"\0" * 65537))) == ErrorCode.DECOMPRESS_FAILED  # over the cap


def test_inflating_to_exactly_the_cap_is_allowed_but_not_cose(pki: Pki) -> None:
    assert check(pki, text_of(zlib.compress(b"\0" * 65536))) == ErrorCode.COSE_INVALID


@pytest.mark.parametrize("cose", [
    cbor2.dumps({"a": 1}),
    cbor2.dumps([b"", {}, b""]),
    cbor2.dumps(cbor2.CBORTag(98, [b"", {}, b"", b""])),
    cbor2.dumps(["x", {}, b"", b""]),
    b"\xff\xff",
])
def test_cose_structure_invalid(pki: Pki, cose: bytes) -> None:
    assert check(pki, wrap_cose(cose)) == ErrorCode.COSE_INVALID


def test_header_only_in_unprotected_is_not_used(pki: Pki) -> None:
    kid = kid_of(pki.issuer.public_key())
    payload = claims_payload(pki.code())
    no_kid = sign1(pki.issuer, payload, protected={1: -7}, unprotected={4: kid})
    no_alg = sign1(pki.issuer, payload, protected={4: kid}, unprotected={1: -7})
    empty = sign1(pki.issuer, payload, protected={}, unprotected={1: -7, 4: kid})
    for cose in (no_kid, no_alg, empty):
        assert check(pki, wrap_cose(cose)) == ErrorCode.COSE_INVALID


def test_kid_must_be_eight_bytes(pki: Pki) -> None:
    cose = sign1(pki.issuer, claims_payload(pki.code()), protected={1: -7, 4: b"short"})
    assert check(pki, wrap_cose(cose)) == ErrorCode.COSE_INVALID


@pytest.mark.parametrize("alg", [-35, -257, 1, "ES256"])
def test_unsupported_algorithm(pki: Pki, alg: object) -> None:
    cose = sign1(pki.issuer, claims_payload(pki.code()), protected={1: alg, 4: kid_of(pki.issuer.public_key())})
    assert check(pki, wrap_cose(cose)) == ErrorCode.UNSUPPORTED_ALGORITHM


def test_unknown_kid(pki: Pki) -> None:
    assert check(pki, pki.issue(generate_key())) == ErrorCode.UNKNOWN_KID


def test_header_alg_must_match_trust_list_entry(pki: Pki) -> None:
    """EdDSA header over an ES256 issuer's kid: the trust list says ES256."""
    kid = kid_of(pki.issuer.public_key())
    cose = sign1(pki.issuer_ed, claims_payload(pki.code()), protected={1: -8, 4: kid})
    assert check(pki, wrap_cose(cose)) == ErrorCode.UNSUPPORTED_ALGORITHM


def test_bad_signatures(pki: Pki) -> None:
    payload = claims_payload(pki.code())
    kid = kid_of(pki.issuer.public_key())
    impostor = sign1(pki.issuer, payload, signer=generate_key())
    good = cbor2.loads(sign1(pki.issuer, payload)).value
    truncated = sign1(pki.issuer, payload, signature=good[3][:63])
    der = pki.issuer.sign(cbor2.dumps(["Signature1", good[0], b"", payload]), ec.ECDSA(hashes.SHA256()))
    as_der = sign1(pki.issuer, payload, signature=der)
    swapped_payload = sign1(pki.issuer, claims_payload(pki.code(color=2)), signature=good[3])
    other_kid = sign1(pki.issuer, payload, protected={1: -7, 4: kid_of(pki.revoked.public_key())})
    for cose in (impostor, truncated, as_der, swapped_payload, other_kid):
        assert check(pki, wrap_cose(cose)) == ErrorCode.BAD_SIGNATURE
    assert check(pki, wrap_cose(sign1(pki.issuer, payload, protected={1: -7, 4: kid}))) is None


@pytest.mark.parametrize("override", [
    {"iss": ...}, {"iss": 140000}, {"iss": "14000"}, {"iss": "14000x"}, {"iat": ...}, {"iat": "1"},
    {"iat": True}, {"exp": NOW - 600}, {"jkm_1": 2}, {"jkm_2": b"\0" * 15}, {"jkm_2": "0" * 32},
    {"jkm_3": 3}, {"jkm_3": -1}, {"jkm_4": [-1]}, {"jkm_4": [1.5]}, {"jkm_4": 101}, {"jkm_5": ...},
    {"jkm_6": 42}, {"jkm_7": -1}, {"jkm_7": ...},
])
def test_claims_invalid(pki: Pki, override: dict[str, object]) -> None:
    assert check(pki, wrap_cose(sign1(pki.issuer, claims_payload(pki.code(), **override)))) == ErrorCode.CLAIMS_INVALID


def test_payload_not_a_map_and_not_cbor(pki: Pki) -> None:
    for payload in (cbor2.dumps([1, 2]), b"\xff", b""):
        assert check(pki, wrap_cose(sign1(pki.issuer, payload))) == ErrorCode.CLAIMS_INVALID


def test_unknown_claims_are_ignored(pki: Pki) -> None:
    assert check(pki, wrap_cose(sign1(pki.issuer, claims_payload(pki.code(), jkm_99="x")))) is None


def test_issuer_mismatch_and_key_validity(pki: Pki) -> None:
    assert check(pki, pki.issue(pki.issuer_ed, iss="140000")) == ErrorCode.ISSUER_MISMATCH
    assert check(pki, pki.issue(pki.revoked)) == ErrorCode.KEY_NOT_VALID
    long_ago = NOW - 2 * 365 * 86400
    assert check(pki, pki.issue(iat=long_ago, exp=long_ago + 10), now=long_ago) == ErrorCode.KEY_NOT_VALID


def test_time_limits_with_clock_skew(pki: Pki) -> None:
    skew, age = pki.policy.clock_skew_s, pki.policy.max_code_age_s
    assert check(pki, pki.issue(iat=NOW + skew)) is None
    assert check(pki, pki.issue(iat=NOW + skew + 1, exp=NOW + 86400)) == ErrorCode.NOT_YET_VALID
    assert check(pki, pki.issue(iat=NOW - 1000, exp=NOW - skew)) is None
    assert check(pki, pki.issue(iat=NOW - 1000, exp=NOW - skew - 1)) == ErrorCode.EXPIRED
    assert check(pki, pki.issue(iat=NOW - age, exp=NOW + 10)) is None
    assert check(pki, pki.issue(iat=NOW - age - 1, exp=NOW + 10)) == ErrorCode.TOO_OLD


def test_first_failure_wins(pki: Pki) -> None:
    """An expired code from an unknown key is UNKNOWN_KID: the steps run in the spec's order."""
    stranger = generate_key()
    assert check(pki, pki.issue(stranger, iat=NOW - 10 * 86400, exp=NOW - 9 * 86400)) == ErrorCode.UNKNOWN_KID
    expired_wrong_iss = pki.issue(pki.issuer_ed, iss="140000", iat=NOW - 10 * 86400, exp=NOW - 9 * 86400)
    assert check(pki, expired_wrong_iss) == ErrorCode.ISSUER_MISMATCH


def test_claims_are_kept_for_a_time_failure(pki: Pki) -> None:
    v = verify_code(pki.issue(iat=NOW - 1000, exp=NOW - 400), pki.trust, replace(pki.policy, clock_skew_s=0), NOW)
    assert v.error == ErrorCode.EXPIRED and v.code is not None and v.code.hid.hex().startswith("0011")
