"""Run the harness many times in a row: no thread, port or file descriptor may be left behind."""

import os
import socket
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness_apps import flask_app, httpserver_app, starlette_app  # noqa: E402
from harness_apps.helpers import open_fds  # noqa: E402

from flake8_handler_block.harness import TestServer  # noqa: E402

APPS = {
    "wsgi": (flask_app.app, "/ok/hello"),
    "asgi": (starlette_app.app, "/ok/hello"),
    "http.server": (httpserver_app.Handler, "/ok/hello"),
}


def _settle(before: set, timeout: float = 3.0) -> list:
    """Threads that are new since `before`, after giving them time to end."""
    deadline = time.monotonic() + timeout
    while True:
        extra = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not extra or time.monotonic() > deadline:
            return extra
        time.sleep(0.02)


def _nobody_listens(port: int) -> bool:
    sock = socket.socket()
    sock.settimeout(1.0)
    try:
        return sock.connect_ex(("127.0.0.1", port)) != 0
    finally:
        sock.close()


@pytest.mark.parametrize("kind", sorted(APPS))
def test_fifty_clean_runs_leave_nothing(kind):
    app, path = APPS[kind]
    before_threads = set(threading.enumerate())
    before_fds = open_fds()
    ports = []
    for _ in range(50):
        server = TestServer(app, deadline=0.5).start()
        ports.append(server.port)
        call = server.request("GET", path, timeout=5)
        assert call.status == 200, call
        report = server.close()
        assert report.ok, report.details()
    assert _settle(before_threads) == []
    if before_fds is not None:
        assert open_fds() <= before_fds
    assert all(_nobody_listens(p) for p in ports)


@pytest.mark.slow  # twenty stuck servers in a row: ~3 s each
@pytest.mark.parametrize("app", [flask_app.app, starlette_app.app], ids=["wsgi", "asgi"])
def test_twenty_stuck_runs_are_freed(app):
    """A handler stuck on the BlackHole is reported each time, then freed by the hang-up."""
    before_threads = set(threading.enumerate())
    before_fds = open_fds()
    for _ in range(20):
        server = TestServer(app, outbound="blackhole").start()
        server.fire("GET", "/socket-read")
        deadline = time.monotonic() + 10
        while server.blackhole.accepted < 1 and time.monotonic() < deadline:
            time.sleep(0.005)  # until the handler has reached the BlackHole
        time.sleep(0.02)
        report = server.close(0.05)
        assert [s.state for s in report.stuck] == ["socket read"], report.details()
    assert _settle(before_threads) == []
    if before_fds is not None:
        assert open_fds() <= before_fds
