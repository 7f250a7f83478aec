"""`emit(signal, *args)`: SignalInstance.emit with a guard for a PySide6 refcount bug.

PySide6 6.12.0's SignalInstance.emit() returns True without taking a reference to it, so
every emit from Python takes one reference from the interpreter's `True`; on Python
3.11 (where True is not immortal) a running checkpoint reaches zero within minutes
and dies with "Fatal Python error: bool_dealloc". Measured once at import: when an emit
costs a reference, `emit()` gives it back; on a fixed PySide6 it does nothing."""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    fired = Signal()


def _emit_steals_a_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(16):
        if probe.fired.emit() is not True:  # type: ignore[func-returns-value]
            return False
    lost = before - sys.getrefcount(True)
    for _ in range(max(lost, 0)):
        _incref(True)  # repay the probe's own losses
    return lost >= 16


BROKEN = _emit_steals_a_reference()


def emit(signal: SignalInstance, *args: Any) -> None:
    result = signal.emit(*args)  # type: ignore[func-returns-value]
    if BROKEN and isinstance(result, bool):
        _incref(result)
