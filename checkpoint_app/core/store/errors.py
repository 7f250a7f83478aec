"""Store failures, classified so that callers can show a calm message (STYLE rule 7)."""

from __future__ import annotations


class StoreError(ValueError):
    """The store cannot do what was asked (missing document, newer schema, bad setting).

    A ValueError: like a bad setting it is a configuration problem, and callers that
    fall back on ValueError (the window's file mode) handle it with no new clause."""


class NotSyncedError(StoreError):
    """The store holds no verified trust list or policy yet: sync first."""
