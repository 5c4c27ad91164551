"""The harness abandons a stuck handler's thread with an asynchronous exception, but never one
inside logging: raised as it takes a handler's lock, the lock stays held and every later log call
of the process waits forever (a whole test run hung so in Django's logging set-up)."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from flake8_handler_block.harness import server


class _Abandoned(Exception):
    pass


class _BlockingHandler(logging.Handler):
    def __init__(self, release: threading.Event) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.go = release

    def emit(self, record: logging.LogRecord) -> None:
        self.entered.set()
        self.go.wait(10)


def _wait_until(predicate, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_a_thread_inside_logging_is_not_raised_in() -> None:
    release = threading.Event()
    handler = _BlockingHandler(release)
    logger = logging.getLogger("hb.test.async-raise")
    logger.addHandler(handler)
    logger.propagate = False
    thread = threading.Thread(target=logger.error, args=("stuck",), daemon=True)
    try:
        thread.start()
        assert handler.entered.wait(5)
        assert server._inside_logging(thread.ident)
        assert server._async_raise(thread.ident, _Abandoned) is False
    finally:
        release.set()
        thread.join(5)
        logger.removeHandler(handler)
    assert not thread.is_alive()
    assert handler.lock.acquire(timeout=1)  # the handler's lock was left free
    handler.lock.release()


def test_a_thread_waiting_elsewhere_is_raised_in() -> None:
    if server._tracer_forbids_async_raise():
        pytest.skip("a tracer is set: the harness does not raise in threads then")
    raised = []
    wake = threading.Event()

    def wait() -> None:
        try:
            while not wake.is_set():
                time.sleep(0.01)
        except _Abandoned:
            raised.append(True)

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    assert _wait_until(lambda: thread.ident is not None)
    assert not server._inside_logging(thread.ident)
    assert server._async_raise(thread.ident, _Abandoned) is True
    thread.join(5)
    wake.set()
    assert raised == [True]
