"""`checkpoint-app verify` and `checkpoint-authority` as an operator runs them (spec section 9)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT.parent / "shared" / "vectors" / "jkm1"
CHECK_VECTORS = ROOT.parent / "shared" / "tools" / "check-vectors"
BIN = Path(sys.executable).parent
needs_vectors = pytest.mark.skipif(not VECTORS.is_dir(), reason="../shared/vectors is not beside this checkout")


def run(*args: str | Path, tool: str = "checkpoint-app") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / tool), *map(str, args)], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))


def file_mode(d: Path, key: str = "distribution-key.pem") -> list[str | Path]:
    return ["--trust-list", d / "trust-list.cose", "--policy", d / "policy.cose", "--root-key", d / key]


@needs_vectors
def test_public_conformance_vectors_all_agree() -> None:
    r = subprocess.run([str(CHECK_VECTORS), "--cli", str(BIN / "checkpoint-app")], capture_output=True, text=True,
                       timeout=120)
    last = r.stdout.strip().splitlines()[-1]
    n, m = last.split()[0].split("/")
    assert r.returncode == 0 and n == m and int(m) >= 48, r.stdout[-2000:]


@needs_vectors
def test_images_and_payloads_in_one_call_keep_their_order() -> None:
    lines = (VECTORS / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    cases = {json.loads(line)["id"]: json.loads(line) for line in lines}
    r = run("verify", "--json", *file_mode(VECTORS), "--at", "1583200000", "--temperature", "36.5", "--mask", "yes",
            cases["yellow-symptoms"]["payload"], "not a code", "--image", VECTORS / "green-pass.png",
            "--image", VECTORS / "bad-signature.png")
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(o["valid"], o["action"]) for o in out] == [
        (True, "home_isolation"), (False, "invalid_code"), (True, "pass"), (False, "invalid_code")]
    assert out[1]["error"] == "NOT_A_HEALTH_CODE" and out[3]["error"] == "BAD_SIGNATURE"
    assert r.returncode == 1  # some code was invalid


@needs_vectors
def test_exit_zero_when_every_code_verifies_and_plain_output() -> None:
    r = run("verify", *file_mode(VECTORS), "--at", "1583200000", "--image", VECTORS / "red-confirmed.png")
    assert r.returncode == 0, r.stderr
    assert "hospital_transfer" in r.stdout and "DENY" in r.stdout


@needs_vectors
@pytest.mark.parametrize(("args", "message"), [
    (["--temperature", "abc", "JKM1:x"], "'abc' is not a number"),
    (["--temperature", "nan", "JKM1:x"], "not a finite number"),
    (["--temperature", "50", "JKM1:x"], "outside 34.0-43.0"),
    (["--mask", "maybe", "JKM1:x"], "invalid choice"),
    (["--at", "yesterday", "JKM1:x"], "is not a Unix time"),
    ([], "nothing to verify"),
    (["--image", "/nonexistent.png"], "cannot read image"),
])
def test_usage_errors_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    r = run("verify", *file_mode(VECTORS), *args)
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and message in r.stderr, r.stderr


@needs_vectors
def test_configuration_errors(tmp_path: Path) -> None:
    wrong_key = tmp_path / "other.pem"
    assert run("keygen", "--out", wrong_key, tool="checkpoint-authority").returncode == 0
    for args, message in [
        (["--trust-list", VECTORS / "trust-list.cose", "JKM1:x"], "file mode needs"),
        ([*file_mode(VECTORS)[:4], "--root-key", tmp_path / "other.pub.pem", "JKM1:x"], "not a pinned"),
        ([*file_mode(VECTORS)[:4], "--root-key", VECTORS / "policy.cose", "JKM1:x"], "not a readable PEM"),
        (["--trust-list", VECTORS / "policy.cose", *file_mode(VECTORS)[2:], "JKM1:x"], "not a trust-list"),
        (["--trust-list", tmp_path / "missing.cose", *file_mode(VECTORS)[2:], "JKM1:x"], "cannot read"),
    ]:
        r = run("verify", *args)
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and message in r.stderr, r.stderr


def test_authority_round_trip(tmp_path: Path) -> None:
    """An operator makes keys, signs the documents, issues a code; the checkpoint accepts it."""
    def auth(*args: str | Path) -> subprocess.CompletedProcess[str]:
        r = run(*args, tool="checkpoint-authority")
        assert r.returncode == 0, r.stderr
        return r

    auth("keygen", "--out", tmp_path / "dist.pem")
    auth("keygen", "--alg", "EdDSA", "--out", tmp_path / "issuer.pem")
    (tmp_path / "secret").write_bytes(os.urandom(32))
    auth("sign-trust-list", "--key", tmp_path / "dist.pem", "--serial", "2",
         "--issuer", f"140000,山西省,{tmp_path / 'issuer.pub.pem'}", "--out", tmp_path / "trust-list.cose")
    auth("sign-policy", "--key", tmp_path / "dist.pem", "--in", ROOT / "resources/policy/default-policy.json",
         "--out", tmp_path / "policy.cose")
    text = auth("issue", "--key", tmp_path / "issuer.pem", "--color", "yellow", "--reason", "204", "--name", "李春梅",
                "--id-number", "140106198507123327", "--hid-key", tmp_path / "secret",
                "--png", tmp_path / "code.png").stdout.strip()
    r = run("verify", "--json", *file_mode(tmp_path, "dist.pub.pem"), text, "--image", tmp_path / "code.png")
    a, b = (json.loads(line) for line in r.stdout.splitlines())
    assert a == b and a["valid"] and a["action"] == "home_isolation" and a["reasons"] == [204]
    assert a["name"] == "李*梅" and a["doc"] == "1401**********3327"
    assert "198507" not in r.stdout  # the full ID number never leaves the authority


def test_authority_refuses_to_sign_a_broken_policy(tmp_path: Path) -> None:
    run("keygen", "--out", tmp_path / "dist.pem", tool="checkpoint-authority")
    policy = json.loads((ROOT / "resources/policy/default-policy.json").read_text(encoding="utf-8"))
    policy["rules"][-1]["then"] = "open_the_gates"
    (tmp_path / "p.json").write_text(json.dumps(policy), encoding="utf-8")
    r = run("sign-policy", "--key", tmp_path / "dist.pem", "--in", tmp_path / "p.json", "--out", tmp_path / "p.cose",
            tool="checkpoint-authority")
    assert r.returncode == 2 and "unknown action" in r.stderr and not (tmp_path / "p.cose").exists()


def test_the_window_without_a_display_says_so_in_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = subprocess.run([str(BIN / "checkpoint-app"), "--demo"], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 2 and r.stderr.startswith("checkpoint-app: error: no display")
    assert len(r.stderr.strip().splitlines()) == 1
