"""Issuing health codes: claims → signed, compressed, Base45 QR text (and a PNG)."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

import cbor2
import qrcode
import qrcode.constants

from checkpoint_app.core.codes.claims import HealthCode, encode_claims
from checkpoint_app.core.codes.cose import encode_sign1
from checkpoint_app.core.codes.payload import wrap
from checkpoint_app.core.codes.signature import PrivateKey
from checkpoint_app.core.identity import mask

DEFAULT_VALIDITY_S = 86400


def hid_for(secret: bytes, id_number: str) -> bytes:
    """The holder pseudonym: a keyed hash of the ID number that only the authority can compute."""
    return hmac.new(secret, id_number.strip().upper().encode(), hashlib.sha256).digest()[:16]


def mask_name(name: str) -> str:
    """王小廉 → 王*廉, 李四 → 李*: the first and last characters stay."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_doc(number: str) -> str:
    """140105199001010913 → 1401**********0913: the checkpoint's rule (core.identity.mask), so a
    code, a lookup answer and the screen show a number alike."""
    return mask(number)


def issue(key: PrivateKey, code: HealthCode, *, extra_claims: dict[int, Any] | None = None,
          tagged: bool = True) -> str:
    """The QR text of `code`, signed by the issuer key."""
    payload = cbor2.dumps(encode_claims(code, extra_claims))
    return wrap(encode_sign1(key, payload, tagged=tagged))


def qr_png(text: str, path: Path, *, box_size: int = 6, border: int = 4) -> None:
    """A PNG of the QR code (alphanumeric mode, error correction M as phones show it)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=border)
    qr.add_data(qrcode.util.QRData(text.encode("ascii"), mode=qrcode.util.MODE_ALPHA_NUM))
    qr.make(fit=True)
    qr.make_image(fill_color="black", back_color="white").save(str(path))
