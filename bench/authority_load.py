"""Load benchmark of the reference authority at province scale (issue 12). Run by hand, not in CI.

    apt-get install wrk nginx-light                     # the load generator; the proxy
    .venv/bin/python bench/authority_load.py --db sqlite --statuses 1000000 --checkpoints 100000
    .venv/bin/python bench/authority_load.py --db postgres --nginx --concurrency 8,32,128

What it does, with the documented commands (docs/authority-operations.md):
1. keygen, sign-policy, sign-trust-list; a status file of --statuses people and a file of
   --checkpoints checkpoints; `import-statuses` and `register-checkpoints` (timed);
2. `serve --workers W` on SQLite or PostgreSQL (pgserver, from the test extra), optionally
   nginx in front with docs/nginx/checkpoint-authority.conf;
3. while a writer adds 100 status changes every 5 s, simulated checkpoints sync at each
   concurrency: wrk with bench/authority_sync.lua, one connection per wrk thread, each
   connection playing its share of the checkpoints with their own cursors (trust list and
   policy with If-None-Match, then status pages until `more` is false);
4. scan uploads (bench/authority_upload.lua: 50 events a batch, every 10th batch a retry),
   then a check of the database: every acknowledged event stored once, counted once;
5. with --nginx: the same full page through nginx's cache, and as a static file (the ceiling).

Why wrk: it is C with an event loop, about 10-20 us of CPU per request, so on 2 shared cores
it leaves the server nearly everything; a Python generator (aiohttp) costs about as much per
request as the server does and would halve what we measure. Its Lua hooks read each page's
`to` and `more` from the signed CBOR, so the cursors are real. The caveat stays: generator
and server share the machine's 2 cores, and the server CPU per request is the figure that
carries to other machines (printed beside each rate)."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checkpoint_app.authority.platform import Authority  # noqa: E402
from tests.support.authority_process import LAUNCHER, serving  # noqa: E402
from tests.support.nginx import nginx_in_front  # noqa: E402

BENCH = Path(__file__).resolve().parent


def cli(*args: str) -> tuple[str, float, float]:
    """A checkpoint-authority command: (its output, wall seconds, CPU seconds)."""
    before, start = psutil.Process().cpu_times(), time.monotonic()
    done = subprocess.run([sys.executable, "-c", LAUNCHER, *args], capture_output=True, text=True, check=False)
    after = psutil.Process().cpu_times()
    if done.returncode:
        raise SystemExit(f"{args[0]} failed: {done.stderr.strip()}")
    cpu = (after.children_user + after.children_system) - (before.children_user + before.children_system)
    return done.stdout.strip(), time.monotonic() - start, cpu


def write_files(work: Path, statuses: int, checkpoints: int) -> None:
    now = int(time.time())
    with open(work / "statuses.csv", "w") as f:
        f.write("hid,color,reasons,effective_at\n")
        for i in range(statuses):
            color, reasons = (("red", "103"), ("yellow", "201;202"), ("green", "301"))[i % 3]
            f.write(f"{os.urandom(16).hex()},{color},{reasons},{now - 86400 - i % 864000}\n")
    with open(work / "checkpoints.csv", "w") as f:
        f.write("checkpoint_id,venue_id,venue_type\n")
        f.writelines(f"SX-{i:06d},1401{5 + i % 5:02d}-mall-{i % 9999:04d},mall\n" for i in range(checkpoints))


def set_up(work: Path, db: str, a: argparse.Namespace) -> dict[str, str]:
    keys = work / "keys"
    keys.mkdir(exist_ok=True)
    cli("keygen", "--out", str(keys / "distribution.pem"))
    cli("keygen", "--out", str(keys / "issuer.pem"))
    cli("sign-policy", "--key", str(keys / "distribution.pem"), "--in",
        str(ROOT / "resources/policy/default-policy.json"), "--out", str(work / "policy.cose"))
    cli("sign-trust-list", "--key", str(keys / "distribution.pem"), "--serial", "1", "--issuer",
        f"140000,Shanxi,{keys / 'issuer.pub.pem'}", "--out", str(work / "trust.cose"))
    (work / "token.key").write_bytes(os.urandom(32))
    write_files(work, a.statuses, a.checkpoints)
    out: dict[str, str] = {}
    for name, args in (("import-statuses", ("import-statuses", "--db", db, str(work / "statuses.csv"))),
                       ("register-checkpoints", ("register-checkpoints", "--db", db, str(work / "checkpoints.csv"),
                                                 "--out", str(work / "sheet.csv"), "--token-key",
                                                 str(work / "token.key")))):
        dcpu0 = db_cpu(db)
        text, wall, cpu = cli(*args)
        dcpu = db_cpu(db) - dcpu0
        out[name] = (f"{wall:.1f} s wall, {cpu + dcpu:.1f} s CPU, of which database {dcpu:.1f} s"
                     f" ({text.splitlines()[-1][:90]})")
        print(f"{name}: {out[name]}", flush=True)
    tokens = [line.split(",")[2] for line in (work / "sheet.csv").read_text().splitlines()[1:]]
    (work / "tokens.txt").write_text("\n".join(t for t in tokens if t) + "\n")
    return out


@contextmanager
def writer(db: str) -> Iterator[None]:
    """100 status changes every 5 s, as the platform's health offices would make them."""
    stop = threading.Event()
    authority = Authority.open(db, None)

    def run() -> None:
        while not stop.wait(5):
            now = int(time.time())
            authority.set_statuses([(os.urandom(16), 2, (103,), now) for _ in range(100)])

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        authority.engine.dispose()


