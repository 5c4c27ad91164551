"""The cyclic garbage collector, held off while the plugin allocates.

A parse, a text scan or an index build allocates hundreds of thousands of short-lived, acyclic
objects (reference counting frees them): left on, the collector would traverse flake8's whole
heap many times per file. ``paused()`` holds it off for such work.

What lives for the whole run (libcst's and the rules' modules, a project index) is moved out
of its way once built (``gc.freeze``), before the collector is back: re-enabled with that much
allocated and not frozen, its next run walks all of it (on Django ~0.4 s a ``-j`` worker), and
flake8's later full collections walk it again and again. Frozen objects are still freed by
reference counting.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

_built = 0  # things built in this process that live for the run
_frozen_at = 0  # _built when the collector was last told to skip what lives


def built_long_lived() -> None:
    """Say that something that lives for the whole run was just built: the end of the current
    (or next) pause freezes it."""
    global _built
    _built += 1


@contextmanager
def paused() -> Iterator[None]:
    """Hold the collector off; on leaving the outermost pause, freeze what was built to live."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            freeze_long_lived()
            gc.enable()


def freeze_long_lived() -> None:
    """Freeze what was built since the last freeze; a handful of times per process. Also resets
    the collector's allocation count, so that no collection runs on re-enabling."""
    global _frozen_at
    if _built != _frozen_at:
        gc.freeze()
        _frozen_at = _built
