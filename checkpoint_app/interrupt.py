"""Ctrl-C (SIGINT) at a command line: one line and exit status 130 (128 + SIGINT, what a
shell reports for it), never a traceback, whenever it comes.

The first Ctrl-C raises KeyboardInterrupt wherever the program is. That is safe for the
databases: every write is a transaction (or, for a new database's schema, one transaction),
which SQLite and PostgreSQL roll back when it was not committed, so the database is left as
it was before that write or after it, never between. A second Ctrl-C while the program is
still leaving (a server waiting for its threads, a flush) ends it at once, for the same
reason safely; before, it printed a second traceback from wherever the first one was."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

EXIT_INTERRUPTED = 130


@dataclass
class Leaving:
    """What the line names (`prog`, the command once it is known) and whether it was said."""

    prog: str
    said: bool = False

    def say(self) -> None:
        if self.said:
            return
        self.said = True
        with contextlib.suppress(OSError, ValueError):  # stderr closed or full: the exit status says it
            if sys.stderr is not None:
                sys.stderr.flush()
        with contextlib.suppress(OSError):
            # os.write, not sys.stderr: this may run in a signal handler that interrupted a
            # write to sys.stderr, which would refuse a reentrant call.
            os.write(2, f"{self.prog}: stopped (Ctrl-C)\n".encode())


def run_stoppable(prog: str, body: Callable[[Leaving], int]) -> int:
    """`body`'s exit status, or EXIT_INTERRUPTED and one line after Ctrl-C. In the main thread
    only (where signals arrive); called from another thread, `body` runs as it is."""
    leaving = Leaving(prog)
    if threading.current_thread() is not threading.main_thread():
        return body(leaving)

    def first(_signum: int, _frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, again)
        raise KeyboardInterrupt

    def again(_signum: int, _frame: FrameType | None) -> None:
        leaving.say()
        os._exit(EXIT_INTERRUPTED)

    previous = signal.signal(signal.SIGINT, first)
    try:
        return body(leaving)
    except KeyboardInterrupt:
        leaving.say()
        # The process is leaving. What is left is its exit, which puts the default handler back
        # midway: a Ctrl-C pressed again then killed it by the signal, or raised where nothing
        # catches it. Ignored instead.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        return EXIT_INTERRUPTED
    finally:
        if signal.getsignal(signal.SIGINT) is first and previous is not None:  # no Ctrl-C: the caller's again
            signal.signal(signal.SIGINT, previous)
