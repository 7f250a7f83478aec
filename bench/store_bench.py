"""Scale benchmark of the store and the sync: N status entries (default 10 million).

    .venv/bin/python bench/store_bench.py run --entries 10000000 --workdir /tmp/store-bench

Phases, each in its own process so that RSS and CPU belong to one side:
  seed     fill the authority's SQLite status log with N entries (not timed as a result)
  serve    `checkpoint-authority serve` on loopback, page size 10,000 (a separate process)
  sync     a new checkpoint's first full sync (time, peak RSS, bytes on disk per entry)
  append   100,000 changes at the authority, then an incremental sync (time)
  lookups  p50/p99 of Store.lookup on a warm store, then again while a second
           100,000-change sync applies in another thread of the same process (as in the window)
  rebuild  a reset: the whole cache again beside the one in use (time)
During `sync` and `rebuild` a second thread records a scan event every 50 ms, as the
window's store thread does, and its record_event latency is reported (p50, p99, max), the
slowest ones in parts (lock wait, commit, CPU, how late a probe thread of this process and
a probe process on the same CPUs woke meanwhile, which writer held the lock);
`floor` is the same recorder with nothing else running, for the machine's own figure.
Prints one JSON object with every figure."""

from __future__ import annotations

import argparse
import bisect
import collections
import contextlib
import hashlib
import json
import os
import random
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checkpoint_app.core.codes.signature import load_public_pem  # noqa: E402
from checkpoint_app.demo.people import demo_keys_dir  # noqa: E402

KEY = demo_keys_dir() / "distribution.pem"
PUB = demo_keys_dir() / "distribution.pub.pem"
TOKEN = "BENCH-1.token"
CHANGES = 100_000


def hid(i: int) -> bytes:
    return hashlib.blake2b(i.to_bytes(8, "little"), digest_size=16).digest()


def _row(i: int, now: int) -> tuple[int, bytes, int, str, int]:
    kind = i % 10
    color, reason = (2, 103 + i % 2) if kind < 6 else ((1, 201 + 3 * (i % 2)) if kind < 9 else (0, 301))
    return i, hid(i), color, str(reason), now - 86400 + i % 86400


def seed(a: argparse.Namespace) -> dict[str, Any]:
    from checkpoint_app.authority.platform import Authority
    from checkpoint_app.resources import resource

    db = a.workdir / "authority.sqlite3"
    authority = Authority.open(f"sqlite:///{db}", None)
    authority.engine.dispose()
    now, t0 = int(time.time()), time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("DROP INDEX IF EXISTS ix_status_log_hid")  # built once at the end: much faster
    chunk = 200_000
    for start in range(1, a.entries + 1, chunk):
        rows = (_row(i, now) for i in range(start, min(start + chunk, a.entries + 1)))
        conn.executemany("INSERT INTO status_log (seq, hid, color, reasons, effective_at) VALUES (?,?,?,?,?)", rows)
        conn.commit()
    conn.execute("CREATE INDEX ix_status_log_hid ON status_log (hid)")
    conn.execute("UPDATE counters SET value = ? WHERE name = 'head'", (a.entries,))
    conn.commit()
    conn.close()
    key_auth = Authority.open(f"sqlite:///{db}", _key())
    key_auth.register_checkpoint("BENCH-1", TOKEN)
    key_auth.publish("trust-list", resource("demo", "trust-list.cose").read_bytes())
    key_auth.publish("policy", resource("policy", "default-policy.cose").read_bytes())
    return {"seed_s": round(time.perf_counter() - t0, 1)}


def _key() -> Any:
    from checkpoint_app.authority.keys import load_private_key

    return load_private_key(KEY)


def _sync(a: argparse.Namespace) -> Any:
    from checkpoint_app.core.store import Store
    from checkpoint_app.core.sync.client import sync_once

    with Store.open(a.workdir / "checkpoint", check=False) as store:
        t0, c0 = time.perf_counter(), time.process_time()
        report = sync_once(store, a.url, TOKEN, [load_public_pem(PUB.read_bytes())], deadline_s=300)
        a.cpu_s = round(time.process_time() - c0, 1)  # the whole process: the recorder's share is small
        return report, time.perf_counter() - t0, store.cache_size()


