"""The `checkpoint-authority` program's entry point: Ctrl-C is handled before the commands
are imported (cryptography, SQLAlchemy, Flask: about half a second of `serve`'s start),
where it printed a traceback from inside an import."""

from __future__ import annotations

from collections.abc import Sequence

from checkpoint_app.interrupt import run_stoppable


def main(argv: Sequence[str] | None = None) -> int:
    def commands(_leaving: object) -> int:
        from checkpoint_app.authority import cli

        return cli.main(argv)

    return run_stoppable("checkpoint-authority", commands)
