"""Compiled loops (numba) whose disk cache never stops the scanner.

numba keeps compiled machine code on disk so that it is compiled once per machine (10-13 s)
and loaded at later starts (0.2-0.5 s). That cache is a folder of pickles found by rules of
numba's own: next to the module when that folder is writable, else in the user's cache
folder. Each way it can go wrong at a site has an answer here, because a scanner that
fails every frame, or runs a stranger's pickle, is worse than one that compiles again:

- no folder for the cache is writable: numba refuses to cache at import; compile at every
  start instead;
- a damaged cache (a bad sector, a half-copied folder) raises when loaded; a disk that fills
  while it is written raises when saved: empty it, then do without it;
- in a frozen bundle a module's file name is relative (`checkpoint_app/core/...`), and numba
  would resolve it against the folder the program was started from: anyone who can write
  there could plant a pickle, and each starting folder would compile again. The file name
  is made absolute (inside the bundle), so the cache is the user's, one per installation;
- the compiler itself fails: the readers that need these loops are left out (prepare()
  returns False) and the rest of the scanner goes on."""

from __future__ import annotations

import atexit
import gc
import logging
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar, cast

from numba import njit
from numba.core.caching import NullCache

log = logging.getLogger("checkpoint.scan")
F = TypeVar("F", bound=Callable[..., Any])

_dispatchers: list[Any] = []
uncached = False  # True when these loops are compiled at every start (no usable cache folder)


def kernel(fastmath: bool = False) -> Callable[[F], F]:
    """numba.njit releasing the GIL, with the disk cache where it is safe to use one."""

    def wrap(fn: F) -> F:
        global uncached
        _anchor(fn)
        compiled: Any
        try:
            compiled = njit(cache=True, nogil=True, fastmath=fastmath)(fn)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            compiled = njit(nogil=True, fastmath=fastmath)(fn)
            uncached = True
        if not os.path.isabs(getattr(compiled._cache, "_cache_path", os.sep)):
            _drop(compiled)  # a cache relative to the working folder: see above
        _dispatchers.append(compiled)
        return cast(F, compiled)

    return wrap


def _anchor(fn: Callable[..., Any]) -> None:
    """In a frozen bundle, give the function's code an absolute file name inside the bundle."""
    code = fn.__code__
    if getattr(sys, "frozen", False) and not os.path.isabs(code.co_filename):
        base = getattr(sys, "_MEIPASS", os.path.dirname(sys.executable))
        fn.__code__ = code.replace(co_filename=os.path.join(base, code.co_filename))


def prepare(run_each: Callable[[], None]) -> bool:
    """Call `run_each` (every kernel once, on small inputs) so that all are compiled or loaded;
    whatever the cache does, retry with it emptied, then without it. False: the kernels
    cannot be compiled at all."""
    fallbacks = (("cannot be used (%s: %s); compiling them afresh", _empty),
                 ("cannot be written (%s: %s); compiling them without it", _drop))
    for problem, fallback in fallbacks:
        try:
            run_each()
            return True
        except Exception as exc:
            log.warning("the grid readers' compiled cache " + problem, type(exc).__name__, str(exc)[:200])
        for dispatcher in _dispatchers:
            fallback(dispatcher)
    try:
        run_each()
        return True
    except Exception:
        log.exception("the grid readers cannot be compiled: bent and damaged printed codes will not be read")
        return False


def _empty(dispatcher: Any) -> None:
    """Rewrite a kernel's cache index empty (its damaged entries forgotten); where even that
    cannot be written, stop caching it."""
    try:
        dispatcher._cache.flush()
    except OSError:
        _drop(dispatcher)


def _drop(dispatcher: Any) -> None:
    """Stop caching a kernel in this process: it is compiled at every start."""
    global uncached
    dispatcher._cache = NullCache()
    uncached = True


def settle() -> None:
    """Take the objects alive now out of the cyclic garbage collector's full passes (once,
    after the kernels are prepared). numba's compiler leaves some 80,000 Python objects that
    live as long as the process, and each full collection then took 50-70 ms, in whichever
    thread it fell (a video frame 90-107 ms instead of 30-40; the window's thread too).
    They go back at exit and are collected there: zxing-cpp's bindings report as leaks
    whatever is still alive when they are torn down."""
    gc.collect()
    gc.freeze()
    atexit.register(_thaw)


def _thaw() -> None:
    gc.unfreeze()
    gc.collect()  # what became garbage while frozen, before the extension modules are torn down
