"""The self-test's checks of the Qt-free parts: crypto, verification, decoders, store.

Heavy imports stay inside the checks so that `checkpoint-app --help` stays fast."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any


class CheckFailed(Exception):
    """A check found a problem it can name (as opposed to crashing)."""


def _demo_code() -> tuple[str, Any]:
    from checkpoint_app.demo.people import demo_codes

    codes = {c.label: c.text for c in demo_codes(int(time.time()))}
    return codes["green"], codes


def check_verification() -> tuple[str, str]:
    from checkpoint_app.core.checkpoint import Context, Inputs, decide, scan
    from checkpoint_app.core.trust.bundled import bundled_documents

    trust, policy = bundled_documents()
    ctx = Context(trust=trust, policy=policy)
    _, codes = _demo_code()
    now = int(time.time())
    inputs = Inputs(temperature_c=36.5, mask=True)
    green = decide(scan(codes["green"], ctx, now), inputs, ctx)
    forged = decide(scan(codes["forged"], ctx, now), inputs, ctx)
    if not green.allow or forged.allow:
        raise CheckFailed(f"demo codes decided wrongly: green allow={green.allow}, forged allow={forged.allow}")
    return "ok", "ES256 demo code issued and verified offline; a forged one refused"


def check_decoders() -> tuple[str, str]:
    import numpy as np
    import pyzbar.pyzbar as pyzbar
    import zxingcpp
    from PIL import Image

    from checkpoint_app.authority.issuing import qr_png
    from checkpoint_app.core.scanning import phase_kernels
    from checkpoint_app.core.scanning.bent import read_bent

    text, _ = _demo_code()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "code.png"
        qr_png(text, path)
        grey = np.asarray(Image.open(path).convert("L"))
    # our own grid reader runs compiled loops (numba): compiling them here, at installation,
    # spares the first frame at the entrance (and proves they work in this installation)
    phase_kernels.warm()
    found = {
        "zxing-cpp": [r.text for r in zxingcpp.read_barcodes(grey)],
        "pyzbar": [r.data.decode("ascii") for r in pyzbar.decode(grey)],
        "the bent-paper reader": [h.text for h in read_bent(np.ascontiguousarray(grey))],
    }
    wrong = [name for name, texts in found.items() if texts != [text]]
    if wrong:
        raise CheckFailed(f"{', '.join(wrong)} did not read the test code back")
    return "ok", f"zxing-cpp, pyzbar and the bent-paper reader read a {len(text)}-character JKM1 code from a QR image"


def check_crypto() -> tuple[str, str]:
    from cryptography.hazmat.backends.openssl.backend import backend
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    p256 = ec.generate_private_key(ec.SECP256R1())
    p256.public_key().verify(p256.sign(b"m", ec.ECDSA(hashes.SHA256())), b"m", ec.ECDSA(hashes.SHA256()))
    ed = ed25519.Ed25519PrivateKey.generate()
    ed.public_key().verify(ed.sign(b"m"), b"m")
    return "ok", f"ES256 and Ed25519 sign and verify ({backend.openssl_version_text()})"


def check_store() -> tuple[str, str]:
    from checkpoint_app.core.store import Store

    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp)) as store:
        # the real store: schema and migrations, then a write that must read back
        store.set_setting("selftest", {"written": "and read back"})
        back = store.get_setting("selftest")
    if back != {"written": "and read back"}:
        raise CheckFailed(f"the store gave back {back!r}")
    return "ok", f"store on SQLite {sqlite3.sqlite_version} opened, migrated, written, read; data folder {_data_dir()}"


def _data_dir() -> str:
    try:
        from checkpoint_app.core.paths import data_dir
    except ImportError:
        return "(not configured)"
    folder = data_dir()
    if folder.exists() and not os.access(folder, os.W_OK):
        raise CheckFailed(f"data folder {folder} is not writable")
    return str(folder)
