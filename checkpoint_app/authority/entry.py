"""The `checkpoint-authority` program's entry point: Ctrl-C is handled before the commands
are imported (cryptography, SQLAlchemy, Flask: about half a second of `serve`'s start),
where it printed a traceback from inside an import."""

from __future__ import annotations

import signal
from collections.abc import Sequence

from checkpoint_app.interrupt import EXIT_INTERRUPTED, run_stoppable


def main(argv: Sequence[str] | None = None) -> int:
    def commands(_leaving: object) -> int:
        from checkpoint_app.authority import cli

        return cli.main(argv)

    status = run_stoppable("checkpoint-authority", commands)
    if status == EXIT_INTERRUPTED:
        # What is left is the interpreter's exit, which puts the default handler back
        # midway: a Ctrl-C pressed again then killed the process by the signal.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return status
