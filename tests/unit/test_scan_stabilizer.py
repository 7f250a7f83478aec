"""One decision per code in view; a new code at once; a code that returns after the gap is new."""

from __future__ import annotations

import pytest

from checkpoint_app.core.scanning.result import ReadCode
from checkpoint_app.core.scanning.stabilizer import Stabilizer

A = ReadCode.of("JKM1:AAAA")
B = ReadCode.of("JKM1:BBBB")
URL = ReadCode.of("https://example.org")


def feed_frames(stab: Stabilizer, frames: list[list[ReadCode]], fps: float = 15.0) -> list[list[str]]:
    return [[c.text for c in stab.feed(codes, i / fps)] for i, codes in enumerate(frames)]


def test_a_code_that_stays_in_view_is_passed_once() -> None:
    out = feed_frames(Stabilizer(), [[A]] * 60)  # four seconds in view
    assert out[0] == [A.text]
    assert all(o == [] for o in out[1:])


def test_a_blinking_code_within_the_gap_is_still_the_same_visit() -> None:
    frames = [[A], [], [], [A], [], [A], [], [], [], [], [A]]  # a shaky hand at 15 fps
    out = feed_frames(Stabilizer(gap_s=1.0), frames)
    assert sum(len(o) for o in out) == 1


def test_a_new_code_is_passed_immediately_even_while_another_is_in_view() -> None:
    out = feed_frames(Stabilizer(), [[A], [A], [A, B], [A, B], [B]])
    assert out == [[A.text], [], [B.text], [], []]


def test_a_code_that_leaves_for_longer_than_the_gap_counts_as_new() -> None:
    stab = Stabilizer(gap_s=1.5)
    assert stab.feed([A], 0.0) == [A]
    assert stab.feed([A], 1.0) == []
    assert stab.feed([], 2.0) == []
    assert stab.feed([A], 2.4) == []  # gone 1.4 s: same visit
    assert stab.feed([A], 4.0) == [A]  # gone 1.6 s: the next person with the same code


def test_the_same_code_twice_in_one_frame_is_one_decision() -> None:
    assert Stabilizer().feed([A, A, URL], 0.0) == [A, URL]


def test_reset_makes_codes_in_view_new_again() -> None:
    stab = Stabilizer()
    stab.feed([A], 0.0)
    stab.reset()
    assert stab.feed([A], 0.1) == [A]


def test_memory_stays_bounded_and_in_view_lists_recent_codes() -> None:
    stab = Stabilizer(gap_s=1.0)
    for i in range(1000):
        stab.feed([ReadCode.of(f"code-{i}")], i * 0.5)
    assert stab.in_view(999 * 0.5) == ["code-997", "code-998", "code-999"]  # gap inclusive
    assert len(stab._last_seen) <= 3


def test_negative_gap_is_refused() -> None:
    with pytest.raises(ValueError):
        Stabilizer(gap_s=-1)
