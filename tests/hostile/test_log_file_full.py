"""The log file on a disk that fills up and frees again (a real tmpfs): one line on stderr
when writing starts to fail, none per record, one when it works again -- the stock handler
printed a "--- Logging error ---" traceback and call stack for every record."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint_app.logs import LogFile
from tests.support.small_disk import fill, small_disk


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "disk", "1m") as mount:
        yield mount


def test_a_full_log_disk_is_said_once_and_logging_resumes(disk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    handler = LogFile(disk / "checkpoint.log", 2_000_000, 2)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("checkpoint.test-log-file")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("before")
        filler = fill(disk)
        for i in range(200):
            logger.info("record %d while the disk is full: %s", i, "x" * 200)
        err = capsys.readouterr().err
        assert err.splitlines() == [f"checkpoint: cannot write the log {disk / 'checkpoint.log'} "
                                    "(No space left on device); its records are dropped until it can"]
        filler.unlink()
        logger.info("after")
        assert capsys.readouterr().err == f"checkpoint: writing the log {disk / 'checkpoint.log'} works again\n"
        lines = (disk / "checkpoint.log").read_text().splitlines()
        assert lines[0] == "before" and lines[-1] == "after"
    finally:
        logger.removeHandler(handler)
        handler.close()
