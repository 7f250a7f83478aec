"""What both command lines share: one-line usage errors and exit codes (spec section 9)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A usage or configuration error: one line on stderr, exit 2."""


class OneLineParser(argparse.ArgumentParser):
    """argparse prints the whole usage on an error; the spec wants one clear line."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see --help)\n")
        raise SystemExit(EXIT_USAGE)


def fail(prog: str, message: str) -> int:
    sys.stderr.write(f"{prog}: error: {message}\n")
    return EXIT_USAGE
