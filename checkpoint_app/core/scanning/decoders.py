"""The QR libraries behind one shape: gray image in, (text, corners) out.

zxing-cpp is the workhorse; zbar is the second opinion on regions zxing gave up on (it
binarizes differently and copes better with some blur); OpenCV's detector is here only so
the benchmark can compare it in the same terms."""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import zxingcpp

log = logging.getLogger("checkpoint.scanning")

Corners = tuple[tuple[float, float], ...]
QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


@dataclass(frozen=True)
class Hit:
    """One symbol a library reported; text is None when it was located but not decoded."""

    text: str | None
    corners: Corners


def _zx_corners(pos: Any) -> Corners:
    return tuple((float(p.x), float(p.y)) for p in (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left))


def zxing(gray: np.ndarray, *, binarizer: Any = zxingcpp.Binarizer.LocalAverage, downscale: bool = True,
          invert: bool = True, errors: bool = False) -> list[Hit]:
    """zxing-cpp; with errors=True symbols it found but could not decode come back with text None."""
    found = zxingcpp.read_barcodes(gray, formats=QR_ONLY, try_rotate=True, try_downscale=downscale,
                                   try_invert=invert, binarizer=binarizer, return_errors=errors)
    return [Hit(str(r.text) if r.valid else None, _zx_corners(r.position)) for r in found if full_qr(r)]


def full_qr(r: Any) -> bool:
    # zxing's QRCode format also finds Micro QR and rMQR; phones never show those, and a
    # sharpened moiré pattern can pass for a tiny M1 symbol (a misread we measured).
    return not version_of(r).startswith(("M", "R"))


def version_of(r: Any) -> str:
    """zxing's version string for a result: '10', 'M2' (Micro QR), 'R13x77' (rMQR) or ''."""
    return str((r.extra or {}).get("Version", ""))


# zbar: CFG_BINARY hands back the symbol's bytes instead of zbar's guess at a charset (which
# garbles UTF-8); CFG_TEST_INVERTED also tries light-on-dark codes. Values from zbar.h.
_CFG_ENABLE, _CFG_BINARY, _CFG_TEST_INVERTED, _QRCODE = 0, 4, 0x81, 64
_Y800 = int.from_bytes(b"Y800", "little")

try:
    from pyzbar import wrapper as _zw

    HAVE_ZBAR = True
except ImportError:  # libzbar0 missing: zxing alone still works
    HAVE_ZBAR = False


@contextmanager
def _zbar_scanner(invert: bool) -> Iterator[Any]:
    scanner = _zw.zbar_image_scanner_create()
    try:
        _zw.zbar_image_scanner_set_config(scanner, 0, _CFG_ENABLE, 0)
        _zw.zbar_image_scanner_set_config(scanner, _QRCODE, _CFG_ENABLE, 1)
        _zw.zbar_image_scanner_set_config(scanner, _QRCODE, _CFG_BINARY, 1)
        if invert:
            _zw.zbar_image_scanner_set_config(scanner, 0, _CFG_TEST_INVERTED, 1)
        yield scanner
    finally:
        _zw.zbar_image_scanner_destroy(scanner)


def zbar(gray: np.ndarray, *, invert: bool = True) -> list[Hit]:
    """zbar on a gray image; returns [] when libzbar is not installed."""
    if not HAVE_ZBAR:
        return []
    data = np.ascontiguousarray(gray, dtype=np.uint8)
    h, w = data.shape[:2]
    hits: list[Hit] = []
    with _zbar_scanner(invert) as scanner:
        image = _zw.zbar_image_create()
        try:
            _zw.zbar_image_set_format(image, _Y800)
            _zw.zbar_image_set_size(image, w, h)
            _zw.zbar_image_set_data(image, data.ctypes.data_as(ctypes.POINTER(ctypes.c_ubyte)), data.size, None)
            if _zw.zbar_scan_image(scanner, image) > 0:
                hits = list(_zbar_symbols(_zw.zbar_image_first_symbol(image)))
        finally:
            _zw.zbar_image_destroy(image)
    return hits


def _zbar_symbols(symbol: Any) -> Iterator[Hit]:
    while symbol:
        raw = ctypes.string_at(_zw.zbar_symbol_get_data(symbol), _zw.zbar_symbol_get_data_length(symbol))
        n = _zw.zbar_symbol_get_loc_size(symbol)
        pts = tuple((float(_zw.zbar_symbol_get_loc_x(symbol, i)), float(_zw.zbar_symbol_get_loc_y(symbol, i)))
                    for i in range(n))
        text = _utf8(raw)
        if text is not None:
            yield Hit(text, pts)
        symbol = _zw.zbar_symbol_next(symbol)


def _utf8(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Not UTF-8: QR's default charset is ISO-8859-1; anything decodes, so it stays reported.
        return raw.decode("latin-1")


_aruco: Any = None


def opencv(gray: np.ndarray) -> list[Hit]:
    """OpenCV's QRCodeDetectorAruco (multi); for the benchmark's side-by-side only."""
    global _aruco
    if _aruco is None:
        _aruco = cv2.QRCodeDetectorAruco()
    try:
        ok, texts, points, _ = _aruco.detectAndDecodeMulti(gray)
    except cv2.error:
        return []
    if not ok:
        return []
    return [Hit(str(t), tuple((float(x), float(y)) for x, y in p)) for t, p in zip(texts, points, strict=False) if t]
