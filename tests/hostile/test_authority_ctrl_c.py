"""Ctrl-C (SIGINT) at `checkpoint-authority serve` while it starts: importing, creating a new
database, publishing the documents, making the app, and just after it listens. Before, any
moment before the listener printed a Python traceback (and exit 1, or 0 once waitress had
swallowed it), and pysqlite committed each CREATE of a new database on its own, so a start
stopped halfway left a database with some tables, or a table without its index, that no
later start completed. Now: one line, exit status 130, the database as it was or complete,
and the next start serves."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.nginx import free_port, wait_for_port
from tests.support.signed_docs import DIST_KEY, genuine_documents

# The real program (the console script's entry point), with a Ctrl-C sent by the process to
# itself just before its Nth SQL statement (an operator's key press while that statement
# runs), and a second one M statements later (pressed again while it leaves), M 0: none.
SCRIPT = """
import os, signal, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine
first, again = int(os.environ["CTRL_C_AT"]), int(os.environ["CTRL_C_AGAIN"])
seen = 0
@event.listens_for(Engine, "before_cursor_execute")
def _statement(*_args):
    global seen
    seen += 1
    if seen == first or (again and seen == first + again):
        os.kill(os.getpid(), signal.SIGINT)
    if os.environ.get("COUNT_STATEMENTS"):
        sys.stderr.write(f"statement {seen}\\n")
from checkpoint_app.authority.entry import main
sys.exit(main())
"""
ENTRY = "import sys; from checkpoint_app.authority.entry import main; sys.exit(main())"


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("documents")
    docs = genuine_documents(folder, int(time.time()))
    (folder / "trust.cose").write_bytes(docs.trust_list)
    (folder / "policy.cose").write_bytes(docs.policy)
    return folder / "trust.cose", folder / "policy.cose"


def _serve_args(db: Path, documents: tuple[Path, Path], port: int) -> list[str]:
    return ["serve", "--db", str(db), "--key", str(DIST_KEY), "--port", str(port),
            "--trust-list", str(documents[0]), "--policy", str(documents[1])]


def _run(script: str, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", script, *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60)


def _schema(db: Path) -> tuple[set[str], set[str]]:
    """The names in the schema and the counters, read without the program's code."""
    with sqlite3.connect(db) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}
        counters = {r[0] for r in conn.execute("SELECT name FROM counters")} if "counters" in names else set()
    return names, counters


def _assert_stopped(done: subprocess.CompletedProcess[str], when: str) -> None:
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, f"{when}: {done.stderr[-3000:]}"
    said = [line for line in done.stderr.splitlines() if "Ctrl-C" in line]
    assert said == ["checkpoint-authority serve: stopped (Ctrl-C)"] or \
        (said == ["checkpoint-authority: stopped (Ctrl-C)"] and when == "importing"), f"{when}: {done.stderr}"
    assert done.returncode == 130, f"{when}: exit {done.returncode}: {done.stderr[-2000:]}"


def _assert_serves_after(db: Path, documents: tuple[Path, Path]) -> None:
    """The next start serves the documents, from a database as a start without Ctrl-C makes it."""
    _assert_stopped(_interrupt_once_listening(db, documents, [], timeout_s=30), "after listening")


def _interrupt_once_listening(db: Path, documents: tuple[Path, Path], extra: list[str],
                              timeout_s: float) -> subprocess.CompletedProcess[str]:
    """Start serve, wait until it listens, press Ctrl-C; what it printed and its exit status."""
    port = free_port()
    with subprocess.Popen([sys.executable, "-c", ENTRY, *_serve_args(db, documents, port), *extra],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as proc:
        try:
            wait_for_port(port, proc, timeout_s=60)
        finally:
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=timeout_s)
    return subprocess.CompletedProcess(proc.args, proc.returncode, "", err)


@pytest.fixture(scope="module")
def full_start(tmp_path_factory: pytest.TempPathFactory, documents: tuple[Path, Path]) -> tuple[int, set[str]]:
    """How many statements a start on a new database runs, and the schema it leaves."""
    db = tmp_path_factory.mktemp("reference") / "authority.sqlite3"
    port = free_port()
    env = {**os.environ, "CTRL_C_AT": "0", "CTRL_C_AGAIN": "0", "COUNT_STATEMENTS": "1"}
    with subprocess.Popen([sys.executable, "-c", SCRIPT, *_serve_args(db, documents, port)], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as proc:
        try:
            wait_for_port(port, proc, timeout_s=60)
        finally:
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=30)
    statements = sum(1 for line in err.splitlines() if line.startswith("statement "))
    names, counters = _schema(db)
    assert statements > 20 and len(counters) == 7, err[-2000:]
    return statements, names


