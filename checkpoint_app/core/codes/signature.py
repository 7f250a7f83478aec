"""COSE algorithms ES256 (raw r||s) and EdDSA (Ed25519), and kids, on `cryptography`."""

from __future__ import annotations

import hashlib
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

ES256: Final = -7
EDDSA: Final = -8
ALG_NAMES: Final[dict[int, str]] = {ES256: "ES256", EDDSA: "EdDSA"}
ALG_IDS: Final[dict[str, int]] = {name: alg for alg, name in ALG_NAMES.items()}

PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey
PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())


def spki_der(key: PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def kid_of(key: PublicKey) -> bytes:
    """Spec section 2: the first 8 bytes of SHA-256 over the SubjectPublicKeyInfo DER."""
    return hashlib.sha256(spki_der(key)).digest()[:8]


def alg_of(key: PublicKey | PrivateKey) -> int:
    if isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        return EDDSA
    if isinstance(key.curve, ec.SECP256R1):
        return ES256
    raise ValueError(f"unsupported key: curve {key.curve.name}, only P-256 and Ed25519")


def key_fits(alg: int, key: PublicKey) -> bool:
    if alg == ES256:
        return isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)
    return alg == EDDSA and isinstance(key, ed25519.Ed25519PublicKey)


def verify(alg: int, key: PublicKey, message: bytes, signature: bytes) -> bool:
    """True when `signature` is a valid `alg` signature of `message` by `key`."""
    if len(signature) != 64 or not key_fits(alg, key):
        return False
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, message)
        else:
            r = int.from_bytes(signature[:32], "big")
            s = int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), message, _ECDSA_SHA256)
    except InvalidSignature:
        return False
    return True


def sign(key: PrivateKey, message: bytes) -> bytes:
    """The COSE signature of `message`: raw Ed25519, or ES256 as 64-byte r || s."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(message)
    r, s = decode_dss_signature(key.sign(message, _ECDSA_SHA256))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def load_public_der(der: bytes) -> PublicKey:
    key = serialization.load_der_public_key(der)
    if not isinstance(key, ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
        raise ValueError(f"unsupported public key type {type(key).__name__}")
    return key


def load_public_pem(pem: bytes) -> PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
        raise ValueError(f"unsupported public key type {type(key).__name__}")
    return key
