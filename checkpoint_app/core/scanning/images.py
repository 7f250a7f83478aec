"""Read the QR codes in an image file (used by `verify --image`)."""

from __future__ import annotations

from pathlib import Path

import cv2
import zxingcpp


def read_image_codes(path: Path) -> list[str]:
    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise OSError(f"not a readable image: {path}")
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)) if r.valid]
