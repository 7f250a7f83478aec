"""Build JKM1 payloads layer by layer, including the broken and hostile ones."""

from __future__ import annotations

import zlib
from typing import Any

import cbor2

from checkpoint_app.core.codes.base45 import b45encode
from checkpoint_app.core.codes.claims import HealthCode, encode_claims
from checkpoint_app.core.codes.cose import sig_structure
from checkpoint_app.core.codes.signature import PrivateKey, alg_of, kid_of, sign


def text_of(compressed: bytes) -> str:
    return "JKM1:" + b45encode(compressed)


def wrap_cose(cose: bytes) -> str:
    return text_of(zlib.compress(cose))


def sign1(key: PrivateKey, payload: bytes, *, protected: dict[int, Any] | None = None,
          unprotected: dict[int, Any] | None = None, tagged: bool = True,
          signature: bytes | None = None, signer: PrivateKey | None = None) -> bytes:
    """A COSE_Sign1 over `payload`; by default alg and kid of `key` in the protected header,
    signed by `signer` (default `key`)."""
    header = protected if protected is not None else {1: alg_of(key), 4: kid_of(key.public_key())}
    protected_bstr = cbor2.dumps(header) if header else b""
    if signature is None:
        signature = sign(signer or key, sig_structure(protected_bstr, payload))
    array = [protected_bstr, unprotected or {}, payload, signature]
    return cbor2.dumps(cbor2.CBORTag(18, array) if tagged else array)


def claims_payload(code: HealthCode, **overrides: Any) -> bytes:
    """CWT claims for `code`; overrides like jkm_3=5 change jkm key 3, iss=... a CWT key,
    and a value of ... (Ellipsis) removes the key."""
    claims = encode_claims(code)
    names = {"iss": 1, "iat": 6, "exp": 4}
    for name, value in overrides.items():
        target, key = (claims[-65537], int(name[4:])) if name.startswith("jkm_") else (claims, names[name])
        if value is ...:
            target.pop(key, None)
        else:
            target[key] = value
    return cbor2.dumps(claims)
