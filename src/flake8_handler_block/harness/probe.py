"""Watch one finding's lines while `confirm` sends requests: did they run, and did their function
leave by an exception before reaching them?

"Nothing happened at that line" only means something when the line ran. A route answering 404,
or a handler that returns before the line, says nothing about the finding: the probe tells
these apart. For HB401/HB402 the line that matters is the one that *never* runs: a worker that
raises before its `done()`/`task_done()` leaves a `wait()`/`join()` stuck elsewhere, and the
probe records that exit.

A trace function is installed in the confirmation child only (`sys.settrace` plus
`threading.settrace` for the handler threads started after it); it ignores every code object
outside the finding's file at the cost of one call per function entered.
"""

from __future__ import annotations

import os
import sys
import threading
from types import FrameType
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

Tracer = Callable[[FrameType, str, Any], Any]


class LineProbe:
    """Counts runs of `lines` in `file`; records exits by exception of the function holding them."""

    def __init__(self, file: str, lines: Set[int], function: Optional[Tuple[int, int]],
                 header: bool = False) -> None:
        self.file = os.path.realpath(file)
        self.lines = lines
        self.function = function  # (first decorator line, def line) of the function holding the lines
        self.header = header  # the lines are the function's own def: a call runs them
        self.hits = 0
        self.skipped: List[str] = []  # "ZeroDivisionError at app.py:31" per exit that skipped the lines
        self._files: Dict[str, bool] = {}
        self._lock = threading.Lock()
        self._active = False

    def _ours(self, filename: str) -> bool:
        known = self._files.get(filename)
        if known is None:
            try:
                known = os.path.realpath(filename) == self.file
            except (OSError, ValueError):
                known = False
            self._files[filename] = known
        return known

    def _holds_lines(self, frame: FrameType) -> bool:
        """The frame runs the function the lines are in (its first line: a decorator or the def)."""
        if self.function is None or frame.f_code.co_name == "<module>":
            return False
        return self.function[0] <= frame.f_code.co_firstlineno <= self.function[1]

    def _global(self, frame: FrameType, event: str, arg: Any) -> Optional[Tracer]:
        if event != "call" or not self._active or not self._ours(frame.f_code.co_filename):
            return None
        state: Dict[str, Any] = {"hit": False, "exc": None}
        holds = self._holds_lines(frame)
        if holds and self.header:
            with self._lock:
                self.hits += 1

        def local(f: FrameType, ev: str, a: Any) -> Optional[Tracer]:
            if ev == "line":
                if f.f_lineno in self.lines:
                    state["hit"] = True
                    with self._lock:
                        self.hits += 1
                state["exc"] = None  # a line after an exception: it was handled
            elif ev == "exception":
                exc_type = a[0] if isinstance(a, tuple) and a else None
                name = getattr(exc_type, "__name__", "exception")
                state["exc"] = f"{name} at {os.path.basename(f.f_code.co_filename)}:{f.f_lineno}"
            elif ev == "return" and holds and state["exc"] and not state["hit"]:
                with self._lock:
                    self.skipped.append(str(state["exc"]))
            return local

        return local

    def start(self) -> None:
        self._active = True
        threading.settrace(self._global)  # handler threads start after this
        sys.settrace(self._global)

    def stop(self) -> None:
        self._active = False
        threading.settrace(None)
        sys.settrace(None)
