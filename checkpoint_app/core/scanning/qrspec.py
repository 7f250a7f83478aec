"""Where things are in a QR code symbol of a given size (ISO/IEC 18004 6.3, Annex E)."""

from __future__ import annotations

import numpy as np

# ISO/IEC 18004 Annex E: alignment pattern centre rows/columns per version (1 has none)
_ALIGN = ("", "6 18", "6 22", "6 26", "6 30", "6 34", "6 22 38", "6 24 42", "6 26 46", "6 28 50", "6 30 54",
          "6 32 58", "6 34 62", "6 26 46 66", "6 26 48 70", "6 26 50 74", "6 30 54 78", "6 30 56 82", "6 30 58 86",
          "6 34 62 90", "6 28 50 72 94", "6 26 50 74 98", "6 30 54 78 102", "6 28 54 80 106", "6 32 58 84 110",
          "6 30 58 86 114", "6 34 62 90 118", "6 26 50 74 98 122", "6 30 54 78 102 126", "6 26 52 78 104 130",
          "6 30 56 82 108 134", "6 34 60 86 112 138", "6 30 58 86 114 142", "6 34 62 90 118 146",
          "6 30 54 78 102 126 150", "6 24 50 76 102 128 154", "6 28 54 80 106 132 158", "6 32 58 84 110 136 162",
          "6 26 54 82 110 138 166", "6 30 58 86 114 142 170")


def alignment_centres(version: int) -> list[tuple[int, int]]:
    """(column, row) of each alignment pattern's centre module (those under a finder excluded)."""
    pos = [int(p) for p in _ALIGN[version - 1].split()]
    last = pos[-1] if pos else 0
    return [(c, r) for r in pos for c in pos if not ((r == 6 and c in (6, last)) or (c == 6 and r == last))]


def function_patterns(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(where, dark) of the modules every code of size n has: finders with their separators,
    timing patterns, alignment patterns and the dark module (ISO/IEC 18004 6.3)."""
    where = np.zeros((n, n), bool)
    dark = np.zeros((n, n), bool)
    finder = np.ones((7, 7), bool)
    finder[1:6, 1:6] = False
    finder[2:5, 2:5] = True
    for r, c in ((0, 0), (0, n - 7), (n - 7, 0)):
        where[max(0, r - 1):r + 8, max(0, c - 1):c + 8] = True  # with the light separator
        dark[r:r + 7, c:c + 7] = finder
    where[6, 8:n - 8] = where[8:n - 8, 6] = True
    dark[6, 8:n - 8:2] = dark[8:n - 8:2, 6] = True
    align = np.ones((5, 5), bool)
    align[1:4, 1:4] = False
    align[2, 2] = True
    for c, r in alignment_centres((n - 17) // 4):
        where[r - 2:r + 3, c - 2:c + 3] = True
        dark[r - 2:r + 3, c - 2:c + 3] = align
    where[n - 8, 8] = dark[n - 8, 8] = True
    return where, dark


def reserved(n: int) -> np.ndarray:
    """Modules that carry no data: finders, separators, format, timing, alignment, version."""
    version = (n - 17) // 4
    out = np.zeros((n, n), bool)
    out[:9, :9] = out[:9, n - 8:] = out[n - 8:, :9] = True
    out[6, :] = out[:, 6] = True
    for c, r in alignment_centres(version):
        out[r - 2:r + 3, c - 2:c + 3] = True
    if version >= 7:
        out[:6, n - 11:n - 8] = out[n - 11:n - 8, :6] = True
    return out
