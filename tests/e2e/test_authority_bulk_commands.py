"""The province's bulk commands as an operator runs them (issue 12, item 3): import-statuses
applies a file once however often it is run, goes on after being killed mid-file, holds
scheduled rows until due, and refuses a bad file whole; register-checkpoints writes the
same token sheet again from its token key and never gives a revoked checkpoint its token
back. Compaction in small chunks gives the same log as in one piece."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from checkpoint_app.authority import schedule, statuslog
from checkpoint_app.authority.db import make_engine, status_imports, status_log
from checkpoint_app.authority.platform import Authority
from tests.support.authority_process import LAUNCHER, authority_cli

KEY = b"h" * 32


def _log(db: Path) -> list[tuple[bytes, int, str, int]]:
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(select(status_log.c.hid, status_log.c.color, status_log.c.reasons,
                                   status_log.c.effective_at).order_by(status_log.c.seq)).all()
    engine.dispose()
    return [(bytes(h), c, r, at) for h, c, r, at in rows]


def test_import_statuses_applies_a_file_once_and_holds_scheduled_rows(tmp_path: Path) -> None:
    db, now = tmp_path / "a.sqlite3", int(time.time())
    (tmp_path / "hid.key").write_bytes(KEY)
    people = [os.urandom(16) for _ in range(300)]
    lines = ["hid,id_number,color,reasons,effective_at"] + [f"{h.hex()},,red,103;201,{now - 60}" for h in people]
    lines += [",140105199001010913,yellow,202,",  # by number
              f"{people[0].hex()},,green,,{now + 3600}"]  # a removal later
    (tmp_path / "s.csv").write_text("\n".join(lines) + "\n")
    out = authority_cli("import-statuses", "--db", str(db), str(tmp_path / "s.csv"), "--hid-key",
                        str(tmp_path / "hid.key"))
    assert "302 changes" in out and "301 applied now" not in out
    logged = _log(db)
    assert len(logged) == 301 and logged[0] == (people[0], 2, "103,201", now - 60)
    assert "140105199001010913" not in out and b"140105199001010913" not in db.read_bytes()
    engine = make_engine(f"sqlite:///{db}")
    assert schedule.pending(engine, people[0]) == [(people[0], 0, (), now + 3600)]  # held until due
    again = authority_cli("import-statuses", "--db", str(db), str(tmp_path / "s.csv"), "--hid-key",
                          str(tmp_path / "hid.key"))
    assert "0 applied now" in again and len(_log(db)) == 301


def test_a_bad_line_refuses_the_whole_file(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    (tmp_path / "s.csv").write_text(f"hid,color\n{'ab' * 16},red\n{'cd' * 16},purple\n")
    done = subprocess.run([sys.executable, "-c", LAUNCHER, "import-statuses", "--db", str(db), str(tmp_path / "s.csv")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "line 3: color" in done.stderr and "nothing imported" in done.stderr
    assert "Traceback" not in done.stderr and _log(db) == []


def test_an_import_killed_mid_file_goes_on_where_it_stopped(tmp_path: Path) -> None:
    db, now = tmp_path / "a.sqlite3", int(time.time())
    people = [os.urandom(16) for _ in range(20_000)]
    (tmp_path / "s.csv").write_text("hid,color,reasons,effective_at\n"
                                    + "".join(f"{h.hex()},red,103,{now - 5}\n" for h in people))
    make_engine(f"sqlite:///{db}").dispose()
    proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, "import-statuses", "--db", str(db), "--chunk", "100",
                             str(tmp_path / "s.csv")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    engine = make_engine(f"sqlite:///{db}")
    done = 0
    while done < 1000 and proc.poll() is None:
        with engine.connect() as conn:
            done = conn.execute(select(func.max(status_imports.c.done))).scalar() or 0
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    part = len(_log(db))
    assert 0 < part < len(people), "the kill came too late to test a resumed import"
    authority_cli("import-statuses", "--db", str(db), str(tmp_path / "s.csv"))
    assert [h for h, _, _, _ in _log(db)] == people  # each once, in the file's order


def _sheet(path: Path) -> list[list[str]]:
    return [line.split(",") for line in path.read_text().splitlines()[1:]]


def test_register_checkpoints_writes_the_same_sheet_again_but_never_revives_a_revoked_token(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    (tmp_path / "token.key").write_bytes(os.urandom(32))
    (tmp_path / "c.csv").write_text("checkpoint_id,venue_id,venue_type\n"
                                    + "".join(f"TY-{i:04d},140105-mall-{i},mall\n" for i in range(300)))
    args = ("register-checkpoints", "--db", str(db), str(tmp_path / "c.csv"), "--token-key",
            str(tmp_path / "token.key"))
    authority_cli(*args, "--out", str(tmp_path / "one.csv"))
    one = _sheet(tmp_path / "one.csv")
    assert len(one) == 300 and all(r[2].startswith(r[0] + ".") and len(r[2]) == len(r[0]) + 33 for r in one)
    assert oct((tmp_path / "one.csv").stat().st_mode & 0o777) == "0o600"
    authority_cli(*args, "--out", str(tmp_path / "two.csv"))
    assert [r[:3] for r in _sheet(tmp_path / "two.csv")] == [r[:3] for r in one]  # a lost sheet is written again
    authority_cli("revoke-checkpoint", "--db", str(db), "TY-0007")
    authority_cli(*args, "--out", str(tmp_path / "three.csv"))
    assert _sheet(tmp_path / "three.csv")[7][2] == "" and "revoked" in _sheet(tmp_path / "three.csv")[7][3]
    authority = Authority.open(f"sqlite:///{db}", None)
    assert authority.checkpoint_for(one[7][2]) is None and authority.checkpoint_for(one[8][2]) == "TY-0008"
    other_key = tmp_path / "other.key"
    other_key.write_bytes(os.urandom(32))
    authority_cli("register-checkpoints", "--db", str(db), str(tmp_path / "c.csv"), "--token-key", str(other_key),
                  "--out", str(tmp_path / "four.csv"))
    assert all(r[2] == "" and "registered before" in r[3] for r in _sheet(tmp_path / "four.csv")[8:])


def test_compaction_in_small_chunks_keeps_the_newest_entry_and_raises_the_horizon(tmp_path: Path) -> None:
    results = []
    for chunk in (7, 10_000):
        authority = Authority.open(f"sqlite:///{tmp_path / f'c{chunk}.sqlite3'}", None)
        people = [bytes([i]) * 16 for i in range(40)]
        authority.set_statuses([(h, 2, (103,), 1000 + i) for i, h in enumerate(people)])
        authority.set_statuses([(h, 0, (), 2000 + i) for i, h in enumerate(people[:10])])  # removals
        authority.set_statuses([(h, 1, (201,), 3000 + i) for i, h in enumerate(people[30:])])
        result = statuslog.compact(authority.engine, drop_removals_before=2005, chunk=chunk)
        results.append((result, _log(tmp_path / f"c{chunk}.sqlite3")))
    (small, log_small), (whole, log_whole) = results
    assert small == whole and log_small == log_whole
    assert whole.deleted == 10 + 10 + 5 and whole.horizon == 45  # superseded; removals dated before 2005
    assert len(log_whole) == 40 - 5
