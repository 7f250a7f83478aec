"""A QR decoder from sampled modules, for modules known to be unreadable (ISO/IEC 18004).

zxing-cpp decodes an image; given only bits it cannot be told that some of them are
worthless. This one takes the module matrix and a matrix of modules the sampler does not
trust (clipped by a highlight, covered, too close to the threshold): a codeword with such
a module is an erasure for the Reed-Solomon decoder (rs.py), which costs half an error.
Format information (BCH), unmasking, codeword order, block interleaving and the data
segments (qrsegments.py) as the standard lays them out.

Guards against misreads: every block must decode with SLACK check symbols to spare, the
format must be within two bits of a valid one, and the bit stream must end the way an
encoder ends it (a terminator, then zero bits and the 0xEC 0x11 pad bytes)."""

from __future__ import annotations

import functools

import numpy as np
import qrcode.base
import qrcode.constants

from checkpoint_app.core.scanning import rs
from checkpoint_app.core.scanning.qrsegments import QRError, parse
from checkpoint_app.core.scanning.qrspec import reserved

__all__ = ["FORMAT_CODES", "SLACK", "QRError", "data_order", "decode", "read_format"]

SLACK = 2  # check symbols per block a decode must leave unused


def _format_codes() -> list[int]:
    out = []
    for data in range(32):
        rem = data << 10
        for bit in range(14, 9, -1):
            if rem >> bit & 1:
                rem ^= 0x537 << (bit - 10)
        out.append(((data << 10) | rem) ^ 0x5412)
    return out


FORMAT_CODES = _format_codes()


def read_format(dark: np.ndarray) -> tuple[int, int, int]:
    """(error correction bits, mask, Hamming distance to the nearest valid format)."""
    n = dark.shape[0]
    first = [(8, c) for c in range(6)] + [(8, 7), (8, 8), (7, 8)] + [(r, 8) for r in range(5, -1, -1)]
    second = [(r, 8) for r in range(n - 1, n - 8, -1)] + [(8, c) for c in range(n - 8, n)]
    best = (99, 0)
    for spots in (first, second):
        bits = 0
        for r, c in spots:
            bits = bits << 1 | int(dark[r, c])
        for data, code in enumerate(FORMAT_CODES):
            best = min(best, (bin(bits ^ code).count("1"), data))
    distance, data = best
    return data >> 3 & 3, data & 7, distance


_MASKS = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)


@functools.lru_cache(maxsize=8)
def data_order(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the data modules in reading order: column pairs from the right,
    up and down in turn, skipping the vertical timing column."""
    skip = reserved(n)
    order = []
    up = True
    col = n - 1
    while col > 0:
        if col == 6:
            col -= 1
        for k in range(n):
            row = n - 1 - k if up else k
            for c in (col, col - 1):
                if not skip[row, c]:
                    order.append((row, c))
        up = not up
        col -= 2
    return np.array([p[0] for p in order]), np.array([p[1] for p in order])


def decode(dark: np.ndarray, unsure: np.ndarray | None = None, certainty: np.ndarray | None = None) -> str:
    """The text of the code whose modules are `dark` (True = dark, n x n), treating codewords
    that contain an `unsure` module as erasures. With `certainty` (n x n, how far each module
    was from its threshold), a block that does not decode so is tried again with its least
    certain codewords erased as well, more of them each time (generalized minimum distance
    decoding): noise spread over the whole code leaves each block its own few doubtful
    codewords, which no single share of doubtful modules picks for every block at once.
    Raises QRError."""
    n = dark.shape[0]
    if n < 21 or (n - 17) % 4:
        raise QRError("not a QR code size")
    version = (n - 17) // 4
    ec, mask, distance = read_format(dark)
    if distance > 2:
        raise QRError("format information unreadable")
    rows, cols = data_order(n)
    bits = dark[rows, cols] ^ _MASKS[mask](rows, cols)
    doubt = unsure[rows, cols] if unsure is not None else np.zeros(len(rows), bool)
    layout = _layout(version, ec)
    total = sum(len(idx) for idx, _, _ in layout)
    codewords = np.packbits(bits[:total * 8])
    erased = np.asarray(doubt[:total * 8], bool).reshape(total, 8).sum(axis=1) > 0
    sure = None if certainty is None else certainty[rows, cols][:total * 8].reshape(total, 8).min(axis=1)
    data = bytearray()
    for idx, nsym, count in layout:
        bad = np.nonzero(erased[idx])[0].tolist()
        fixed = _block(codewords[idx].tolist(), nsym, bad, None if sure is None else sure[idx])
        data += bytes(fixed[:count])
    return parse(bytes(data), version)


GMD_STEP = 2  # erasures added per try: each costs one check symbol, an error two


def _block(codewords: list[int], nsym: int, bad: list[int], sure: np.ndarray | None) -> list[int]:
    """One block corrected: with `bad` erased, then (given codeword certainties) also with the
    least certain ones erased, GMD_STEP more each time while check symbols remain."""
    tries = [bad]
    if sure is not None:
        order = [int(i) for i in np.argsort(sure, kind="stable") if int(i) not in bad]
        tries += [bad + order[:extra] for extra in range(GMD_STEP, nsym - SLACK - len(bad) + 1, GMD_STEP)]
    for erasures in tries:
        try:
            return rs.decode(codewords, nsym, erasures, slack=SLACK)[0]
        except rs.DecodeError as exc:
            last = exc
    raise QRError(f"block not correctable: {last}") from None


@functools.lru_cache(maxsize=16)
def _layout(version: int, ec: int) -> tuple[tuple[np.ndarray, int, int], ...]:
    """Per block: the positions of its codewords in reading order (data then check symbols,
    interleaved across blocks as the encoder wrote them), its check-symbol count, its data count."""
    blocks = qrcode.base.rs_blocks(version, ec)
    where: list[list[int]] = [[] for _ in blocks]
    k = 0
    for i in range(max(b.data_count for b in blocks)):
        for j, b in enumerate(blocks):
            if i < b.data_count:
                where[j].append(k)
                k += 1
    for i in range(max(b.total_count - b.data_count for b in blocks)):
        for j, b in enumerate(blocks):
            if i < b.total_count - b.data_count:
                where[j].append(k)
                k += 1
    return tuple((np.array(w), b.total_count - b.data_count, b.data_count) for w, b in zip(where, blocks, strict=True))
