from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkpoint_app.core.codes.base45 import Base45Error, b45decode, b45encode


@pytest.mark.parametrize(("raw", "text"), [
    (b"AB", "BB8"),  # RFC 9285 section 4.3 examples
    (b"Hello!!", "%69 VD92EX0"),
    (b"base-45", "UJCLQE7W581"),
    (b"ietf!", "QED8WEX0"),
    (b"", ""),
])
def test_rfc_examples(raw: bytes, text: str) -> None:
    assert b45encode(raw) == text
    assert b45decode(text) == raw


@given(st.binary(max_size=300))
def test_round_trip(data: bytes) -> None:
    assert b45decode(b45encode(data)) == data


@pytest.mark.parametrize(("text", "why"), [
    ("GGW", "exceeds 65535"),  # RFC 9285 section 4.3: 'GGW' decodes to 65536
    ("ZZ", "exceeds 255"),
    ("A", "dangling"),
    ("BB8A", "dangling"),
    ("bb8", "alphabet"),
    ("BB#", "alphabet"),
])
def test_strict_errors(text: str, why: str) -> None:
    with pytest.raises(Base45Error, match=why):
        b45decode(text)
