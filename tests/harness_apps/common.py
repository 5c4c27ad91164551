"""State the test apps share with the tests: primitives to park on, and how to wake them."""

import queue
import threading

UPSTREAM = {"url": "http://upstream.invalid/"}  # tests point this at a real loopback server
UNREACHABLE = ("upstream.invalid", 80)  # resolved by the harness to its BlackHole in blackhole mode


class SyncState:
    """Everything a sync handler can park on. `wake()` frees whoever is parked, for teardown."""

    def __init__(self) -> None:
        self.jobs: "queue.Queue[int]" = queue.Queue(maxsize=1)
        self.empty: "queue.Queue[int]" = queue.Queue()
        self.never = threading.Event()
        self.cond = threading.Condition()
        self.lock = threading.Lock()
        self.held = threading.Lock()
        self.held.acquire()  # nobody releases it while the test runs: stuck in C for good
        self.release = threading.Event()  # leaked threads wait on it

    def wake(self) -> None:
        with self.jobs.mutex:
            self.jobs.maxsize = 0
            self.jobs.not_full.notify_all()
        for _ in range(64):
            self.empty.put_nowait(0)
        self.never.set()
        self.release.set()
        with self.cond:
            self.cond.notify_all()
        for lock in (self.lock, self.held):
            if lock.locked():
                lock.release()
