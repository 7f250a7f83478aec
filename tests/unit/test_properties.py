"""Property-based mutation of valid payloads at every layer: the verifier never raises
anything but the spec's errors, and a change to any signed byte is never accepted."""

from __future__ import annotations

import zlib
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkpoint_app.core.codes.base45 import ALPHABET, b45decode
from checkpoint_app.core.errors import ErrorCode
from checkpoint_app.core.verification import Verification, verify_code
from tests.support.core_pki import NOW, Pki
from tests.support.jkm_forge import sign1, text_of, wrap_cose

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def sample(pki: Pki) -> str:
    """One issued code: ES256 signatures are randomised, and hypothesis needs the same input each run."""
    return pki.issue()


def verify(pki: Pki, text: str) -> Verification:
    v = verify_code(text, pki.trust, pki.policy, NOW)
    assert v.error is None or isinstance(v.error, ErrorCode)
    return v


def assert_same_or_refused(pki: Pki, original: str, mutated: str) -> None:
    """Accepted only if what was signed is what the original carried."""
    v = verify(pki, mutated)
    if v.valid:
        assert v.code == verify(pki, original).code


@st.composite
def edits(draw: st.DrawFn, size: int, alphabet: st.SearchStrategy[Any]) -> tuple[int, str, Any]:
    kind = draw(st.sampled_from(["replace", "insert", "delete"]))
    return draw(st.integers(0, size - 1)), kind, draw(alphabet)


def apply(seq: Any, edit: tuple[int, str, Any]) -> Any:
    i, kind, value = edit
    if kind == "replace":
        return seq[:i] + value + seq[i + 1:]
    if kind == "insert":
        return seq[:i] + value + seq[i:]
    return seq[:i] + seq[i + 1:]


@SETTINGS
@given(data=st.data())
def test_text_mutations(pki: Pki, sample: str, data: st.DataObject) -> None:
    text = sample
    edit = data.draw(edits(len(text), st.sampled_from(ALPHABET + "abc:#\u00e9")))
    assert_same_or_refused(pki, text, apply(text, edit))


@SETTINGS
@given(data=st.data())
def test_compressed_byte_mutations(pki: Pki, sample: str, data: st.DataObject) -> None:
    text = sample
    compressed = b45decode(text[5:])
    edit = data.draw(edits(len(compressed), st.binary(min_size=1, max_size=3)))
    assert_same_or_refused(pki, text, text_of(apply(compressed, edit)))


@SETTINGS
@given(data=st.data())
def test_cose_byte_mutations(pki: Pki, sample: str, data: st.DataObject) -> None:
    text = sample
    cose = zlib.decompress(b45decode(text[5:]))
    edit = data.draw(edits(len(cose), st.binary(min_size=1, max_size=3)))
    assert_same_or_refused(pki, text, wrap_cose(apply(cose, edit)))


@SETTINGS
@given(part=st.sampled_from([0, 2, 3]), data=st.data())
def test_any_flipped_signed_bit_is_refused(pki: Pki, sample: str, part: int, data: st.DataObject) -> None:
    """protected header, payload, signature: every bit of each is covered by the signature."""
    tag = cbor2.loads(zlib.decompress(b45decode(sample[5:])))
    items = list(tag.value)
    target = bytearray(items[part])
    i = data.draw(st.integers(0, len(target) - 1))
    target[i] ^= 1 << data.draw(st.integers(0, 7))
    items[part] = bytes(target)
    assert not verify(pki, wrap_cose(cbor2.dumps(cbor2.CBORTag(18, items)))).valid


cbor_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20)
    | st.binary(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.integers(-70000, 10) | st.text(max_size=3),
                                                               inner, max_size=6),
    max_leaves=30,
)


@SETTINGS
@given(claims=cbor_values)
def test_arbitrary_signed_claims_never_crash(pki: Pki, claims: Any) -> None:
    v = verify(pki, wrap_cose(sign1(pki.issuer, cbor2.dumps(claims))))
    assert not v.valid and v.error == ErrorCode.CLAIMS_INVALID


@SETTINGS
@given(jkm_key=st.integers(1, 7), value=cbor_values)
def test_one_wrong_claim_value(pki: Pki, jkm_key: int, value: Any) -> None:
    from tests.support.jkm_forge import claims_payload

    v = verify(pki, wrap_cose(sign1(pki.issuer, claims_payload(pki.code(), **{f"jkm_{jkm_key}": value}))))
    assert v.error in (None, ErrorCode.CLAIMS_INVALID)


@SETTINGS
@given(text=st.text(max_size=400))
def test_arbitrary_text(pki: Pki, text: str) -> None:
    assert not verify(pki, text).valid
    assert not verify(pki, "JKM1:" + text).valid
