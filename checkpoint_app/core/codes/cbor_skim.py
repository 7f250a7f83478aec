"""Walk CBOR (RFC 8949) without building it: item heads, byte strings, and the end of an
item of any shape.

Why: before a signature is checked, the bytes are the attacker's. Decoding them whole
builds one Python object per byte (4 MiB of empty arrays is 270 MB of lists); skimming
finds the three byte strings a COSE_Sign1 check needs in the memory of the input."""

from __future__ import annotations

MAX_DEPTH = 400  # as cbor2's decoder: deeper nesting is refused
_BREAK = 0xFF


class SkimError(ValueError):
    pass


def head(data: bytes, pos: int) -> tuple[int, int | None, int]:
    """(major type, argument or None for an indefinite length, position after the head)."""
    if pos >= len(data):
        raise SkimError("truncated")
    initial = data[pos]
    major, info = initial >> 5, initial & 0x1F
    if info < 24:
        return major, info, pos + 1
    if info <= 27:
        size = 1 << (info - 24)
        end = pos + 1 + size
        if end > len(data):
            raise SkimError("truncated")
        return major, int.from_bytes(data[pos + 1:end], "big"), end
    if info == 31 and 2 <= major <= 5:
        return major, None, pos + 1
    raise SkimError(f"reserved or misplaced initial byte 0x{initial:02x}")


def byte_string(data: bytes, pos: int) -> tuple[bytes, int]:
    """The byte string at pos (definite or chunked) and the position after it."""
    major, length, pos = head(data, pos)
    if major != 2:
        raise SkimError("not a byte string")
    if length is not None:
        if pos + length > len(data):
            raise SkimError("truncated")
        return data[pos:pos + length], pos + length
    chunks = []
    while pos < len(data) and data[pos] != _BREAK:
        chunk, pos = byte_string(data, pos)
        chunks.append(chunk)
    if pos >= len(data):
        raise SkimError("truncated")
    return b"".join(chunks), pos + 1


def skip(data: bytes, pos: int, max_len: int) -> int:
    """The position after the item at pos, whatever its shape, in constant memory per level;
    SkimError as soon as the item is found longer than max_len bytes (the walk stops there)."""
    limit = pos + max_len
    left = [1]  # items still to pass per open level; -1: until a break
    while left:
        if pos > limit:
            raise SkimError(f"longer than {max_len} bytes")
        if left[-1] == 0:
            left.pop()
            continue
        if pos < len(data) and data[pos] == _BREAK and left[-1] == -1:
            left.pop()
            pos += 1
            continue
        major, arg, pos = head(data, pos)
        if left[-1] > 0:
            left[-1] -= 1
        if major in (2, 3) and arg is not None:
            pos += arg
            if pos > len(data):
                raise SkimError("truncated")
        elif major in (2, 3, 4, 5, 6):
            left.append(-1 if arg is None else arg * 2 if major == 5 else arg if major == 4 else 1)
            if len(left) > MAX_DEPTH:
                raise SkimError("nested too deeply")
    if pos > limit:
        raise SkimError(f"longer than {max_len} bytes")
    return pos