# A probe in a process of its own, on the same CPUs: how late a sleeping thread wakes when
# no interpreter lock is shared, i.e. what the machine's other load costs by itself.
MACHINE_PROBE = """
import json, signal, sys, time
out = []
def stop(*_):
    sys.stdout.write(json.dumps(out)); sys.stdout.flush(); sys.exit(0)
signal.signal(signal.SIGTERM, stop)
while True:
    t0 = time.perf_counter_ns(); time.sleep(0.01); t1 = time.perf_counter_ns()
    out.append((t1, t1 - t0 - 10_000_000))
"""


class _Recorder:
    """The window's store thread meanwhile: a scan event every 50 ms through its own Store,
    each timed whole (the wait for the write lock, the insert, the commit and its fsync:
    synchronous=FULL), and for the slow ones in parts: the lock wait, the COMMIT (its fsync),
    the thread's CPU time, and how late two probes woke meanwhile: a thread of this process
    (the machine's load and the interpreter lock) and a process of its own on the same CPUs
    (the machine's load alone). Their difference is what the syncing thread's hold on the
    interpreter lock cost; what neither probe saw is the store's (the lock, the disk)."""

    def __init__(self, path: Path) -> None:
        self.path, self.stop = path, threading.Event()
        self.totals: list[int] = []
        self.events: list[tuple[int, int, int, int, int]] = []  # slow ones: (start ns, total, lock, commit, CPU)
        self.late: list[tuple[int, int]] = []  # (woke at ns, late ns)
        self.machine: list[tuple[int, int]] = []
        self.t0 = time.perf_counter_ns()
        self._mine = threading.local()
        self._lock_ns = self._commit_ns = 0
        # The other writers' transactions: (wall ns, CPU ns, start ns, the calling function).
        self.held: list[tuple[int, int, int, str]] = []
        self.marks: list[tuple[int, str]] = []  # a bulk job's next transaction: (ns, the job's function)
        self.wal_max = 0

    def __enter__(self) -> _Recorder:
        from checkpoint_app.core.store import store as store_module

        self._begin = getattr(store_module, "begin_immediate", None)  # None: a tree before it (no lock wait)
        if self._begin is not None:
            store_module.begin_immediate = self._timed_begin
        self._transaction = store_module.Store.transaction
        store_module.Store.transaction = lambda store: self._timed_transaction(store)  # type: ignore[method-assign]
        from checkpoint_app.core.store import build as build_module

        self._step_aside = store_module.step_aside
        store_module.step_aside = build_module.step_aside = self._marked_step_aside
        self._probe_process = subprocess.Popen([sys.executable, "-c", MACHINE_PROBE], stdout=subprocess.PIPE)
        self.threads = [threading.Thread(target=self._record), threading.Thread(target=self._probe)]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        from checkpoint_app.core.store import store as store_module

        self.stop.set()
        for t in self.threads:
            t.join()
        from checkpoint_app.core.store import build as build_module

        store_module.step_aside = build_module.step_aside = self._step_aside
        self._probe_process.terminate()
        self.machine = [tuple(s) for s in json.loads(self._probe_process.communicate()[0] or b"[]")]  # type: ignore[misc]
        if self._begin is not None:
            store_module.begin_immediate = self._begin
        store_module.Store.transaction = self._transaction  # type: ignore[method-assign]

    def _marked_step_aside(self) -> None:
        """step_aside, noting which bulk job is about to ask for the write lock again, and when."""
        self._step_aside()
        self.marks.append((time.perf_counter_ns(), sys._getframe(1).f_code.co_name))

    def _timed_begin(self, conn: sqlite3.Connection) -> None:
        t0 = time.perf_counter_ns()
        self._begin(conn)  # type: ignore[misc]
        if getattr(self._mine, "recorder", False):
            self._lock_ns = time.perf_counter_ns() - t0

    @contextlib.contextmanager
    def _timed_transaction(self, store: Any) -> Any:
        """Store.transaction, timed from the write lock taken to the commit done (its automatic
        checkpoint, run after the lock is let go, included) for every thread but the recorder's,
        whose COMMIT is timed alone."""
        with self._transaction(store) as conn:
            t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
            yield conn
            t1 = time.perf_counter_ns()
        if getattr(self._mine, "recorder", False):
            self._commit_ns = time.perf_counter_ns() - t1
        else:
            caller = sys._getframe(2).f_code.co_name
            self.held.append((time.perf_counter_ns() - t0, time.thread_time_ns() - c0, t0, caller))

    def _record(self) -> None:
        from checkpoint_app.core.events import ScanEvent, new_event_id
        from checkpoint_app.core.store import Store

        self._mine.recorder = True
        with Store.open(self.path, check=False) as store:
            while not self.stop.wait(0.05):
                event = ScanEvent(new_event_id(), int(time.time()), "v", "mall", None, None, None, None, (), None,
                                  None, "pass", True, None, 1, "bench")
                t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
                store.record_event(event)
                total = time.perf_counter_ns() - t0
                self.totals.append(total)
                if total > 50_000_000:
                    self.events.append((t0, total, self._lock_ns, self._commit_ns, time.thread_time_ns() - c0))

    def _probe(self) -> None:
        while not self.stop.is_set():
            t0 = time.perf_counter_ns()
            time.sleep(0.01)
            t1 = time.perf_counter_ns()
            self.late.append((t1, t1 - t0 - 10_000_000))
            if len(self.late) % 10 == 0:
                with contextlib.suppress(OSError):
                    self.wal_max = max(self.wal_max, os.stat(str(self.path / "checkpoint.sqlite3-wal")).st_size)

    def figures(self) -> dict[str, Any]:
        held = sorted(self.held, reverse=True)
        slow = [self._slow(*e) for e in self.events]
        return {**_percentiles(self.totals), "slowest": sorted(slow, key=lambda s: -s["ms"])[:12],
                "over_100ms_less_machine_probe": sum(1 for s in slow if s["ms"] - s["machine_ms"] > 100),
                "over_100ms_less_process_probe": sum(1 for s in slow if s["ms"] - s["process_ms"] > 100),
                "wal_max_mb": round(self.wal_max / 2**20, 1),
                "stepped_aside": dict(collections.Counter(job for _, job in self.marks)),
                "probe_late": _percentiles([late for _, late in self.late]),
                "machine_probe_late": _percentiles([late for _, late in self.machine]),
                "other_transactions": {**_percentiles([w for w, *_ in held]),
                                       "longest_wall_cpu_ms": [(round(w / 1e6, 1), round(c / 1e6, 1), job)
                                                               for w, c, _, job in held[:8]]}}

    def _slow(self, t0: int, total: int, lock: int, commit: int, cpu: int) -> dict[str, float]:
        """A slow event in parts (ms), and the most a probe's sleep that overlapped it was late."""
        def overlap(samples: list[tuple[int, int]]) -> float:
            t1 = t0 + total
            return round(max((late for woke, late in samples if woke > t0 and woke - 10_000_000 - late < t1),
                             default=0) / 1e6, 1)

        return {"at_s": round((t0 - self.t0) / 1e9, 1), "ms": round(total / 1e6, 1), "lock_ms": round(lock / 1e6, 1),
                "commit_ms": round(commit / 1e6, 1), "cpu_ms": round(cpu / 1e6, 1),
                "process_ms": overlap(self.late), "machine_ms": overlap(self.machine),
                "holder": self._holder(t0, t0 + lock)}

    def _holder(self, t0: int, t1: int) -> str:
        """Who wrote while the event waited for the lock: the other writers' transactions that
        overlapped [t0, t1] (caller, wall/CPU ms), else the bulk job that last stepped aside."""
        held = [f"{job} {w / 1e6:.0f}/{c / 1e6:.0f}" for w, c, start, job in self.held if start < t1 and start + w > t0]
        if held:
            return "; ".join(held[:3])
        i = bisect.bisect(self.marks, (t1, "\uffff"))
        return f"{self.marks[i - 1][1]} ({(t1 - self.marks[i - 1][0]) / 1e6:.0f} ms before)" if i else "-"


