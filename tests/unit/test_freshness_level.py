"""The status bar's word for the data the checkpoint decides with (core.rules.facts), Qt-free."""

from __future__ import annotations

import pytest

from checkpoint_app.core.rules.facts import Freshness, FreshnessLevel, freshness_level

STALE, TOO_OLD = Freshness(cache_stale=True), Freshness(cache_stale=True, offline_too_long=True)


@pytest.mark.parametrize(("freshness", "synced", "file_mode", "level"), [
    (Freshness(), True, False, FreshnessLevel.FRESH),
    (Freshness(clock_error=True), True, False, FreshnessLevel.FRESH),  # the clock has its own chip
    (STALE, True, False, FreshnessLevel.STALE),
    (TOO_OLD, True, False, FreshnessLevel.TOO_OLD),
    (TOO_OLD, False, False, FreshnessLevel.NEVER),  # never synced says more than too old
    (TOO_OLD, False, True, FreshnessLevel.FILE),  # the bundled documents: their own word
    (Freshness(), True, True, FreshnessLevel.FILE),
])
def test_each_level(freshness: Freshness, synced: bool, file_mode: bool, level: FreshnessLevel) -> None:
    assert freshness_level(freshness, synced=synced, file_mode=file_mode) is level
