"""Key generation and PEM storage for issuer and distribution keys."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from checkpoint_app.core.codes.signature import ALG_IDS, EDDSA, PrivateKey, PublicKey


def generate_key(alg: str = "ES256") -> PrivateKey:
    if ALG_IDS.get(alg) == EDDSA:
        return ed25519.Ed25519PrivateKey.generate()
    if alg != "ES256":
        raise ValueError(f"unsupported algorithm {alg!r}: use ES256 or EdDSA")
    return ec.generate_private_key(ec.SECP256R1())


def private_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_pem(key: PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def save_private_key(key: PrivateKey, path: Path) -> None:
    """Write the private key readable by its owner only, and its public key beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(private_pem(key))
    public_path(path).write_bytes(public_pem(key.public_key()))


def public_path(private_path: Path) -> Path:
    return private_path.with_name(private_path.stem + ".pub.pem")


def load_private_key(path: Path) -> PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
        raise ValueError(f"{path}: not an ES256 or EdDSA private key")
    return key
