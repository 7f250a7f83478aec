"""Store failures, classified so that callers can show a calm message (STYLE rule 7)."""

from __future__ import annotations


class StoreError(Exception):
    """The store cannot do what was asked (missing document, newer schema, bad setting)."""


class NotSyncedError(StoreError):
    """The store holds no verified trust list or policy yet: sync first."""
