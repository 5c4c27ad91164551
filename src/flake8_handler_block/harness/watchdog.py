"""Heartbeat watchdog: catch an event loop blocked by a synchronous call, and name the line.

The loop thread stamps a heartbeat every few milliseconds; a harness thread checks it. When the
beat is late by more than the threshold, the watchdog samples the loop thread's stack at once
(sampling later would miss a short block) and the next beat closes the block. The loop thread's
CPU time (Linux) or its moving position tells a busy loop from a call parked in C.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, List, Optional

from .report import LoopBlock
from .stacks import BUSY, current_frames, describe, thread_cpu, thread_frames

BEAT = 0.01  # seconds between heartbeats on the loop
POLL = 0.005  # seconds between watchdog checks


class _Open:
    def __init__(self, start: float, where: Any, request: str, cpu: Optional[float]) -> None:
        self.start = start
        self.where = where
        self.request = request
        self.cpu0 = cpu
        self.seen = time.monotonic()
        self.positions: set = set()
        self.busy = where.state == BUSY

    def state(self) -> str:
        return BUSY if self.busy else self.where.state


class LoopWatchdog:
    def __init__(self, loop: Any, thread: threading.Thread, threshold: float,
                 request_of: Callable[[], str]) -> None:
        self.loop = loop
        self.ident = thread.ident
        self.native_id = getattr(thread, "native_id", None)
        self.threshold = threshold
        self.request_of = request_of
        self.blocks: List[LoopBlock] = []
        self._last_beat = time.monotonic()
        self._open: Optional[_Open] = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="hb-loop-watchdog", daemon=True)
        self._thread._hb_internal = True  # type: ignore[attr-defined]

    def start(self) -> None:
        self.loop.call_soon_threadsafe(self._beat)
        self._thread.start()

    def _beat(self) -> None:  # runs on the loop: the beat itself closes a block it ends
        now = time.monotonic()
        with self._lock:
            if self._open is not None:
                self._finish_locked(now)
            self._last_beat = now
        if not self._stop.is_set():
            self.loop.call_later(BEAT, self._beat)

    def _run(self) -> None:
        while not self._stop.wait(POLL):
            beat = self._last_beat
            if time.monotonic() - beat > self.threshold:
                self._sample(beat)

    def _sample(self, beat: float) -> None:
        frame = current_frames().get(self.ident)  # type: ignore[arg-type]
        if frame is None:
            return
        frames = thread_frames(frame)
        del frame
        inner = frames[-1]
        pos = (id(inner.f_code), inner.f_lasti, inner.f_lineno)
        with self._lock:
            if self._last_beat != beat:
                return  # the loop came back meanwhile
            block = self._open
            if block is None or block.start != beat:
                where = describe(frames)
                block = _Open(beat, where, self.request_of() if where.has_user_code else "",
                              thread_cpu(self.native_id))
                self._open = block
            block.positions.add(pos)
            now = time.monotonic()
            cpu = thread_cpu(self.native_id)
            if block.cpu0 is not None and cpu is not None:
                if now - block.seen >= 0.05 and (cpu - block.cpu0) / (now - block.seen) > 0.5:
                    block.busy = True
            elif len(block.positions) > 2:
                block.busy = True

    def _finish_locked(self, end: float, ongoing: bool = False) -> None:
        block, self._open = self._open, None
        if block is None or not self._users(block):
            return  # the framework, an import or the harness held the loop: not the user's line
        self.blocks.append(self._as_report(block, end, ongoing))

    @staticmethod
    def _users(block: _Open) -> bool:
        where = block.where
        return where.has_user_code and not where.in_harness and not where.importing

    @staticmethod
    def _as_report(block: _Open, end: float, ongoing: bool) -> LoopBlock:
        return LoopBlock(
            duration=max(0.0, end - block.start), state=block.state(), site=block.where.site,
            request=block.request, stack=block.where.stack, ongoing=ongoing,
        )

    def blocked_now(self) -> bool:
        return time.monotonic() - self._last_beat > self.threshold

    def snapshot(self) -> List[LoopBlock]:
        """Blocks seen so far, the one in progress included."""
        with self._lock:
            out = list(self.blocks)
            block = self._open
            if block is not None and self._users(block):
                out.append(self._as_report(block, time.monotonic(), ongoing=True))
            return out

    def stop(self) -> List[LoopBlock]:
        self._stop.set()
        self._thread.join(0.5)
        return self.snapshot()
