"""A guard against a reference-count bug of PySide6 6.12.0 on Python 3.11.

PySide6 6.12.0 returns None from most void methods (QWidget.update, QLabel.setText,
QPainter.drawImage, QTimer.stop, ...) and True from SignalInstance.emit without taking
a reference. Each call takes one reference from the interpreter's None or True; a
window that repaints a 30 fps preview makes ~50 such calls a second, and None (about
60,000 references at start) reaches zero within half an hour: "Fatal Python error:
none_dealloc". 6.11.3 is correct, and on Python 3.12+ None, True and False are immortal
so the bug is harmless. Measured, not assumed: `pin_singletons()` checks whether the
installed PySide6 loses references, and only then gives None, True and False a reserve
of 2**40 references -- what Python 3.12 does for them anyway."""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger("checkpoint.qt")
RESERVE = 2**40  # at 1,000 lost references a second, 35 years
_pinned = False


class _Probe(QObject):
    fired = Signal()


def loses_references() -> bool:
    """Whether a void call and an emit each cost the interpreter a reference."""
    probe, timer = _Probe(), QTimer()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(32):
        timer.stop()
        probe.fired.emit()
    return sys.getrefcount(None) < none_before - 16 or sys.getrefcount(True) < true_before - 16


def pin_singletons() -> bool:
    """Call once, early (the composition root does). True when the reserve was added."""
    global _pinned
    if _pinned or sys.version_info >= (3, 12) or not loses_references():
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object (Include/object.h).
        ctypes.c_ssize_t.from_address(id(obj)).value += RESERVE
    _pinned = True
    log.warning("this PySide6 loses references to None/True on Python 3.11; pinned them "
                "(use PySide6 6.11 or Python 3.12+ to avoid the workaround)")
    return True
