"""nginx (Debian's package) in front of an authority on loopback, with the site config that
docs/nginx/checkpoint-authority.conf gives operators: only what a test must change is
changed (plain HTTP on a loopback port instead of TLS on 443, the upstream's port, the
cache folders in the test's own folder)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SITE_CONF = Path(__file__).resolve().parents[2] / "docs" / "nginx" / "checkpoint-authority.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def site_config(upstream_port: int, port: int, folder: Path) -> str:
    text = SITE_CONF.read_text()
    text = text.replace("/var/cache/nginx/checkpoint-pages", str(folder / "pages"))
    text = text.replace("/run/nginx-checkpoint-tokens", str(folder / "tokens"))
    text = text.replace("server 127.0.0.1:8080;", f"server 127.0.0.1:{upstream_port};")
    text = text.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};")
    text = re.sub(r"\n\s*ssl_certificate(_key)?\s[^\n]*", "", text)
    assert "ssl" not in text.split("server {", 1)[1].split("location", 1)[0], "the TLS lines changed in the docs"
    return text


def main_config(folder: Path, site: Path) -> str:
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                             "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""  # its workers write the test's own folders
    return (f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n"
            f"events {{ worker_connections 1024; }}\nhttp {{\n    access_log off;\n{temp}\n    include {site};\n}}\n")


@contextmanager
def nginx_in_front(upstream_port: int, folder: Path, static: bool = False) -> Iterator[str]:
    """nginx on a free loopback port, passing to the authority on `upstream_port`; yields its URL.
    `static`: files under folder/static are served at /static/ too (the benchmark's ceiling)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    site = folder / "site.conf"
    text = site_config(upstream_port, port, folder)
    if static:
        text = text.replace("    location / {", f"    location /static/ {{ root {folder}; }}\n\n    location / {{")
    site.write_text(text)
    conf = folder / "nginx.conf"
    conf.write_text(main_config(folder, site))
    with subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:
        try:
            wait_for_port(port, proc)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port}")
