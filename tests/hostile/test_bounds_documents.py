"""Spec 4.4 inside the documents: nothing the other side sends is decoded whole before its
signature is checked (a hostile CBOR body costs the memory of its bytes, not 70 times
that), every integer of a payload lies in 0..2^53-1, a QR text has at most 8,192
characters. Hostile payloads here are signed with the genuine distribution key, so that
they pass the signature and reach the parsers."""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cbor2
import pytest

from checkpoint_app.cli import main
from checkpoint_app.core.codes.cose import parse_sign1
from checkpoint_app.core.codes.payload import unwrap
from checkpoint_app.core.codes.signature import load_public_pem
from checkpoint_app.core.errors import CodeError, ErrorCode
from checkpoint_app.core.store import Store
from checkpoint_app.core.trust.documents import open_document
from tests.support.hostile_http import HostileServer, answer
from tests.support.measure import cli, run_measured
from tests.support.signed_docs import DIST_PUB, Documents, genuine_documents, sign

MiB = 1 << 20
BIG = 2**53


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Documents:
    return genuine_documents(tmp_path_factory.mktemp("genuine"), int(time.time()))


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as srv:
        yield srv


def _empty_arrays(size: int, *, cose_shaped: bool) -> bytes:
    """`size` bytes of CBOR that decode into size-ish empty arrays: as a bare array, or as the
    unprotected header of a COSE_Sign1 (tag 18, empty protected header)."""
    count = size - 16
    arrays = b"\x9a" + count.to_bytes(4, "big") + b"\x80" * count
    return b"\xd2\x84\x40\xa1\x00" + arrays + b"\x40\x40" if cose_shaped else arrays


# -- hostile CBOR: memory bounded by the input ------------------------------------------

