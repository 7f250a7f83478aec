"""Lookup by ID document under attack on the wire (spec 5.1): the full number goes in one
request body to the configured platform and nowhere else, whatever a server, a proxy or
the environment answers; an answer the checkpoint did not ask for is never believed.

Against the reference authority over loopback, with the real `checkpoint-app lookup`."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from checkpoint_app.authority.db import lookups
from checkpoint_app.cli import main
from checkpoint_app.core.store import Store
from tests.support.lookup_platform import PEOPLE, ROOT_PEM, LookupPlatform, lookup_platform

GREEN = PEOPLE["green"].id_number
Reply = Callable[[BaseHTTPRequestHandler, bytes], None]


class Server:
    """A loopback HTTP server that keeps every request (method, path, body) and answers
    with `reply(handler, body)`."""

    def __init__(self, reply: Reply) -> None:
        self.seen: list[tuple[str, str, bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.seen.append((self.command, self.path, data))
                reply(self, data)

            do_GET = do_POST = do_PUT = _any

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", **headers: str) -> None:
    handler.send_response(status)
    for name, value in {"Content-Length": str(len(body)), **headers}.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


@pytest.fixture
def lp(tmp_path: Path) -> Iterator[LookupPlatform]:
    with lookup_platform(tmp_path) as p:
        yield p


def synced(tmp_path: Path, lp: LookupPlatform, server_url: str) -> Path:
    """A data folder synced with the real platform, then pointed at `server_url`."""
    data = tmp_path / "checkpoint"
    assert main(["sync", "--once", "--server", lp.url, "--token", lp.token, "--root-key", str(ROOT_PEM),
                 "--data-dir", str(data)]) == 0
    with Store.open(data) as store:
        store.set_setting("server_url", server_url)
    return data


def answered(lp: LookupPlatform) -> int:
    with lp.authority.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(lookups)).scalar_one())


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed(tmp_path: Path, lp: LookupPlatform, capsys: Any, status: int) -> None:
    """A platform (or whatever answers in its place) that redirects the lookup elsewhere gets
    no second request: a 307/308 would re-send the body, the full number, to any URL it names
    (http:// to another host included). No answer, so the manual record (exit 1)."""
    sink = Server(lambda h, body: send(h, 200))
    redirector = Server(lambda h, body: send(h, status, Location=sink.url + "/v1/lookup"))
    try:
        data = synced(tmp_path, lp, redirector.url)
        capsys.readouterr()
        assert main(["lookup", "--json", "--data-dir", str(data), "--doc", GREEN]) == 1
        out = capsys.readouterr()
        assert '"action": "cannot_verify"' in out.out and "no answer" in out.err
        assert [path for _, path, _ in redirector.seen] == ["/v1/lookup"]
        assert sink.seen == [] and answered(lp) == 0
    finally:
        sink.stop()
        redirector.stop()


def test_an_error_answer_never_shows_the_number(tmp_path: Path, lp: LookupPlatform, capsys: Any) -> None:
    """A proxy or firewall in front of the platform that answers 4xx quoting the request (many
    do) would have had the number printed on stderr, into a script's log."""
    echo = Server(lambda h, body: send(h, 400, b"Bad request: " + body))
    try:
        data = synced(tmp_path, lp, echo.url)
        capsys.readouterr()
        assert main(["lookup", "--json", "--data-dir", str(data), "--doc", GREEN]) == 1
        out = capsys.readouterr()
        assert '"error": "REJECTED"' in out.out and "HTTP 400" in out.err and out.err.count("\n") == 1
        assert GREEN[4:14] not in out.out + out.err
    finally:
        echo.stop()


def test_a_loopback_platform_is_asked_past_the_environment_s_proxy(tmp_path: Path, lp: LookupPlatform,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: Any) -> None:
    """http:// is allowed only because the platform is on this machine; an office-wide
    HTTP_PROXY in the environment must not carry the number in clear to the proxy."""
    proxy = Server(lambda h, body: send(h, 502))
    try:
        data = synced(tmp_path, lp, lp.url)
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, proxy.url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        capsys.readouterr()
        assert main(["lookup", "--json", "--data-dir", str(data), "--doc", GREEN]) == 0
        assert '"valid": true' in capsys.readouterr().out
        assert proxy.seen == [] and answered(lp) == 1
    finally:
        proxy.stop()


def _process_tree(pid: int) -> list[int]:
    """`pid` and every process it started, from /proc/PID/task/TID/children."""
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # a thread that ended meanwhile
                todo += [int(c) for c in task.read_text().split()]
    return tree


def _what_ps_shows(pid: int) -> str:
    """Everything another user's `ps -ef`, `ps -L` or `/proc` reader sees of the process tree."""
    seen = []
    for p in _process_tree(pid):
        proc = Path(f"/proc/{p}")
        seen += [(proc / "cmdline").read_bytes(), (proc / "environ").read_bytes(), (proc / "comm").read_bytes()]
        for task in (proc / "task").iterdir():
            with contextlib.suppress(OSError):  # a thread that ended meanwhile
                seen.append((task / "comm").read_bytes())
    return b" ".join(seen).replace(b"\0", b" ").decode("utf-8", "replace")


def test_the_number_from_standard_input_never_shows_in_the_process_list(tmp_path: Path, lp: LookupPlatform) -> None:
    """`lookup --doc-file -` (spec 9), looked at while it waits on a slow platform: the number
    has been read and sent, and the process list holds it nowhere. Then the platform answers."""
    arrived, release = threading.Event(), threading.Event()

    def slow_relay(h: BaseHTTPRequestHandler, body: bytes) -> None:
        arrived.set()
        release.wait(30)
        resp = requests.post(lp.url + h.path, data=body, timeout=10,
                             headers={k: v for k, v in h.headers.items() if k.lower() in ("authorization",
                                                                                          "content-type")})
        send(h, resp.status_code, resp.content, **{"Content-Type": resp.headers.get("Content-Type", "")})

    slow = Server(slow_relay)
    data = synced(tmp_path, lp, slow.url)
    cmd = [sys.executable, "-m", "checkpoint_app", "lookup", "--json", "--data-dir", str(data), "--doc-file", "-"]
    stdin, typed = os.pipe()
    proc = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(stdin)
    try:
        os.write(typed, GREEN.encode() + b"\n")
        os.close(typed)
        assert arrived.wait(60), "the lookup never reached the platform"
        shown = _what_ps_shows(proc.pid)
        for form in (GREEN, GREEN[4:14], GREEN[-8:]):
            assert form not in shown, form
        release.set()
        out, err = proc.communicate(timeout=60)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()  # reaped, pipes closed: no warning lands on a later test
        slow.stop()
    [(_, path, body)] = slow.seen
    assert path == "/v1/lookup" and GREEN.encode() in body  # read and sent while `ps` was looked at
    assert "--doc-file -" in shown and "checkpoint_app" in shown
    assert proc.returncode == 0 and b'"valid": true' in out and GREEN[4:14].encode() not in out + err, err


@pytest.mark.parametrize("argv", [
    ["checkpoint-app", "lookup", GREEN],  # --doc forgotten
    ["checkpoint-app", "lookup", "--doc-type", GREEN, "--doc", GREEN],  # the number in the wrong place
    ["checkpoint-authority", "set-status", "--hid", "00" * 16, "--color", GREEN],
])
def test_a_usage_error_shows_the_number_masked(tmp_path: Path, argv: list[str]) -> None:
    """argparse quotes the argument it refuses; the one error line shows an ID number masked."""
    module = "checkpoint_app.cli" if argv[0] == "checkpoint-app" else "checkpoint_app.authority.cli"
    run = subprocess.run([sys.executable, "-c", f"import sys; from {module} import main; sys.exit(main())",
                          *argv[1:]], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                         env={"PATH": "/usr/bin:/bin", "CHECKPOINT_DATA_DIR": str(tmp_path)})
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert GREEN[4:14] not in run.stderr and run.stdout == ""
