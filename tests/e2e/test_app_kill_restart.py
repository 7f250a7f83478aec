"""The whole app in its own process, fed by a serial scanner on a pseudo-terminal: a
SIGKILL after decisions were recorded, then a restart, loses none of them, and the
restarted app scans again. The outbox is read the way an operator would, with
`checkpoint-app export`, from another process while the app runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.demo.people import demo_codes
from tests.support.waiting import wait_for

# export reads dates in the station's time zone (Asia/Shanghai), not this machine's: a window of
# three days holds "now" in both
FROM, TO = (time.strftime("%Y-%m-%d", time.gmtime(time.time() + d * 86400)) for d in (-1, 1))


class Site:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.settings = base / "settings.json"
        # camera "none": the serial scanner is the only source; the bundled demo documents decide
        self.settings.write_text(json.dumps({"scanner_serial_port": os.ttyname(self._slave), "camera": "none"}))
        self.log = base / "log" / "checkpoint.log"
        self.env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CHECKPOINT_LOG_DIR": str(base / "log"),
                    "CHECKPOINT_CONFIG_DIR": str(base / "config"), "CHECKPOINT_CACHE_DIR": str(base / "cache")}
        self.app: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        opened = self._log_text().count("serial_scanner port")
        command = [sys.executable, "-m", "checkpoint_app", "--config", str(self.settings),
                   "--data-dir", str(self.base / "data")]
        self.app = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # pyserial empties the port's input when it opens it: scan only after that
        wait_for(lambda: self._log_text().count("serial_scanner port") > opened, 30, "the app to open the scanner port")

    def scan(self, text: str) -> None:
        os.write(self.master, text.encode() + b"\r")

    def recorded(self) -> list[dict[str, object]]:
        done = subprocess.run([sys.executable, "-m", "checkpoint_app", "export", "--from", FROM, "--to", TO,
                               "--format", "jsonl", "--data-dir", str(self.base / "data")],
                              env=self.env, capture_output=True, text=True, timeout=30, check=True)
        return [json.loads(line) for line in done.stdout.splitlines()]

    def kill(self, sig: int) -> None:
        assert self.app is not None
        os.kill(self.app.pid, sig)
        self.app.wait(30)

    def close(self) -> None:
        if self.app is not None and self.app.poll() is None:
            self.kill(signal.SIGKILL)
        os.close(self.master)
        os.close(self._slave)

    def _log_text(self) -> str:
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    s = Site(tmp_path)
    yield s
    s.close()


def test_sigkill_then_restart_loses_no_recorded_decision(site: Site) -> None:
    codes = {c.label: c.text for c in demo_codes(int(time.time()))}
    site.start()
    for count, label in enumerate(("forged", "yellow", "expired"), start=1):
        site.scan(codes[label])
        wait_for(lambda n=count: len(site.recorded()) == n, 30, f"the {label} decision to be recorded")
    before = site.recorded()
    assert sorted(str(e["action"]) for e in before) == ["home_isolation", "invalid_code", "invalid_code"]

    site.kill(signal.SIGKILL)  # no shutdown path, no flush, no goodbye
    site.start()
    assert site.recorded() == before  # every recorded decision survived, unchanged

    site.scan(codes["red-turn-back"])  # and the restarted app scans again
    wait_for(lambda: len(site.recorded()) == 4, 30, "a decision after the restart")
    after = {str(e["event_id"]): e for e in site.recorded()}
    new = [e for key, e in after.items() if key not in {str(b["event_id"]) for b in before}]
    assert [after[str(b["event_id"])] for b in before] == before
    assert [e["action"] for e in new] == ["turn_back_isolation"]
    assert "JKM1:" not in site.log.read_text(encoding="utf-8")  # scans are logged by length only
