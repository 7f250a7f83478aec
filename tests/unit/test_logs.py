"""Log files: rotation, redaction of personal data, run markers and the crash handler."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.crash import CrashHandler, RunMarker
from checkpoint_app.logs import LOG_FILE, redact, setup_logging

PAYLOAD = "JKM1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEPWK G2EP4J0B$ZD4N9:9S6RCVN5+O30K3/XIV0W2"


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[Path]:
    path = setup_logging(tmp_path / "logs", "INFO", max_bytes=4000, backups=2)
    yield path
    for h in [h for h in logging.getLogger().handlers if getattr(h, "_checkpoint", False)]:
        logging.getLogger().removeHandler(h)
        h.close()


def flush() -> None:
    for h in logging.getLogger().handlers:
        h.flush()


@pytest.mark.parametrize(("text", "gone"), [
    (f"scan {PAYLOAD} decided", PAYLOAD[5:25]),
    (f"lowercase {PAYLOAD.lower()}", PAYLOAD.lower()[5:25]),
    ("holder 140105199001010916 seen", "140105199001010916"),
    ("old card 14010519900101X done", "14010519900101X"),
    ("doc 1401**********0916 shown", "**********"),
    ("name 王*廉 shown", "王*廉"),
    ("base45 run " + "ABCD1234" * 10, "ABCD1234ABCD1234"),
])
def test_redaction(text: str, gone: str) -> None:
    clean = redact(text)
    assert gone not in clean and "redacted" in clean


@pytest.mark.parametrize("text", [
    "decision pass for hid 00112233445566778899aabbccddeeff in 4.2 ms",
    "sync: 1583200000 status page 7, 1200 entries", "temperature 36.5", "camera /dev/video0 lost",
])
def test_ordinary_lines_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_files_hold_no_payload_even_in_tracebacks(logs: Path) -> None:
    log = logging.getLogger("checkpoint.decode")
    log.info("decoded %s", PAYLOAD)  # a bug elsewhere: the filter is the safety net
    try:
        raise ValueError(f"bad code {PAYLOAD} for 140105199001010916")
    except ValueError:
        log.exception("decode failed")
    flush()
    text = logs.read_text(encoding="utf-8")
    assert "checkpoint.decode" in text and "ValueError" in text
    assert PAYLOAD[5:20] not in text and "140105199001010916" not in text


def test_levels_per_subsystem_and_quiet_libraries(logs: Path) -> None:
    logging.getLogger("checkpoint.sync").info("sync ok")
    logging.getLogger("checkpoint.sync").debug("sync detail")
    logging.getLogger("urllib3").info("connection pool chatter")
    flush()
    text = logs.read_text(encoding="utf-8")
    assert "sync ok" in text and "sync detail" not in text and "chatter" not in text


def test_files_rotate(logs: Path) -> None:
    for i in range(200):
        logging.getLogger("checkpoint.app").info("line %d %s", i, "x" * 50)
    flush()
    names = sorted(p.name for p in logs.parent.iterdir())
    assert names == [LOG_FILE, f"{LOG_FILE}.1", f"{LOG_FILE}.2"]
    assert all(p.stat().st_size <= 4200 for p in logs.parent.iterdir())


def test_bad_level_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="log level 'LOUD'"):
        setup_logging(tmp_path, "LOUD")


def test_marker_tells_clean_exit_crash_and_kill(tmp_path: Path) -> None:
    marker = RunMarker(tmp_path / "run-state.json")
    assert marker.start() == "none (first start)"
    marker.clean_exit()
    assert marker.start() == "clean exit"
    marker.crashed("ZeroDivisionError at x.py:3 in f")
    assert marker.start() == "crashed: ZeroDivisionError at x.py:3 in f"
    assert marker.start().startswith("killed or lost power")  # "running" was never closed
    (tmp_path / "run-state.json").write_text("{half a fi")
    assert marker.start().startswith("unknown")


def test_crash_handler_logs_shows_out_of_service_and_restarts(tmp_path: Path, logs: Path) -> None:
    marker = RunMarker(tmp_path / "run-state.json")
    marker.start()
    steps: list[str] = []
    handler = CrashHandler(marker, show_out_of_service=lambda: steps.append("out of service"),
                           restart=lambda: steps.append("restart")).install()
    try:
        thread = threading.Thread(target=lambda: 1 / 0, name="decode")
        thread.start()
        thread.join()
    finally:
        handler.uninstall()
    flush()
    assert steps == ["out of service", "restart"]
    text = logs.read_text(encoding="utf-8")
    assert "BUG: unhandled ZeroDivisionError at test_logs.py" in text and "thread decode" in text
    assert marker.start().startswith("crashed: ZeroDivisionError at test_logs.py")


def test_a_failing_out_of_service_screen_does_not_stop_the_restart(tmp_path: Path, logs: Path) -> None:
    steps: list[str] = []

    def broken_screen() -> None:
        raise RuntimeError("screen gone")

    handler = CrashHandler(RunMarker(tmp_path / "m.json"), show_out_of_service=broken_screen,
                           restart=lambda: steps.append("restart"))
    try:
        raise KeyError("x")
    except KeyError as exc:
        handler.handle(KeyError, exc, exc.__traceback__, thread="MainThread")
    assert steps == ["restart"]


APP = """
import sys, threading
from pathlib import Path
from checkpoint_app.crash import CrashHandler, RunMarker
from checkpoint_app.logs import setup_logging
folder = Path(sys.argv[1])
setup_logging(folder)
marker = RunMarker(folder / "run-state.json")
marker.start()
CrashHandler(marker, show_out_of_service=lambda: print("OUT OF SERVICE", flush=True)).install()
print("ready", flush=True)
if sys.argv[2] == "crash":
    {}["missing"]
sys.stdin.readline()
"""


def run_app(folder: Path, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", APP, str(folder), mode], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


def test_next_start_knows_it_was_killed_or_crashed(tmp_path: Path) -> None:
    with run_app(tmp_path, "wait") as app:
        assert app.stdout is not None and app.stdout.readline() == "ready\n"
        os.kill(app.pid, signal.SIGKILL)
        app.wait(10)
    assert RunMarker(tmp_path / "run-state.json").start().startswith("killed or lost power")

    with run_app(tmp_path, "crash") as app:
        out, _ = app.communicate(timeout=30)
    assert out == "ready\nOUT OF SERVICE\n" and app.returncode == 1  # our hook ran; Python still exits 1
    crash_line = APP.splitlines().index('    {}["missing"]') + 1
    assert RunMarker(tmp_path / "run-state.json").start() == \
        f"crashed: KeyError at <string>:{crash_line} in <module> (thread MainThread)"
    text = (tmp_path / LOG_FILE).read_text(encoding="utf-8")
    assert "previous run: killed or lost power" in text and "BUG: unhandled KeyError" in text
