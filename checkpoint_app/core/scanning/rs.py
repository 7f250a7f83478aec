"""Reed-Solomon decoding over GF(256) as QR codes use it, with erasures.

A library decoder only knows errors: a module it read wrong costs as much as a codeword it
could not read at all. Here the caller can say which codewords it could not read (a
clipped highlight over them, a smudge): each such erasure costs half an error, so a code
with up to twice as much of it under glare still decodes. Errors-and-erasures decoding
by Forney syndromes and Berlekamp-Massey (as in Blahut, "Algebraic Codes for Data
Transmission", ch. 7); generator roots alpha^0 .. alpha^(nsym-1), field polynomial 0x11D
(ISO/IEC 18004 8.5)."""

from __future__ import annotations

import numpy as np

EXP = [0] * 512
LOG = [0] * 256
_x = 1
for _i in range(255):
    EXP[_i] = _x
    LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    EXP[_i] = EXP[_i - 255]
_EXP = np.array(EXP[:255], np.int64)
_LOG = np.array(LOG, np.int64)


class DecodeError(ValueError):
    """More errors and erasures than the block's check symbols can correct."""


def mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else EXP[LOG[a] + LOG[b]]


def div(a: int, b: int) -> int:
    if b == 0:
        raise ZeroDivisionError("GF(256) division by zero")
    return 0 if a == 0 else EXP[(LOG[a] - LOG[b]) % 255]


def poly_mul(p: list[int], q: list[int]) -> list[int]:
    """Product of two polynomials (both highest or both lowest degree first)."""
    if len(p) > len(q):
        p, q = q, p
    qa = np.asarray(q, np.int64)
    nz = qa != 0
    lq = _LOG[qa]
    out = np.zeros(len(p) + len(q) - 1, np.int64)
    for i, a in enumerate(p):  # over the shorter one; each step is one vector operation
        if a:
            out[i:i + len(q)] ^= np.where(nz, _EXP[(LOG[a] + lq) % 255], 0)
    result: list[int] = out.tolist()
    return result


def _from_roots(logs: list[int]) -> list[int]:
    """prod (1 + alpha^l x) over logs, lowest degree first."""
    g = np.zeros(len(logs) + 1, np.int64)
    g[0] = 1
    for k, lg in enumerate(logs, start=1):
        prev = g[:k]
        g[1:k + 1] ^= np.where(prev != 0, _EXP[(_LOG[prev] + lg) % 255], 0)
    result: list[int] = g.tolist()
    return result


def _eval_many(poly_low: np.ndarray, logs_x: np.ndarray) -> np.ndarray:
    """poly (lowest degree first) at every x = alpha^logs_x, at once."""
    k = np.nonzero(poly_low)[0]
    if k.size == 0:
        return np.zeros(logs_x.shape, np.int64)
    terms = _EXP[(_LOG[poly_low[k]][None, :] + logs_x[:, None] * k[None, :]) % 255]
    out: np.ndarray = np.bitwise_xor.reduce(terms, axis=1)
    return out


def syndromes(msg: list[int], nsym: int) -> list[int]:
    """S_j = msg(alpha^j), j < nsym: every term at once through the log tables."""
    c = np.asarray(msg, np.int64)
    nz = c != 0
    if not nz.any():
        return [0] * nsym
    power = (len(msg) - 1 - np.nonzero(nz)[0])  # x^power carries msg[i]
    logs = _LOG[c[nz]]
    terms = _EXP[(logs[None, :] + np.arange(nsym)[:, None] * power[None, :]) % 255]
    out: list[int] = np.bitwise_xor.reduce(terms, axis=1).tolist()
    return out


