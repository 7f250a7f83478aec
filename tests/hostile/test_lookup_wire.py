"""Lookup by ID document under attack on the wire (spec 5.1): the full number goes in one
request body to the configured platform and nowhere else, whatever a server, a proxy or
the environment answers; an answer the checkpoint did not ask for is never believed.

Against the reference authority over loopback, with the real `checkpoint-app lookup`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
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


@pytest.mark.parametrize("argv", [
    ["checkpoint-app", "lookup", GREEN],  # --doc forgotten
    ["checkpoint-app", "lookup", "--doc-type", GREEN, "--doc", GREEN],  # the number in the wrong place
    ["checkpoint-authority", "set-status", "--hid", "00" * 16, "--color", GREEN],
])
def test_a_usage_error_shows_the_number_masked(tmp_path: Path, argv: list[str]) -> None:
    """argparse quotes the argument it refuses; the one error line shows an ID number masked."""
    import subprocess
    import sys

    module = "checkpoint_app.cli" if argv[0] == "checkpoint-app" else "checkpoint_app.authority.cli"
    run = subprocess.run([sys.executable, "-c", f"import sys; from {module} import main; sys.exit(main())",
                          *argv[1:]], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                         env={"PATH": "/usr/bin:/bin", "CHECKPOINT_DATA_DIR": str(tmp_path)})
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert GREEN[4:14] not in run.stderr and run.stdout == ""