def server_cpu(port: int) -> float:
    """CPU seconds so far of the process tree listening on `port` (the gunicorn master and workers)."""
    for conn in psutil.net_connections("tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == "LISTEN" and conn.pid:
            top = psutil.Process(conn.pid)
            while top.parent() and any(c.laddr and c.laddr.port == port for c in top.parent().net_connections()):
                top = top.parent()
            return sum(sum(p.cpu_times()[:2]) for p in [top, *top.children(recursive=True)])
    return 0.0


def db_cpu(db: str) -> float:
    """CPU seconds so far of the PostgreSQL server behind `db` (its postmaster's folder is the
    socket folder in the URL); 0 for SQLite, whose work is inside the workers."""
    folder = re.search(r"host=([^&]+)", db)
    if folder is None:
        return 0.0
    for proc in psutil.process_iter(["cmdline"]):
        if folder.group(1) in (proc.info["cmdline"] or [])[1:3]:
            # With the children it has reaped: a command's backend exits with the command.
            return sum(sum(p.cpu_times()[:4]) for p in [proc, *proc.children(recursive=True)])
    return 0.0


def wrk(url: str, conns: int, seconds: int, script: str, args: list[str], threads: int | None = None,
        headers: tuple[str, ...] = ()) -> dict[str, float]:
    cmd = ["wrk", "-t", str(threads or conns), "-c", str(conns), "-d", f"{seconds}s", "--latency", "--timeout", "10s"]
    for h in headers:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", str(BENCH / script)]
    out = subprocess.run([*cmd, url, "--", *args], capture_output=True, text=True, check=True).stdout
    found = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", " ".join(re.findall(r"^(?:RESULT|LATENCY).*$", out,
                                                                                           re.M)))}
    found["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    found["errors"] = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    found["non2xx"] = float(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    if "p50" not in found:
        for p, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M):
            found[f"p{p}"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return found


def polls(url: str, port: int, work: Path, db: str, a: argparse.Namespace, head: int) -> None:
    etags = [_etag(url, work, kind) for kind in ("trust-list", "policy")]
    print(f"\nsync ({'trust list + policy with If-None-Match, then ' if a.docs else ''}status pages) at {url}")
    print("conns  status/s  requests/s  p50 ms  p99 ms  errors  server CPU/request  server cores  (of which database)")
    for conns in a.concurrency:
        cpu0, dcpu0, t0 = server_cpu(port), db_cpu(db), time.monotonic()
        r = wrk(url, conns, a.duration, "authority_sync.lua",
                [str(work / "tokens.txt"), str(max(0, head - 1200)), str(head), str(int(a.docs)), *etags, str(conns),
                 "100", str(int(1000 * conns / a.rate) if a.rate else 0)])
        dcpu, wall = db_cpu(db) - dcpu0, time.monotonic() - t0
        cpu = server_cpu(port) - cpu0 + dcpu
        requests = r["status"] + r["documents"]
        print(f"{conns:5d}  {r['status'] / a.duration:8.0f}  {r['rps']:10.0f}  {r['p50']:6.1f}  {r['p99']:6.1f}"
              f"  {int(r['errors'] + r['not_ok'] + r['bad_page'])}  {1000 * cpu / max(requests, 1):10.3f} ms"
              f"  {cpu / wall:.2f}  ({dcpu / wall:.2f})", flush=True)


def _etag(url: str, work: Path, kind: str) -> str:
    import requests

    token = (work / "tokens.txt").read_text().split("\n", 1)[0]
    return requests.get(f"{url}/v1/{kind}", headers={"Authorization": f"Bearer {token}"}, timeout=10).headers["ETag"]


def uploads(url: str, port: int, work: Path, db: str, a: argparse.Namespace) -> None:
    from sqlalchemy import func, select

    from checkpoint_app.authority.db import make_engine, scan_counts_day, scans

    run = f"u{int(time.time())}"
    cpu0, dcpu0 = server_cpu(port), db_cpu(db)
    r = wrk(url, a.upload_connections, a.duration, "authority_upload.lua",
            [str(work / "tokens.txt"), "50", run, str(a.upload_connections)])
    dcpu = db_cpu(db) - dcpu0
    cpu = server_cpu(port) - cpu0 + dcpu
    engine = make_engine(db)
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(scans).where(scans.c.event_id.like(f"{run}-%"))).scalar()
        total = conn.execute(select(func.count()).select_from(scans)).scalar()
        counted = conn.execute(select(func.sum(scan_counts_day.c.n)).where(scan_counts_day.c.facet == "all")).scalar()
    engine.dispose()
    print(f"\nuploads: {r['accepted'] / a.duration:.0f} events/s accepted ({a.upload_connections} connections,"
          f" p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, errors {int(r['errors'] + r['not_ok'])});"
          f" server CPU {1e6 * cpu / max(r['accepted'], 1):.0f} us/event"
          f" (database {1e6 * dcpu / max(r['accepted'], 1):.0f})")
    in_flight = a.upload_connections * 50
    ok = counted == total and 0 <= (stored or 0) - r["accepted"] <= in_flight
    print(f"  check: acknowledged {int(r['accepted'])}, stored {stored} (may exceed by batches in flight at the end,"
          f" <= {in_flight}), duplicates answered {int(r['duplicates'])} for {int(r['retries'])} retries,"
          f" counted {counted} = stored in all {total}: {'OK' if ok else 'MISMATCH'}")


