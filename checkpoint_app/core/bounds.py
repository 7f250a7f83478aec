"""Spec 4.4: the edge bounds what comes in before it parses.

Sizes are checked while reading (never read the whole thing, then measure), the kind of a
file before it is opened for reading, integers where a parser meets them. One module, so
that every reader names the same bound and says it in the same words."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_INT = 2**53 - 1  # the largest integer a document may carry (exact in every JSON reader)
MAX_DOCUMENT_BYTES = 1 << 20  # a trust list or a policy
MAX_PAGE_BYTES = 4 << 20  # a status page
MAX_ANSWER_BYTES = 1 << 20  # any other answer from the platform (the upload's JSON)
MAX_QR_TEXT = 8192  # characters
MAX_IMAGE_PIXELS = 40_000_000  # checked from the image header, before the pixels are decoded
MAX_FRAME_PIXELS = 16_000_000  # a video frame
# Not in the spec: an image file bigger than this cannot be a sane 40-megapixel image
# (uncompressed 8-bit RGB of 40 MP is 120 MB); refused before it is read.
MAX_IMAGE_FILE_BYTES = 128 << 20
MAX_KEY_FILE_BYTES = 64 << 10  # a PEM public key is under 1 KiB
DEFAULT_DEADLINE_S = 60.0  # a whole request: connect, headers and body


def size_text(n: int) -> str:
    """1048576 -> '1 MiB': the bound as the error line says it."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift} {unit}"
    return f"{n} bytes"


class RefusedFile(OSError):
    """A file refused for its kind or size before it was read (an OSError, so every
    `except OSError` that turns a read failure into one line handles it too)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(code, message)

    def __str__(self) -> str:
        return str(self.strerror)


def os_error_text(exc: OSError) -> str:
    """An OSError as the one line says it: 'No such file or directory', 'a FIFO, not a
    regular file' (no errno number, no repeated path)."""
    return str(exc.strerror or exc)


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def file_kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _refuse_kind(mode: int) -> RefusedFile:
    kind = file_kind(mode)
    text = kind if kind == "not a regular file" else f"{kind}, not a regular file"
    return RefusedFile(errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL, text)


def check_regular(path: Path | str) -> os.stat_result:
    """The file's stat (through symlinks: a link to /dev/zero is a device), or RefusedFile
    when it is not a regular file. Missing files raise FileNotFoundError as usual."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise _refuse_kind(st.st_mode)
    return st


def check_frame(width: float, height: float) -> None:
    """Refuse video frames larger than MAX_FRAME_PIXELS (sizes as OpenCV reports them)."""
    if width * height > MAX_FRAME_PIXELS:
        raise RefusedFile(errno.EFBIG, f"{int(width)}x{int(height)} video frames, more than the "
                                       f"{MAX_FRAME_PIXELS // 1_000_000} megapixel bound")


# O_NONBLOCK: a FIFO swapped in after the stat opens at once instead of waiting for a writer.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def read_bounded(path: Path | str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or OSError (RefusedFile for a
    wrong kind or size). Reads at most limit + 1 bytes whatever the file claims."""
    check_regular(path)
    fd = os.open(path, _OPEN_FLAGS | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # replaced between the stat and the open
            raise _refuse_kind(st.st_mode)
        if st.st_size > limit:
            raise RefusedFile(errno.EFBIG, f"larger than {size_text(limit)} ({st.st_size} bytes)")
        data = f.read(limit + 1)
    if len(data) > limit:  # it grew while we read
        raise RefusedFile(errno.EFBIG, f"larger than {size_text(limit)}")
    return data
