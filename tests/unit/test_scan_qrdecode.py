"""Our QR decoder from modules, with Reed-Solomon erasures (core/scanning/rs.py, qrdecode.py),
against symbols made by the `qrcode` package (an independent encoder)."""

from __future__ import annotations

import random

import numpy as np
import pytest
import qrcode
import qrcode.base
import qrcode.constants as ec
import qrcode.util

from checkpoint_app.core.scanning import qrdecode, rs
from checkpoint_app.core.scanning.modules import read_bits

HEALTH = "JKM1:NCFOXN%TSMAHN-HKTGMCU65QFHQQTOEG4I:I-:KSLJ100TSJ:3RAOD-%29ZLRX71YL423*43BL6PE6A GPRMBO35%V*RRYPDPXTFU2F"


def matrix(text: str, level: int = ec.ERROR_CORRECT_M, mask: int | None = None, alnum: bool = False) -> np.ndarray:
    qr = qrcode.QRCode(error_correction=level, border=0, mask_pattern=mask)
    qr.add_data(qrcode.util.QRData(text.encode("ascii"), mode=qrcode.util.MODE_ALPHA_NUM) if alnum else text)
    qr.make(fit=True)
    return np.array(qr.get_matrix(), bool)


def codeword(data: list[int], nsym: int) -> list[int]:
    """data + its check symbols, computed by the qrcode package's own Reed-Solomon encoder."""
    gen = qrcode.base.Polynomial([1], 0)
    for i in range(nsym):
        gen = gen * qrcode.base.Polynomial([1, qrcode.base.gexp(i)], 0)
    rem = qrcode.base.Polynomial(data, len(gen) - 1) % gen
    check = [rem[i] for i in range(len(rem))]
    return data + [0] * (nsym - len(check)) + check


def test_reed_solomon_corrects_errors_and_twice_as_many_erasures() -> None:
    rnd = random.Random(7)
    for _ in range(150):
        nsym = rnd.choice([10, 16, 22, 26, 28])
        sent = codeword([rnd.randrange(256) for _ in range(rnd.randint(10, 100))], nsym)
        errors = rnd.randint(0, nsym // 2)
        erased = rnd.randint(0, nsym - 2 * errors)
        where = rnd.sample(range(len(sent)), errors + erased)
        got = list(sent)
        for p in where:
            got[p] ^= rnd.randrange(1, 256)
        fixed, changed = rs.decode(got, nsym, where[errors:])
        assert fixed == sent and changed == errors + erased


def test_reed_solomon_refuses_more_than_it_can_correct_and_keeps_its_slack() -> None:
    rnd = random.Random(8)
    sent = codeword([rnd.randrange(256) for _ in range(43)], 26)
    for count in (14, 20):  # beyond 13 errors: refused, never a wrong codeword
        for _ in range(40):
            got = list(sent)
            for p in rnd.sample(range(len(sent)), count):
                got[p] ^= rnd.randrange(1, 256)
            with pytest.raises(rs.DecodeError):
                rs.decode(got, 26)
    got = list(sent)
    for p in range(13):
        got[p] ^= 0x5A
    assert rs.decode(got, 26)[0] == sent  # full power allowed...
    with pytest.raises(rs.DecodeError):
        rs.decode(got, 26, slack=2)  # ...and refused when two check symbols must stay unused


@pytest.mark.parametrize("text", [HEALTH, "https://example.org/visit?site=42", "Hello, 世界! 這不是健康碼。",
                                  "12345678901234567890", "Ünïcödé ✓", "x" * 400])
@pytest.mark.parametrize("level", [ec.ERROR_CORRECT_L, ec.ERROR_CORRECT_M, ec.ERROR_CORRECT_Q, ec.ERROR_CORRECT_H])
def test_clean_symbols_decode(text: str, level: int) -> None:
    for mask in (0, 5):
        assert qrdecode.decode(matrix(text, level, mask, alnum=text.startswith("JKM1"))) == text


def test_a_washed_out_patch_decodes_only_as_erasures() -> None:
    m = matrix(HEALTH, alnum=True)
    burnt, unsure = m.copy(), np.zeros_like(m)
    burnt[18:32, 14:34] = False  # under a highlight every module reads light
    unsure[18:32, 14:34] = True
    assert read_bits(burnt) is None  # zxing-cpp: too many errors for M
    with pytest.raises(qrdecode.QRError):
        qrdecode.decode(burnt)
    assert qrdecode.decode(burnt, unsure) == HEALTH


def test_a_damaged_format_is_read_from_its_better_copy() -> None:
    m = matrix(HEALTH, alnum=True, mask=3)
    m[8, 0:5] ^= True  # first copy: five bits wrong; the second copy is intact
    assert qrdecode.read_format(m)[1:] == (3, 0)
    m[m.shape[0] - 3:, 8] ^= True  # and now the second too: nearest valid format too far
    with pytest.raises(qrdecode.QRError, match="format"):
        qrdecode.decode(m)


def test_noise_never_decodes() -> None:
    rng = np.random.default_rng(0)
    for _ in range(300):
        with pytest.raises(qrdecode.QRError):
            qrdecode.decode(rng.random((57, 57)) < 0.5, rng.random((57, 57)) < 0.2)


def test_a_symbol_that_is_not_square_or_qr_sized_is_refused() -> None:
    with pytest.raises(qrdecode.QRError, match="size"):
        qrdecode.decode(np.zeros((22, 22), bool))
