"""Decompression bombs made in the test: small files that announce huge pictures."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(path: Path, width: int, height: int, *, complete: bool = True) -> Path:
    """A grey PNG of width x height black pixels: a few hundred KB for 20000x20000. With
    `complete` false only the first rows are there (the header still announces them all,
    and a decoder allocates the whole picture before it finds the data short)."""
    packer = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte + one grey byte per pixel
    rows = height if complete else 16
    block = row * max(1, min(rows, (4 << 20) // len(row)))
    parts, done = [], 0
    while done < rows:
        n = min(rows - done, len(block) // len(row))
        parts.append(packer.compress(block[:n * len(row)]))
        done += n
    parts.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts))
                     + _chunk(b"IEND", b""))
    return path


def mjpeg_stream(path: Path, frames: list[tuple[int, int]]) -> Path:
    """A raw MJPEG stream (JPEG after JPEG, FFmpeg's mjpeg format) of grey frames of these sizes."""
    from PIL import Image

    out = bytearray()
    for width, height in frames:
        buf = io.BytesIO()
        Image.new("L", (width, height), 128).save(buf, "JPEG", quality=10)
        out += buf.getvalue()
    path.write_bytes(bytes(out))
    return path