@pytest.mark.parametrize("cose_shaped", [True, False], ids=["unprotected-header", "bare-array"])
def test_a_cose_body_of_empty_arrays_is_refused_in_the_memory_of_its_bytes(cose_shaped: bool) -> None:
    body = _empty_arrays(4 * MiB - 64, cose_shaped=cose_shaped)
    tracemalloc.start()
    try:
        with pytest.raises(CodeError) as info:
            parse_sign1(body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.code == ErrorCode.COSE_INVALID
    assert info.value.detail == ("unprotected header: longer than 4096 bytes" if cose_shaped
                                 else "not a four-element array")
    assert peak < 64 * 1024  # cbor2 built ~270 MB of lists out of these 4 MiB


@pytest.mark.parametrize(("size", "message"), [
    (20 * MiB, "MALFORMED: /v1/status: the answer announces 20971516 bytes, more than the 4 MiB bound"),
    (4 * MiB - 64, "MALFORMED: status page: not a COSE_Sign1 document (unprotected header: longer than 4096 bytes)"),
], ids=["20MB", "just-under-4MiB"])
def test_sync_refuses_a_page_of_empty_arrays_in_bounded_memory(server: HostileServer, docs: Documents,
                                                               tmp_path: Path, size: int, message: str) -> None:
    """Today: a 20 MB CBOR page of empty arrays took 2.9 GB, decoded twice before the signature check."""
    server.serve("/v1/trust-list", answer(docs.trust_list))
    server.serve("/v1/policy", answer(docs.policy))
    server.serve("/v1/status", answer(_empty_arrays(size, cose_shaped=True)))
    run = run_measured(cli("sync", "--once", "--server", server.url, "--token", "TY-XD-0001.x", "--root-key",
                           str(DIST_PUB), "--data-dir", str(tmp_path / "cp")), timeout_s=60, memory_limit_mb=2000)
    assert not run.killed and run.returncode == 1
    assert run.error_lines == [f"checkpoint-app sync: error: {message}"]
    assert run.seconds < 10 and run.max_rss_mb < 150


# -- integers in 0..2^53-1 ---------------------------------------------------------------

def _page_with(docs: Documents, change: Callable[[dict[Any, Any]], None]) -> bytes:
    """The genuine first page, one field changed, signed again with the genuine key."""
    payload = cbor2.loads(open_document(docs.first_page, [load_public_pem(DIST_PUB.read_bytes())]))
    change(payload)
    return sign(cbor2.dumps(payload))


def _entry(index: int, value: Any) -> Callable[[dict[Any, Any]], None]:
    def change(page: dict[Any, Any]) -> None:
        page["entries"][0][index] = value
    return change


def _set(key: str, value: Any) -> Callable[[dict[Any, Any]], None]:
    def change(page: dict[Any, Any]) -> None:
        page[key] = value
    return change


@pytest.mark.parametrize(("change", "message"), [
    (_entry(3, BIG), "an entry's effective_at is not an integer in 0..2^53-1"),
    (_entry(3, -1), "an entry's effective_at is not an integer in 0..2^53-1"),
    (_entry(2, [2**64]), "an entry's reasons are not non-negative integers below 2^53"),
    (_entry(1, 2**70), "an entry's colour is not 0-2"),
    (_set("to", BIG), "'to' is missing or not an integer in 0..2^53-1"),
], ids=["effective_at-2^53", "effective_at-negative", "reason-2^64", "colour-2^70", "to-2^53"])
def test_a_page_with_an_integer_out_of_range_is_refused_whole(docs: Documents, tmp_path: Path,
                                                              change: Callable[[dict[Any, Any]], None], message: str,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "stick"
    folder.mkdir()
    (folder / "trust-list.cose").write_bytes(docs.trust_list)
    (folder / "policy.cose").write_bytes(docs.policy)
    (folder / "status-000001.cose").write_bytes(_page_with(docs, change))
    data = tmp_path / "cp"
    assert main(["sync", "--from", str(folder), "--root-key", str(DIST_PUB), "--data-dir", str(data)]) == 1
    err = capsys.readouterr().err
    assert err == f"checkpoint-app sync: error: MALFORMED: status page: {message}\n"
    with Store.open(data) as store:
        assert store.cursor() == 0  # nothing of the page applied


def _json_doc(signed: bytes, change: Callable[[dict[str, Any]], None]) -> bytes:
    obj = json.loads(open_document(signed, [load_public_pem(DIST_PUB.read_bytes())]))
    change(obj)
    return sign(json.dumps(obj).encode())


def _issuer(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["issuers"][0][key] = value
    return change


def _field(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc[key] = value
    return change


@pytest.mark.parametrize(("kind", "change", "message"), [
    ("trust list", _field("serial", BIG), "trust-list: integer 9007199254740992 is outside ±(2^53 - 1)"),
    ("trust list", _issuer("not_after", 2**63), "trust-list: integer 9223372036854775808 is outside ±(2^53 - 1)"),
    ("trust list", _issuer("not_before", -5), "trust list: 'not_before' is negative"),
    ("trust list", _field("issued_at", -1), "trust list: 'issued_at' is negative"),
    ("policy", _field("max_cache_age_s", 10**30), "policy: integer 100000000000000000000000... is outside "
                                                  "±(2^53 - 1)"),
    ("policy", _field("issued_at", -86400), "policy: 'issued_at' is negative"),
    ("policy", _field("fever_threshold_c", float("inf")), "policy: Infinity is not JSON"),
], ids=["serial-2^53", "not_after-2^63", "not_before-negative", "issued_at-negative", "max_cache_age-10^30",
        "policy-issued_at-negative", "threshold-infinity"])
def test_a_json_document_with_an_integer_out_of_range_is_refused(docs: Documents, tmp_path: Path, kind: str,
                                                                 change: Callable[[dict[str, Any]], None],
                                                                 message: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    trust, policy = tmp_path / "trust.cose", tmp_path / "policy.cose"
    trust.write_bytes(_json_doc(docs.trust_list, change) if kind == "trust list" else docs.trust_list)
    policy.write_bytes(_json_doc(docs.policy, change) if kind == "policy" else docs.policy)
    code = main(["verify", "--trust-list", str(trust), "--policy", str(policy), "--root-key", str(DIST_PUB), "JKM1:X"])
    assert (code, capsys.readouterr().err) == (2, f"checkpoint-app verify: error: {message}\n")


@pytest.mark.parametrize("depth", [10_000, 200_000])
def test_a_json_document_nested_beyond_reason_is_refused(docs: Documents, tmp_path: Path, depth: int,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    trust = tmp_path / "trust.cose"
    trust.write_bytes(sign(b'{"type": "trust-list", "x": ' + b"[" * depth + b"]" * depth + b"}"))
    policy = tmp_path / "policy.cose"
    policy.write_bytes(docs.policy)
    code = main(["verify", "--trust-list", str(trust), "--policy", str(policy), "--root-key", str(DIST_PUB), "JKM1:X"])
    assert (code, capsys.readouterr().err) == (2, "checkpoint-app verify: error: trust-list is nested too deeply\n")


# -- QR text ------------------------------------------------------------------------------

def test_a_qr_text_over_8192_characters_is_refused_before_base45(docs: Documents, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "t.cose").write_bytes(docs.trust_list)
    (tmp_path / "p.cose").write_bytes(docs.policy)
    args = ["verify", "--json", "--trust-list", str(tmp_path / "t.cose"), "--policy", str(tmp_path / "p.cose"),
            "--root-key", str(DIST_PUB)]
    assert main([*args, "JKM1:" + "A" * 8187]) == 1  # 8,192 characters: read (and found wanting)
    assert json.loads(capsys.readouterr().out)["error"] == "DECOMPRESS_FAILED"
    assert main([*args, "JKM1:" + "A" * 8190]) == 1  # valid Base45 (whole groups), but too long
    assert json.loads(capsys.readouterr().out)["error"] == "BASE45_INVALID"
    with pytest.raises(CodeError, match="text longer than 8192 characters"):
        unwrap("JKM1:" + "A" * 10**7)
