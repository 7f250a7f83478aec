"""The burst classifier on its own: timings in, verdicts out."""

from __future__ import annotations

import pytest

from checkpoint_app.core.wedge import ENTER, BurstClassifier, Outcome, Result, undo_caps_lock


def feed(c: BurstClassifier, text: str, gap: float, start: float = 100.0) -> list[Result]:
    results: list[Result] = []
    for i, ch in enumerate(text):
        results += c.key(ch, start + i * gap)
    return results


def test_a_fast_run_ending_in_enter_is_a_scan() -> None:
    payload = "JKM1:" + "ABC123" * 40
    results = feed(BurstClassifier(), payload + ENTER, gap=0.004)
    assert results == [Result(Outcome.SCAN, len(payload) + 1, payload)]


def test_slow_typing_is_replayed_key_by_key() -> None:
    c = BurstClassifier()
    results = feed(c, "36.5" + ENTER, gap=0.15)
    assert [r.outcome for r in results] == [Outcome.REPLAY] * 5
    assert all(r.count == 1 for r in results)
    assert c.held == 0


def test_a_short_fast_run_is_typed_not_a_scan() -> None:
    # a keypad "36.5⏎" hammered quickly is still a temperature
    results = feed(BurstClassifier(min_length=8), "36.5" + ENTER, gap=0.01)
    assert results == [Result(Outcome.REPLAY, 5)]


def test_the_gap_splits_runs_and_flush_settles_the_last() -> None:
    c = BurstClassifier(max_gap_s=0.05)
    assert c.key("3", 1.0) == [] and c.key("7", 1.02) == []
    assert c.key("1", 1.5) == [Result(Outcome.REPLAY, 2)]
    assert c.held == 1
    assert c.flush() == Result(Outcome.REPLAY, 1)
    assert c.flush() is None


def test_a_long_run_without_enter_is_discarded() -> None:
    c = BurstClassifier(min_length=8)
    assert feed(c, "X" * 30, gap=0.003) == []
    assert c.flush() == Result(Outcome.DISCARD, 30)


def test_a_stuck_key_cannot_grow_the_buffer_forever() -> None:
    c = BurstClassifier(min_length=8, max_length=100)
    results = feed(c, "3" * 250, gap=0.03)
    assert [r.outcome for r in results] == [Outcome.DISCARD, Outcome.DISCARD]
    assert c.held == 250 - 2 * 101


@pytest.mark.parametrize("kwargs", [{"max_gap_s": 0}, {"min_length": 0}, {"min_length": 9, "max_length": 8}])
def test_nonsense_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        BurstClassifier(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("typed", "taken"), [
    ("jkm1:nck3$q.-5 %/*", "JKM1:NCK3$Q.-5 %/*"),  # Caps Lock on: a health code, case inverted back
    ("JKM1:NCK3", "JKM1:NCK3"),
    ("https://qr.alipay.com/x", "https://qr.alipay.com/x"),  # not a health code: as it came
    ("HTTPS://QR.ALIPAY.COM/X", "HTTPS://QR.ALIPAY.COM/X"),
])
def test_caps_lock_is_undone_for_health_codes_only(typed: str, taken: str) -> None:
    assert undo_caps_lock(typed) == taken