def _recording(path: Path, work: Any) -> tuple[Any, dict[str, Any]]:
    """work() while scan events are recorded as the window does; (result, latency figures)."""
    with _Recorder(path) as recorder:
        result = work()
    return result, recorder.figures()


def floor(a: argparse.Namespace) -> dict[str, Any]:
    """record_event alone, nothing else writing: what the disk and the machine give now."""
    from checkpoint_app.core.store import Store

    Store.open(a.workdir / "floor", check=False).close()
    _, figures = _recording(a.workdir / "floor", lambda: time.sleep(30))
    return {"record_event_alone": figures, "load_average": os.getloadavg()[0]}


def sync(a: argparse.Namespace) -> dict[str, Any]:
    from checkpoint_app.core.store import Store

    shutil.rmtree(a.workdir / "checkpoint", ignore_errors=True)  # a new checkpoint: a first sync
    Store.open(a.workdir / "checkpoint", check=False).close()
    load0 = os.getloadavg()[0]
    (report, seconds, size), latency = _recording(a.workdir / "checkpoint", lambda: _sync(a))
    assert report.ok, report.detail
    path = a.workdir / "checkpoint" / "checkpoint.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    t0 = time.perf_counter()
    Store.open(path.parent, check=True).close()
    return {"sync_s": round(seconds, 1), "cpu_s": a.cpu_s, "pages": report.pages, "entries": report.entries,
            "cache_rows": size,
            "file_bytes": path.stat().st_size, "bytes_per_entry": round(path.stat().st_size / size, 1),
            "open_with_quick_check_s": round(time.perf_counter() - t0, 1),
            "record_event_during_sync": latency, "load_average": [load0, os.getloadavg()[0]],
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def rebuild(a: argparse.Namespace) -> dict[str, Any]:
    """A reset (the platform compacted its log past this checkpoint's cursor): the whole
    cache again, staged and built beside the one in use, while scan events are recorded."""
    from checkpoint_app.authority import schedule
    from checkpoint_app.authority.db import make_engine

    now = int(time.time())
    db = a.workdir / "authority.sqlite3"
    head = schedule.record(make_engine(f"sqlite:///{db}"), [(os.urandom(16), 1, (205,), now) for _ in range(10)], now)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE counters SET value = ? WHERE name = 'horizon'", (head,))
    conn.commit()
    conn.close()
    load0 = os.getloadavg()[0]
    (report, seconds, size), latency = _recording(a.workdir / "checkpoint", lambda: _sync(a))
    assert report.ok and report.rebuilt, report
    return {"rebuild_s": round(seconds, 1), "cpu_s": a.cpu_s, "pages": report.pages, "cache_rows": size,
            "record_event_during_rebuild": latency, "load_average": [load0, os.getloadavg()[0]]}


def append(a: argparse.Namespace) -> dict[str, Any]:
    """100,000 changes to people already in the log (new colours, removals) and new people."""
    from checkpoint_app.authority import schedule
    from checkpoint_app.authority.db import make_engine

    rng = random.Random(a.round)
    now = int(time.time())
    changes = []
    for j in range(CHANGES):
        if j % 4 == 3:
            changes.append((os.urandom(16), 1, (205,), now))
        else:
            i = rng.randrange(1, a.entries + 1)
            changes.append((hid(i), 0, (), now) if j % 4 == 2 else (hid(i), 2, (104,), now))
    schedule.record(make_engine(f"sqlite:///{a.workdir / 'authority.sqlite3'}"), changes, now)
    report, seconds, _ = _sync(a)
    assert report.ok and report.entries == CHANGES, report
    return {"incremental_sync_s": round(seconds, 2), "pages": report.pages}


def _percentiles(samples: list[int]) -> dict[str, float]:
    if not samples:
        return {"n": 0}
    samples.sort()
    at = lambda q: round(samples[min(len(samples) - 1, int(q * len(samples)))] / 1000, 1)  # noqa: E731
    return {"n": len(samples), "p50_us": at(0.5), "p99_us": at(0.99), "max_us": at(1.0),
            "over_100ms": sum(1 for s in samples if s > 100_000_000)}


def _lookups(path: Path, entries: int, stop: threading.Event | None, n: int) -> list[int]:
    from checkpoint_app.core.store import Store

    rng = random.Random(7)
    out: list[int] = []
    with Store.open(path, check=False) as store:
        while len(out) < n or (stop is not None and not stop.is_set()):
            key = hid(rng.randrange(1, entries + 1)) if len(out) % 10 else os.urandom(16)  # 10% misses
            t0 = time.perf_counter_ns()
            store.lookup(key)
            out.append(time.perf_counter_ns() - t0)
            if stop is not None and len(out) % 1000 == 0:
                time.sleep(0.001)  # a checkpoint scans a few codes a second, not in a tight loop
    return out


def _floor(path: Path, entries: int, n: int) -> list[int]:
    """The same keys through a bare sqlite3 connection and query, without unpacking."""
    rng = random.Random(7)
    conn = sqlite3.connect(path / "checkpoint.sqlite3")
    out: list[int] = []
    for j in range(n):
        key = hid(rng.randrange(1, entries + 1)) if j % 10 else os.urandom(16)
        t0 = time.perf_counter_ns()
        conn.execute("SELECT st, at FROM status WHERE hid = ?", (key,)).fetchone()
        out.append(time.perf_counter_ns() - t0)
    conn.close()
    return out


def lookups(a: argparse.Namespace) -> dict[str, Any]:
    path = a.workdir / "checkpoint"
    floor = _percentiles(_floor(path, a.entries, 200_000))
    quiet = _percentiles(_lookups(path, a.entries, None, 200_000))
    stop, busy = threading.Event(), []
    reader = threading.Thread(target=lambda: busy.extend(_lookups(path, a.entries, stop, 1000)))
    reader.start()
    a.round = 2
    sync_figures = append(a)
    stop.set()
    reader.join()
    return {"lookup_floor_bare_sqlite3": floor, "lookup_quiet": quiet, "lookup_during_sync": _percentiles(busy),
            "second_incremental": sync_figures}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pin(a: argparse.Namespace, cpu: int) -> Any:
    """With --pin (Linux): the checkpoint's phases on CPU 0, the authority on CPU 1, so that the
    authority's page signing does not take the checkpoint's CPU (on site it is another machine)."""
    return (lambda: os.sched_setaffinity(0, {cpu})) if a.pin else None


def _phase(a: argparse.Namespace, name: str, *extra: str) -> dict[str, Any]:
    cmd = [sys.executable, __file__, name, "--entries", str(a.entries), "--workdir", str(a.workdir), *extra]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, preexec_fn=_pin(a, 0)).stdout
    print(f"{name}: {out.strip()}", file=sys.stderr, flush=True)
    result: dict[str, Any] = json.loads(out)
    return result