@pytest.mark.parametrize("share", [0.0, 0.2, 0.5, 0.8, 1.0])
@pytest.mark.parametrize("again", [0, 1])
def test_ctrl_c_while_a_new_database_is_made_and_the_documents_published(
        tmp_path: Path, documents: tuple[Path, Path], full_start: tuple[int, set[str]], share: float,
        again: int) -> None:
    statements, reference = full_start
    at = max(1, round(share * statements))
    db = tmp_path / "authority.sqlite3"
    done = _run(SCRIPT, _serve_args(db, documents, free_port()), {"CTRL_C_AT": str(at), "CTRL_C_AGAIN": str(again)})
    _assert_stopped(done, f"statement {at} of {statements}")
    if db.exists():
        names, counters = _schema(db)
        assert names in (set(), reference), f"half a schema after Ctrl-C at statement {at}: {reference - names}"
        assert counters in (set(), {"head", "horizon", "epoch", "floor:trust-list", "floor:policy", "generation",
                                    "checkpoints"})
    _assert_serves_after(db, documents)
    assert _schema(db)[0] == reference


@pytest.mark.parametrize("after_s", [0.05, 0.2, 0.4, 0.8])
def test_ctrl_c_from_outside_at_moments_of_the_start(tmp_path: Path, documents: tuple[Path, Path],
                                                     full_start: tuple[int, set[str]], after_s: float) -> None:
    """A real key press from outside, at times that fall on the imports, the database and
    the listener (which moment each is depends on the machine's load; all must hold)."""
    db = tmp_path / "authority.sqlite3"
    port = free_port()
    with subprocess.Popen([sys.executable, "-c", ENTRY, *_serve_args(db, documents, port)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as proc:
        time.sleep(after_s)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.01)
        proc.send_signal(signal.SIGINT)  # pressed twice
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err, f"{after_s} s: {err[-3000:]}"
    if proc.returncode == -signal.SIGINT:  # a loaded machine: before Python itself took the signal over
        assert err == "" and not db.exists()
    else:
        assert proc.returncode == 130, f"{after_s} s: exit {proc.returncode}: {err[-3000:]}"
        assert len([line for line in err.splitlines() if "stopped (Ctrl-C)" in line]) == 1, err
    if db.exists():
        assert _schema(db)[0] in (set(), full_start[1])
    _assert_serves_after(db, documents)


def test_ctrl_c_just_after_it_listens(tmp_path: Path, documents: tuple[Path, Path]) -> None:
    db = tmp_path / "authority.sqlite3"
    _assert_serves_after(db, documents)  # a first start, stopped as soon as it listens
    _assert_serves_after(db, documents)  # and again on the database it left


def test_ctrl_c_and_a_read_only_database(tmp_path: Path, documents: tuple[Path, Path]) -> None:
    """The database's file system read-only (a full or failing disk remounted): a start says so
    in one line (exit 2); a Ctrl-C during that start is the Ctrl-C line; never a traceback."""
    from tests.support.small_disk import small_disk

    with small_disk(tmp_path / "disk", "16m") as disk:
        db = disk / "authority.sqlite3"
        _assert_serves_after(db, documents)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        plain = _run(ENTRY, _serve_args(db, documents, free_port()), {})
        assert plain.returncode == 2 and "Traceback" not in plain.stderr, plain.stderr
        assert plain.stderr.splitlines()[-1].startswith("checkpoint-authority serve: error: cannot open the database")
        for at in (1, 2, 3):
            done = _run(SCRIPT, _serve_args(db, documents, free_port()), {"CTRL_C_AT": str(at), "CTRL_C_AGAIN": "1"})
            assert "Traceback" not in done.stderr, done.stderr
            assert done.returncode in (2, 130), done.stderr


def test_ctrl_c_with_worker_processes(tmp_path: Path, documents: tuple[Path, Path]) -> None:
    """`serve --workers 2` (gunicorn): its master left with exit status 0 on Ctrl-C."""
    from checkpoint_app.authority import workers

    if not workers.available():
        pytest.skip("gunicorn is not installed")
    db = tmp_path / "authority.sqlite3"
    _assert_stopped(_interrupt_once_listening(db, documents, ["--workers", "2"], timeout_s=60), "with workers")
    _assert_serves_after(db, documents)


@pytest.mark.parametrize("workers", [[], ["--workers", "2"]])
def test_sigterm_stops_serve_cleanly_and_writes_the_fleets_last_minute(tmp_path: Path, documents: tuple[Path, Path],
                                                                      workers: list[str]) -> None:
    """`systemctl stop` sends SIGTERM. `serve` (one process) died of it where it stood: no line,
    and the checkpoints' health it holds in memory for up to a minute was lost; gunicorn's
    workers left without writing it either. Now: exit status 0 (systemd's clean stop), what the
    fleet view held written first, and without workers one line that says so."""
    import requests

    db = tmp_path / "authority.sqlite3"
    _assert_serves_after(db, documents)  # a database with its schema and documents
    token = _run(ENTRY, ["register-checkpoint", "--db", str(db), "CP-TERM-1"], {}).stdout.strip()
    port = free_port()
    with subprocess.Popen([sys.executable, "-c", ENTRY, *_serve_args(db, documents, port), *workers],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as proc:
        try:
            wait_for_port(port, proc, timeout_s=60)
            for version in ("1.0.0", "1.0.1"):  # the first is written at once, the second held for a minute
                answer = requests.get(f"http://127.0.0.1:{port}/v1/status", params={"since": 0}, timeout=10,
                                      headers={"Authorization": f"Bearer {token}", "X-Checkpoint-Version": version})
                assert answer.status_code == 200, answer.text
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in err, err[-3000:]
    if not workers:
        assert [line for line in err.splitlines() if "stopped" in line] == [
            "checkpoint-authority serve: stopped (SIGTERM)"]
    assert _written_version(db, "CP-TERM-1") == "1.0.1"


@pytest.mark.slow
def test_sigterm_while_another_process_locks_the_database_waits_and_writes(tmp_path: Path,
                                                                          documents: tuple[Path, Path]) -> None:
    """Attack finding: a backup or an import holding the SQLite database for longer than its
    10 s busy timeout when systemd stops `serve`: the fleet's last write failed once, two
    tracebacks and several KB of SQL went to the log, and the checkpoints' health was lost.
    Now the write is tried again while only a lock is in the way, and a failure is one line."""
    import requests

    db = tmp_path / "authority.sqlite3"
    _assert_serves_after(db, documents)
    token = _run(ENTRY, ["register-checkpoint", "--db", str(db), "CP-LOCK-1"], {}).stdout.strip()
    port = free_port()
    with subprocess.Popen([sys.executable, "-c", ENTRY, *_serve_args(db, documents, port)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as proc:
        try:
            wait_for_port(port, proc, timeout_s=60)
            answer = requests.get(f"http://127.0.0.1:{port}/v1/status", params={"since": 0}, timeout=10,
                                  headers={"Authorization": f"Bearer {token}", "X-Checkpoint-Version": "2.0.0"})
            assert answer.status_code == 200, answer.text
            lock = sqlite3.connect(db, isolation_level=None)
            lock.execute("BEGIN EXCLUSIVE")
            proc.send_signal(signal.SIGTERM)
            time.sleep(13)  # longer than the database's own 10 s wait
            lock.execute("ROLLBACK")
            lock.close()
        finally:
            proc.send_signal(signal.SIGTERM)  # ignored while it leaves; ends it if the test failed early
            _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "Traceback" not in err and "SELECT" not in err and "INSERT" not in err, err[-3000:]
    assert _written_version(db, "CP-LOCK-1") == "2.0.0"


def _written_version(db: Path, checkpoint_id: str) -> str:
    """The app version the fleet table holds for a checkpoint, read without the program."""
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT version FROM checkpoint_health WHERE checkpoint_id = ?", (checkpoint_id,)).fetchone()
    assert row is not None, f"no fleet row for {checkpoint_id}"
    return str(row[0])
