"""Count handlers in and out, like Go's sync.WaitGroup, but waits always have a deadline.

Every handler call is wrapped: `add` on entry, `done` in `finally` (the discipline HB401 asks
of users). The current request is also published in a context variable, so that threads,
tasks, responses and outbound connections created while serving it can be attributed to it.
"""

from __future__ import annotations

import contextvars
import itertools
import threading
import time
from typing import Any, List, Optional, Set

_ids = itertools.count(1)


class HandlerAbandoned(BaseException):
    """Raised inside a handler thread the harness gave up on, once it wakes (if it ever does)."""


class Entry:
    """One handler call in flight, and what it created."""

    def __init__(self, request: str, owner: Any = None) -> None:
        self.id = next(_ids)
        self.request = request
        self.owner = owner  # the server state that owns the entry (leak tracker, outbound target)
        self.started = time.monotonic()
        self.ended: Optional[float] = None
        self.thread_ident: Optional[int] = None  # handler thread (WSGI, http.server)
        self.task: Any = None  # asyncio.Task (ASGI)
        self.conn: Any = None  # inbound connection: shut it to free the client
        self.workers: Set[int] = set()  # threads running sync code for this request (anyio, to_thread)
        self.threads: List[Any] = []  # ThreadRecord
        self.tasks: List[Any] = []  # TaskRecord
        self.resources: List[Any] = []  # Resource
        self.outbound: List[Any] = []  # (original address, redirected to)
        self.call_id: Optional[str] = None  # the harness Call that sent it (TestServer.fire)
        self.warmup = False  # a warm-up request: imports and first-use costs, never reported
        # set by close(): reported as stuck; freed or abandoned; how a task took its cancel()
        self.was_stuck = False
        self.abandoned = False
        self.cancel_requested = False
        self.cancel_delivered = False  # task.cancel() ran while the task was still pending
        self.swallowed_cancel = False

    def elapsed(self) -> float:
        end = self.ended if self.ended is not None else time.monotonic()
        return end - self.started

    def __repr__(self) -> str:
        return f"<Entry {self.id} {self.request} {self.elapsed():.2f}s>"


current_entry: "contextvars.ContextVar[Optional[Entry]]" = contextvars.ContextVar(
    "flake8_handler_block_entry", default=None
)


class InFlight:
    """Handler calls that have started and not finished."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._entries: List[Entry] = []
        self.entered = 0
        self.finished = 0

    def add(self, entry: Entry) -> Entry:
        with self._cond:
            self._entries.append(entry)
            self.entered += 1
            self._cond.notify_all()
        return entry

    def done(self, entry: Entry) -> None:
        with self._cond:
            if entry in self._entries:
                self._entries.remove(entry)
                self.finished += 1
                if entry.ended is None:
                    entry.ended = time.monotonic()
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> List[Entry]:
        """Wait until nothing is in flight or `timeout` passes; return what is still in flight."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            while self._entries:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return list(self._entries)

    def wait_entered(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            while self.entered < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def snapshot(self) -> List[Entry]:
        with self._cond:
            return list(self._entries)

    def __len__(self) -> int:
        with self._cond:
            return len(self._entries)
