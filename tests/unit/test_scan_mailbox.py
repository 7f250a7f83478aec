"""The one-slot mailbox: latest frame wins, nothing queues, close wakes the decoder."""

from __future__ import annotations

import threading

import numpy as np

from checkpoint_app.core.scanning.mailbox import Mailbox


def frame(i: int) -> np.ndarray:
    return np.full((4, 4), i, np.uint8)


def test_latest_frame_wins_and_older_ones_count_as_dropped() -> None:
    box: Mailbox[tuple[np.ndarray, float]] = Mailbox()
    for i in range(3):
        box.put((frame(i), i / 15))
    item = box.take(timeout=0)
    assert item is not None and int(item[0][0, 0]) == 2 and item[1] == 2 / 15
    assert (box.offered, box.dropped) == (3, 2)
    assert box.take(timeout=0) is None  # nothing queued behind it


def test_take_waits_for_a_frame_from_another_thread() -> None:
    box: Mailbox[tuple[np.ndarray, float]] = Mailbox()
    threading.Timer(0.05, box.put, ((frame(7), 1.0),)).start()
    item = box.take(timeout=5)
    assert item is not None and int(item[0][0, 0]) == 7


def test_close_wakes_a_waiting_decoder() -> None:
    box: Mailbox[tuple[np.ndarray, float]] = Mailbox()
    got: list[object] = []
    worker = threading.Thread(target=lambda: got.append(box.take(timeout=5)))
    worker.start()
    box.close()
    worker.join(5)
    assert not worker.is_alive() and got == [None] and box.closed