def ceiling(url: str, nginx_dir: Path, work: Path, a: argparse.Namespace) -> None:
    import requests

    token = (work / "tokens.txt").read_text().split("\n", 1)[0]
    auth = f"Authorization: Bearer {token}"
    page = requests.get(f"{url}/v1/status?since=0", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    static = nginx_dir / "static"
    static.mkdir(exist_ok=True)
    (static / "page.cose").write_bytes(page.content)
    print(f"\nfull page since=0 ({len(page.content):,} bytes): nginx cache vs the same bytes as a static file")
    for name, target in (("cache", f"{url}/v1/status?since=0"), ("static", f"{url}/static/page.cose")):
        r = wrk(target, 128, a.duration, "", [], threads=2, headers=(auth,))
        print(f"  {name:6s} {r['rps']:9.0f} requests/s  p50 {r['p50']:.2f} ms  p99 {r['p99']:.2f} ms"
              f"  errors {int(r['errors'] + r['non2xx'])}", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--statuses", type=int, default=1_000_000)
    p.add_argument("--checkpoints", type=int, default=100_000)
    p.add_argument("--concurrency", type=lambda s: [int(x) for x in s.split(",")], default=[8, 32, 128])
    p.add_argument("--duration", type=int, default=20, help="seconds per run")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--upload-connections", type=int, default=8)
    p.add_argument("--docs", type=int, default=1, help="1: each sync also asks for the trust list and policy")
    p.add_argument("--nginx", action="store_true", help="nginx in front, and its static-file ceiling")
    p.add_argument("--rate", type=int, default=0,
                   help="offer about this many requests/s in all (each connection waits between requests);"
                        " 0: as many as the server takes")
    p.add_argument("--workdir", type=Path)
    p.add_argument("--reuse", action="store_true", help="SQLite: keep the database of an earlier run in --workdir")
    p.add_argument("--no-uploads", dest="uploads", action="store_false")
    p.add_argument("--no-polls", dest="polls", action="store_false")
    a = p.parse_args()
    with ExitStack() as stack:
        work = a.workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="checkpoint-load-")))
        work.mkdir(parents=True, exist_ok=True)
        db = f"sqlite:///{work / 'authority.sqlite3'}"
        if a.db == "postgres":
            import pgserver

            from tests.support.postgres import postgres_url

            db = stack.enter_context(postgres_url(pgserver))
        print(f"{a.db}: {a.statuses:,} statuses, {a.checkpoints:,} checkpoints; {a.workers} workers x {a.threads}"
              f" threads; load average {os.getloadavg()[0]:.1f}", flush=True)
        if not (a.reuse and (work / "tokens.txt").exists()):
            set_up(work, db, a)
        port = stack.enter_context(serving(db, work / "keys/distribution.pem", "--workers", str(a.workers),
                                           "--threads", str(a.threads), f"--trust-list={work / 'trust.cose'}",
                                           f"--policy={work / 'policy.cose'}"))
        url = f"http://127.0.0.1:{port}"
        if a.nginx:
            url = stack.enter_context(nginx_in_front(port, work / "nginx", static=True))
        stack.enter_context(writer(db))
        from checkpoint_app.authority import statuslog
        from checkpoint_app.authority.db import make_engine

        if a.polls:
            polls(url, port, work, db, a, statuslog.head(make_engine(db)))
        else:
            time.sleep(5)  # each worker's one-off start (the report's font, ~1 s of CPU) is not ingest
        if a.uploads:
            uploads(url, port, work, db, a)
        if a.nginx:
            ceiling(url, work / "nginx", work, a)


if __name__ == "__main__":
    main()
