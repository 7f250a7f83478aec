"""What both command lines share: one-line usage errors and exit codes (spec section 9)."""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A usage or configuration error: one line on stderr, exit 2."""


# An ID number where an argument was expected (`lookup NUMBER`, `--doc-type NUMBER`):
# argparse quotes the argument; the error line shows it masked as a screen would.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


def error_line(prog: str, message: str) -> str:
    from checkpoint_app.core.identity import mask

    return f"{prog}: error: {_ID_NUMBER.sub(lambda m: mask(m.group()), message)}\n"


class OneLineParser(argparse.ArgumentParser):
    """argparse prints the whole usage on an error; the spec wants one clear line."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(error_line(self.prog, f"{message} (see --help)"))
        raise SystemExit(EXIT_USAGE)


def fail(prog: str, message: str) -> int:
    sys.stderr.write(error_line(prog, message))
    return EXIT_USAGE


SECRET_MAX_CHARS = 4096


def read_secret(source: str, what: str) -> str:
    """A secret read from a file, or from standard input for "-", so that it never shows in
    the process list (spec 9, `--token-file`): the first line, without surrounding blanks."""
    from checkpoint_app.core.bounds import os_error_text, read_bounded

    where = "standard input" if source == "-" else source
    try:
        if source == "-":
            text = sys.stdin.readline(SECRET_MAX_CHARS + 1)
        else:
            text = read_bounded(source, SECRET_MAX_CHARS).decode("utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read the {what} from {where}: {os_error_text(exc)}") from None
    except UnicodeDecodeError:
        raise UsageError(f"the {what} in {where} is not UTF-8 text") from None
    lines = text.strip().splitlines()
    if len(text) > SECRET_MAX_CHARS or not lines:
        raise UsageError(f"no {what} in {where}" if not lines else f"the {what} in {where} is too long")
    return lines[0].strip()