def decode(msg: list[int], nsym: int, erasures: list[int] | tuple[int, ...] = (),
           slack: int = 0) -> tuple[list[int], int]:
    """The corrected codeword (data and check symbols) and the number of symbols it changed.
    erasures: positions known to be unreliable. slack: check symbols to keep unused, so that
    a decode that uses the code's full power (and may land on a wrong codeword) is refused:
    2 * errors + erasures must be <= nsym - slack."""
    n = len(msg)
    erased = sorted(set(erasures))
    if len(erased) > nsym - slack:
        raise DecodeError("too many erasures")
    synd = syndromes(msg, nsym)  # S_0 .. S_(nsym-1)
    if not any(synd):
        return list(msg), 0
    # erasure locator Gamma(x) = prod (1 + X x), lowest degree first; X = alpha^(n-1-pos)
    gamma = _from_roots([n - 1 - pos for pos in erased])
    # Forney syndromes: T = S * Gamma mod x^nsym; T_f .. T_(nsym-1) depend on the errors only
    forney = poly_mul(synd, gamma)[:nsym]
    lam = _berlekamp_massey(forney[len(erased):])
    errors = len(lam) - 1
    if 2 * errors + len(erased) > nsym - slack:
        raise DecodeError("too many errors")
    positions = _chien(lam[::-1], n)
    if len(positions) != errors:
        raise DecodeError("error locator has the wrong roots")
    out = _correct(list(msg), synd, sorted(set(positions) | set(erased)))
    if any(syndromes(out, nsym)):
        raise DecodeError("correction did not produce a codeword")
    return out, sum(1 for a, b in zip(out, msg, strict=True) if a != b)


def _berlekamp_massey(seq: list[int]) -> list[int]:
    """The shortest LFSR (connection polynomial, lowest degree first, constant 1) that
    generates seq: the error locator whose roots are the errors' inverse field values."""
    c, b = [1], [1]
    length, shift, last = 0, 1, 1
    for k, s_k in enumerate(seq):
        d = s_k
        for i in range(1, min(length, len(c) - 1) + 1):
            d ^= mul(c[i], seq[k - i])
        if d == 0:
            shift += 1
            continue
        coef = div(d, last)
        update = [0] * shift + [mul(coef, x) for x in b]
        size = max(len(c), len(update))
        new = [(c[i] if i < len(c) else 0) ^ (update[i] if i < len(update) else 0) for i in range(size)]
        if 2 * length <= k:
            b, length, last, shift = c, k + 1 - length, d, 1
        else:
            shift += 1
        c = new
    return c[:length + 1]


def _chien(err_loc: list[int], n: int) -> list[int]:
    """Message positions whose field value is a root's inverse (err_loc highest degree first)."""
    logs = (-(n - 1 - np.arange(n))) % 255  # position i holds alpha^(n-1-i); try its inverse
    values = _eval_many(np.asarray(err_loc[::-1], np.int64), logs)
    found: list[int] = np.nonzero(values == 0)[0].tolist()
    return found


def _correct(msg: list[int], synd: list[int], positions: list[int]) -> list[int]:
    """Forney's algorithm: the error magnitudes at known positions, all at once."""
    n = len(msg)
    coef = np.array([n - 1 - p for p in positions], np.int64)  # X_i = alpha^coef_i
    loc = _from_roots(coef.tolist())[::-1]  # highest degree first
    # evaluator: synd(x) * loc(x) mod x^len(synd), both highest degree first here
    omega = np.asarray(poly_mul(synd[::-1], loc)[-len(synd):][::-1], np.int64)  # lowest first
    inv = (-coef) % 255  # log of X_i^-1
    # prod over j != i of (1 + X_j / X_i), in logs: every factor is non-zero for distinct X
    factors = 1 ^ _EXP[(coef[None, :] + inv[:, None]) % 255]
    np.fill_diagonal(factors, 1)
    if (factors == 0).any():
        raise DecodeError("Forney denominator is zero")
    denom_log = _LOG[factors].sum(axis=1) % 255
    # Forney with the generator's first root alpha^0: e = omega(X^-1) / prod(1 - X_j X^-1)
    num = _eval_many(omega, inv)
    mag = np.where(num == 0, 0, _EXP[(_LOG[num] - denom_log) % 255])
    out = np.asarray(msg, np.int64)
    out[np.asarray(positions, np.int64)] ^= mag
    result: list[int] = out.tolist()
    return result