def run(a: argparse.Namespace) -> dict[str, Any]:
    a.workdir.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {"entries": a.entries}
    if not (a.workdir / "authority.sqlite3").exists():
        figures |= _phase(a, "seed")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-c", "import sys; from checkpoint_app.authority.cli import main; "
                               "sys.exit(main())", "serve", "--db", str(a.workdir / "authority.sqlite3"),
                               "--key", str(KEY), "--port", str(port), "--threads", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, preexec_fn=_pin(a, 1))
    try:
        url = f"http://127.0.0.1:{port}"
        _wait(port)
        for name, key in (("floor", "floor"), ("sync", "full"), ("append", "incremental"), ("lookups", "lookups"),
                          ("rebuild", "rebuild")):
            if name in a.phases:
                figures[key] = _phase(a, name, "--url", url)
    finally:
        server.terminate()
        server.wait()
    return figures


def _wait(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the authority did not start")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("phase", choices=["run", "seed", "floor", "sync", "append", "lookups", "rebuild"])
    p.add_argument("--entries", type=int, default=10_000_000)
    p.add_argument("--workdir", type=Path, default=Path("/tmp/store-bench"))
    p.add_argument("--url")
    p.add_argument("--round", type=int, default=1)
    p.add_argument("--pin", action="store_true", help="checkpoint on CPU 0, authority on CPU 1 (Linux)")
    p.add_argument("--phases", type=lambda v: v.split(","), default=["floor", "sync", "append", "lookups", "rebuild"],
                   help="the phases of `run`, comma-separated (default: all; rebuild needs sync)")
    a = p.parse_args()
    phases = {"run": run, "seed": seed, "floor": floor, "sync": sync, "append": append, "lookups": lookups,
              "rebuild": rebuild}
    print(json.dumps(phases[a.phase](a)), flush=True)


if __name__ == "__main__":
    main()
