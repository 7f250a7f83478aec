"""Logging for weeks of unattended running: rotating files, one logger per subsystem, no personal data.

Subsystem loggers are children of "checkpoint": checkpoint.app, .kiosk, .camera, .decode,
.store, .sync, .hardware.thermometer, .hardware.gate, .hardware.serial_scanner, .hardware.id_card_reader,
.hardware.wedge, .qt (Qt's own messages), .crash. Their level is `level`; other libraries
log WARNING and up.

Personal data is kept out by design, and the filter is only the safety net: code MUST NOT
pass names, document numbers or payload text to a logger (log lengths, error codes, the
pseudonymous hid at most). The filter still rewrites, in messages and tracebacks alike,
anything that looks like a JKM1 payload, a long Base45 run, an 15-18 character ID number
or a masked name/document as printed on the result screen.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

LOG_FILE = "checkpoint.log"
ROOT = "checkpoint"
HANDLER_NAME = "checkpoint_app.logs"  # marks the handlers setup_logging added, to replace them

_PATTERNS = (
    (re.compile(r"JKM1:[0-9A-Z $%*+\-./:]*[0-9A-Z$%*+\-./:]", re.IGNORECASE), "[JKM1 payload redacted]"),
    (re.compile(r"(?<![0-9A-Za-z])[0-9A-Z$%*+\-./:]{60,}"), "[long code redacted]"),
    (re.compile(r"(?<![0-9A-Za-z])\d{14,17}[0-9Xx](?![0-9A-Za-z])"), "[id number redacted]"),
    (re.compile(r"\d{1,6}\*{3,}\d{0,4}[0-9Xx]?"), "[masked document redacted]"),
    (re.compile(r"[\u4e00-\u9fff]+\*+[\u4e00-\u9fff]*"), "[masked name redacted]"),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactFilter(logging.Filter):
    """Rewrites the record's message (and traceback) so that no handler sees the original."""

    _exceptions = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._exceptions.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class LogFile(logging.handlers.RotatingFileHandler):
    """The rotating log file, calm when its disk refuses (full, read-only, gone): one line
    on stderr when writing starts to fail and one when it works again, and the records in
    between are dropped. The stock handler printed a "--- Logging error ---" traceback with
    its call stack for every record -- dozens a second on a full disk, into the journal."""

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        super().__init__(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8", delay=True)
        self.failing: str | None = None  # why writing fails, while it does

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.failing is not None:  # end the line a failed write may have left torn
                if self.stream is None:
                    self.stream = self._open()
                self.stream.write(self.terminator)
            super().emit(record)
        except Exception:  # the stock emit catches and calls handleError; the line end above does not
            self.handleError(record)
            return
        if self.failing is not None and self.stream is not None:
            sys.stderr.write(f"checkpoint: writing the log {self.baseFilename} works again\n")
            self.failing = None

    def handleError(self, record: logging.LogRecord) -> None:
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            super().handleError(record)  # a bug in a message (bad arguments): the stock report
            return
        if self.failing is None:
            self.failing = exc.strerror or str(exc)
            sys.stderr.write(f"checkpoint: cannot write the log {self.baseFilename} ({self.failing}); "
                             "its records are dropped until it can\n")
        if self.stream is not None:  # reopened at the next record: a rotation may have half-happened
            with contextlib.suppress(OSError):
                self.stream.close()
            self.stream = None


def setup_logging(log_dir: Path, level: str | int = "INFO", *, max_bytes: int = 2_000_000, backups: int = 5,
                  console: bool = False) -> Path:
    """Log to `log_dir`/checkpoint.log (rotating: at most (backups+1) x max_bytes on disk).

    Safe to call again (a settings change): the handlers it added before are replaced."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
        old.close()
    handlers: list[logging.Handler] = [LogFile(path, max_bytes, backups)]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    formatter = logging.Formatter("%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s")
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactFilter())
        handler.set_name(HANDLER_NAME)
        root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger(ROOT).setLevel(_level(level))
    logging.captureWarnings(True)
    return path


def _level(level: str | int) -> int:
    if isinstance(level, int):
        return level
    value = logging.getLevelName(level.upper())
    if not isinstance(value, int):
        raise ValueError(f"log level {level!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    return value


def route_qt_messages() -> Callable[..., Any] | None:
    """Send Qt's own messages (qWarning and friends) to the "checkpoint.qt" logger.

    GUI side only (imports Qt). Returns the handler it replaced, for tests to put back."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger(f"{ROOT}.qt")
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}

    def handler(kind: Any, context: Any, message: str) -> None:
        category = getattr(context, "category", None) or "default"
        qt_log.log(levels.get(kind, logging.WARNING), "%s: %s", category, message)

    previous: Callable[..., Any] | None = qInstallMessageHandler(handler)
    return previous
