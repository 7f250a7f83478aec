"""One reader of pinned-key files for the window's settings and the commands: a file that
cannot be used is an error that names it, never skipped (core/trust/key_files.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from checkpoint_app.core.codes.signature import kid_of, load_public_pem
from checkpoint_app.core.trust.key_files import KeyFileError, key_paths, read_key_files, read_key_texts
from tests.support.signed_docs import DIST_PUB


def _rsa_pem(path: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    path.write_bytes(key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


def test_good_files_give_their_keys_and_texts() -> None:
    assert read_key_texts([DIST_PUB]) == [DIST_PUB.read_text("ascii")]
    (key,) = read_key_files([DIST_PUB])
    assert kid_of(key) == kid_of(load_public_pem(DIST_PUB.read_bytes()))


@pytest.mark.parametrize(("make", "reason"), [
    (lambda p: p, "No such file or directory"),
    (lambda p: (p.write_bytes(b"not a key"), p)[1], "Unable to load PEM file"),
    (lambda p: (p.write_bytes("公钥".encode()), p)[1], "'ascii' codec can't decode"),
    (lambda p: (p.mkdir(), p)[1], "a directory, not a regular file"),
    (lambda p: (p.write_bytes(b"-" * 70000), p)[1], "larger than 64 KiB"),
    (_rsa_pem, "unsupported public key type"),
])
def test_a_bad_file_among_good_ones_is_an_error_naming_it(tmp_path: Path, make: object, reason: str) -> None:
    bad = make(tmp_path / "second.pem")  # type: ignore[operator]
    with pytest.raises(KeyFileError, match=r"^root key .*second\.pem is not a readable PEM public key: ") as caught:
        read_key_files([DIST_PUB, bad])  # the window's read used to drop it and go on with one key
    assert reason in str(caught.value)
    assert not isinstance(caught.value, ValueError)  # a bug's ValueError is not a bad file


def test_the_settings_list_of_files() -> None:
    assert key_paths("") == [] and key_paths(" ; ") == []
    assert key_paths("/media/usb/a.pem; b.pem;") == [Path("/media/usb/a.pem"), Path("b.pem")]
