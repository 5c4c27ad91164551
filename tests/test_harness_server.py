"""TestServer against real apps: Flask (WSGI), Starlette (ASGI) and http.server.

Every app has a handler per blocking state and a correct twin for each; the scenarios of one
app run concurrently (their deadlines overlap) in a module fixture, and the tests read the
reports.
"""

import os
import socket
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness_apps import common, flask_app, httpserver_app, starlette_app, upstream  # noqa: E402
from harness_apps.helpers import (  # noqa: E402
    by_request,
    connect_hole,
    get,
    line_of,
    run_parallel,
    run_scenario,
)

from flake8_handler_block.harness import BlackHole, Report, TestServer  # noqa: E402
from flake8_handler_block.harness.server import detect_kind  # noqa: E402

DEADLINE = 0.5


@pytest.fixture(scope="module")
def upstream_url():
    server = TestServer(upstream.Upstream, track_leaks=False).start()
    common.UPSTREAM["url"] = server.url + "/"
    yield common.UPSTREAM["url"]
    server.close(0.5)


def _cleanup_flask():
    flask_app.reset()
    for srv in flask_app.SERVERS:
        srv.shutdown()
        srv.server_close()
    flask_app.SERVERS.clear()
    for client in flask_app.KEEP:
        client.close()
    flask_app.KEEP.clear()


# --- the server itself ---


def test_bound_at_construction_serving_only_after_start():
    server = TestServer(flask_app.app)
    assert server.url.startswith("http://127.0.0.1:") and server.port > 0
    assert not server.started
    with pytest.raises(OSError):  # the port is bound and listening, but nobody answers yet
        urllib.request.urlopen(server.url + "/ok/hello", timeout=0.3)
    server.start()
    with urllib.request.urlopen(server.url + "/ok/hello", timeout=5) as resp:
        assert resp.read() == b"hello"
    report = server.close(DEADLINE)
    assert report.ok and report.requests >= 1


def test_context_manager_and_close_is_idempotent():
    with TestServer(flask_app.app) as server:
        assert server.request("GET", "/ok/hello").body == b"hello"
    assert server.last_report is not None and server.last_report.ok
    assert server.close() is server.last_report
    with pytest.raises(RuntimeError):
        server.start()


def test_unstarted_server_closes_clean():
    server = TestServer(flask_app.app)
    report = server.close(0)
    assert isinstance(report, Report) and report.ok and report.requests == 0


def test_kind_detection():
    assert detect_kind(flask_app.app) == "wsgi"
    assert detect_kind(starlette_app.app) == "asgi"
    assert detect_kind(httpserver_app.Handler) == "http.server"
    with pytest.raises(TypeError):
        detect_kind(42)
    with pytest.raises(ValueError):
        TestServer(flask_app.app, outbound="nowhere")


def test_wait_idle_names_what_is_in_flight():
    server = TestServer(flask_app.app).start()
    try:
        assert server.wait_idle(0.1) == []
        server.fire("GET", "/event-wait")
        assert server.wait_requests(1, 5)
        stuck = server.wait_idle(0.2)
        assert [s.state for s in stuck] == ["event wait"]
        assert server.in_flight == 1
    finally:
        report = server.close(0)
        flask_app.reset()
    assert [s.handler for s in report.stuck] == ["event_wait"]


def test_patches_are_removed_when_the_last_server_closes():
    original_start = threading.Thread.start
    original_connect = socket.socket.connect
    server = TestServer(flask_app.app).start()
    assert threading.Thread.start is not original_start
    server.close(0)
    assert threading.Thread.start is original_start
    assert socket.socket.connect is original_connect


def test_handler_stuck_in_c_is_reported_and_abandoned_without_hanging():
    server = TestServer(flask_app.app).start()
    call = server.fire("GET", "/held")
    assert server.wait_requests(1, 5)
    started = time.monotonic()
    report = server.close(0.3)
    took = time.monotonic() - started
    try:
        assert took < 0.3 + 2.0
        (stuck,) = report.stuck
        assert stuck.state == "lock acquire" and stuck.handler == "held"
        assert stuck.site.line == line_of(flask_app.held, "S.held.acquire()")[1]
        assert any("abandoned" in note for note in report.notes)
        assert call.wait(2) and call.error is not None  # the client was hung up, not left waiting
    finally:
        flask_app.reset()  # releases the lock: the abandoned thread wakes and ends


# --- Flask (WSGI) ---

FLASK_STUCK = {
    "POST /queue-put": ("queue put: full", "enqueue", "S.jobs.put(1)"),
    "GET /queue-get": ("queue get: empty", "dequeue", "S.empty.get()"),
    "GET /event-wait": ("event wait", "event_wait", "S.never.wait()"),
    "GET /condition-wait": ("condition wait", "condition_wait", "S.cond.wait()"),
    "GET /lock": ("lock acquire", "leaky_lock", "S.lock.acquire()"),
    "GET /socket-read": ("socket read", "socket_read", "requests.get("),
    "GET /socket-connect": ("socket connect", "socket_connect", "socket.create_connection("),
    "GET /sleep": ("sleep", "nap", "time.sleep(3)"),
    "GET /subprocess": ("subprocess wait", "run_child", "subprocess.run(SLOW)"),
    "GET /thread-join": ("thread join", "thread_join", "worker.join()"),
    "GET /busy": ("busy loop", "spin", "while True:"),
}

FLASK_LEAKS = {
    "GET /leak/thread": ("thread", "(daemon)", "still running", "fire_and_forget", ".start()"),
    "GET /leak/thread-nondaemon": ("thread", "(non-daemon)", "still running", "fire_and_forget_nondaemon",
                                   "worker.start()"),
    "GET /leak/urlopen": ("response", "http.client.HTTPResponse", "collected while open", "leak_urlopen",
                          "urllib.request.urlopen("),
    "GET /leak/requests-stream": ("response", "urllib3.HTTPResponse", "open", "leak_stream", "requests.get("),
    "GET /leak/requests-session": ("client", "requests.Session", "collected while open", "leak_session",
                                   "requests.Session()"),
    "GET /leak/httpx-client": ("client", "httpx.Client", "left open", "leak_httpx_client", "httpx.Client("),
    "GET /leak/server": ("server", "server", "still serving", "leak_server", "socketserver.TCPServer("),
    "GET /leak/executor": ("executor", "ThreadPoolExecutor", "open", "leak_executor", "ThreadPoolExecutor("),
}


@pytest.fixture(scope="module")
def flask_reports(upstream_url):
    stuck = [("POST", "/queue-put")] * 2 + get(
        "/queue-get", "/event-wait", "/condition-wait", "/lock", "/lock", "/socket-read", "/sleep",
        "/subprocess", "/thread-join", "/busy",
    )
    twins = [("POST", "/ok/queue-put")] + get(
        "/ok/queue-get", "/ok/event-wait", "/ok/condition-wait", "/ok/lock", "/ok/lock", "/ok/socket-connect",
        "/ok/socket-read", "/ok/sleep", "/ok/subprocess", "/ok/thread-join", "/ok/busy", "/ok/hello",
    )
    hole = connect_hole()
    try:
        reports = run_parallel({
            "stuck": lambda: run_scenario(flask_app.app, stuck, outbound="blackhole", expect_stuck=True),
            "connect": lambda: run_scenario(flask_app.app, get("/socket-connect"), outbound=hole, expect_stuck=True),
            "twins": lambda: run_scenario(flask_app.app, twins, outbound="blackhole"),
            "leaks": lambda: run_scenario(flask_app.app, [("GET", p.split()[1]) for p in FLASK_LEAKS], sequential=True),
            "leak_twins": lambda: run_scenario(flask_app.app, get(
                "/ok/urlopen", "/ok/requests-stream", "/ok/requests-session", "/ok/httpx-client", "/ok/server",
                "/ok/executor"),
                sequential=True),
        })
    finally:
        hole.close()
    yield reports
    _cleanup_flask()


@pytest.mark.parametrize("request_line", sorted(FLASK_STUCK))
def test_flask_stuck_handler_is_named(flask_reports, request_line):
    state, func, snippet = FLASK_STUCK[request_line]
    scenario = "connect" if request_line == "GET /socket-connect" else "stuck"
    stuck = by_request(flask_reports[scenario])[request_line]
    file, line = line_of(getattr(flask_app, func), snippet)
    assert stuck.state == state, stuck.stack
    assert stuck.handler == func
    assert stuck.site.func == func and os.path.samefile(stuck.site.file, file)
    if state == "busy loop":  # sampled somewhere inside the loop
        assert line <= stuck.site.line <= line + 1
    else:
        assert stuck.site.line == line
    assert stuck.elapsed >= DEADLINE * 0.8
    assert f"in {func}" in stuck.stack and stuck.kind == "thread"


def test_flask_stuck_report_lists_one_line_each(flask_reports):
    report = flask_reports["stuck"]
    assert report.requests == 12
    # a put and a lock get through (both puts stick when the twins' put filled the queue first)
    assert len(report.stuck) in (10, 11) and set(by_request(report)) == set(FLASK_STUCK) - {"GET /socket-connect"}
    line = by_request(report)["POST /queue-put"].line()
    assert "handler 'enqueue' stuck" in line and "S.jobs.put(1) [queue put: full] during POST /queue-put" in line
    assert "flask_app.py:" in line
    assert "Traceback" not in report.details() and 'File "' in report.details()


@pytest.mark.parametrize("request_line", sorted(FLASK_LEAKS))
def test_flask_leak_is_found_where_it_was_made(flask_reports, request_line):
    kind, what, status, func, snippet = FLASK_LEAKS[request_line]
    leaks = [leak for leak in flask_reports["leaks"].leaks if leak.request == request_line and leak.kind == kind]
    assert leaks, flask_reports["leaks"].lines()
    leak = leaks[0]
    assert what in leak.what and status in leak.status
    file, line = line_of(getattr(flask_app, func), snippet)
    assert leak.site.line == line and os.path.samefile(leak.site.file, file)


def test_flask_leaks_only_where_expected(flask_reports):
    assert {leak.request for leak in flask_reports["leaks"].leaks} == set(FLASK_LEAKS)


@pytest.mark.parametrize("scenario", ["twins", "leak_twins"])
def test_flask_correct_twins_are_clean(flask_reports, scenario):
    report = flask_reports[scenario]
    assert report.ok, report.details()
    assert report.requests >= 5


# --- http.server ---

HTTP_STUCK = {
    "GET /queue-put": ("queue put: full", "queue_put", "S.jobs.put(1)"),
    "GET /queue-get": ("queue get: empty", "queue_get", "S.empty.get()"),
    "GET /event-wait": ("event wait", "event_wait", "S.never.wait()"),
    "GET /condition-wait": ("condition wait", "condition_wait", "S.cond.wait()"),
    "GET /lock": ("lock acquire", "leaky_lock", "S.lock.acquire()"),
    "GET /socket-read": ("socket read", "socket_read", "urllib.request.urlopen("),
    "GET /requests-read": ("socket read", "requests_read", "requests.get("),
    "GET /socket-connect": ("socket connect", "socket_connect", "create_connection("),
    "GET /sleep": ("sleep", "nap", "time.sleep(3)"),
    "GET /subprocess": ("subprocess wait", "run_child", "subprocess.run(SLOW)"),
    "GET /thread-join": ("thread join", "thread_join", "worker.join()"),
    "GET /busy": ("busy loop", "spin", "while True:"),
}


@pytest.fixture(scope="module")
def http_reports(upstream_url):
    stuck = get("/queue-put", "/queue-put", "/queue-get", "/event-wait", "/condition-wait", "/lock", "/lock",
                "/socket-read", "/requests-read", "/sleep", "/subprocess", "/thread-join", "/busy")
    twins = get(*[p for p in httpserver_app.ROUTES if p.startswith("/ok/") and p != "/ok/urlopen"])
    hole = connect_hole()
    try:
        reports = run_parallel({
            "stuck": lambda: run_scenario(httpserver_app.Handler, stuck, outbound="blackhole", expect_stuck=True),
            "connect": lambda: run_scenario(httpserver_app.Handler, get("/socket-connect"), outbound=hole,
                                            expect_stuck=True),
            "twins": lambda: run_scenario(httpserver_app.Handler, twins, outbound="blackhole"),
            "leaks": lambda: run_scenario(httpserver_app.Handler, get("/leak/thread", "/leak/urlopen"),
                                          sequential=True),
            "leak_twins": lambda: run_scenario(httpserver_app.Handler, get("/ok/urlopen"), sequential=True),
        })
    finally:
        hole.close()
    yield reports
    httpserver_app.reset()


@pytest.mark.parametrize("request_line", sorted(HTTP_STUCK))
def test_http_server_stuck_handler_is_named(http_reports, request_line):
    state, func, snippet = HTTP_STUCK[request_line]
    scenario = "connect" if request_line == "GET /socket-connect" else "stuck"
    stuck = by_request(http_reports[scenario])[request_line]
    file, line = line_of(getattr(httpserver_app.Handler, func), snippet)
    assert stuck.state == state, stuck.stack
    assert stuck.handler == "do_GET" and stuck.site.func == func
    if state == "busy loop":
        assert line <= stuck.site.line <= line + 1
    else:
        assert stuck.site.line == line


def test_http_server_leaks(http_reports):
    leaks = {(leak.request, leak.kind): leak for leak in http_reports["leaks"].leaks}
    assert set(leaks) == {("GET /leak/thread", "thread"), ("GET /leak/urlopen", "response")}
    assert leaks[("GET /leak/thread", "thread")].site.func == "leak_thread"
    assert leaks[("GET /leak/urlopen", "response")].status == "collected while open"


@pytest.mark.parametrize("scenario", ["twins", "leak_twins"])
def test_http_server_correct_twins_are_clean(http_reports, scenario):
    assert http_reports[scenario].ok, http_reports[scenario].details()


# --- Starlette (ASGI) ---

STARLETTE_STUCK = {
    "POST /queue-put": ("queue put: full", "enqueue", "enqueue", '["jobs"].put(1)'),
    "GET /queue-get": ("queue get: empty", "dequeue", "dequeue", '["empty"].get()'),
    "GET /event-wait": ("event wait", "event_wait", "event_wait", '["never"].wait()'),
    "GET /condition-wait": ("condition wait", "condition_wait", "condition_wait", "await cond.wait()"),
    "GET /lock": ("lock acquire", "leaky_lock", "leaky_lock", "await lock.acquire()"),
    "GET /sleep": ("sleep", "nap", "nap", "asyncio.sleep(30)"),
    "GET /socket-read": ("socket read", "socket_read", "socket_read", "await client.get("),
    "GET /socket-connect": ("socket connect", "socket_connect", "socket_connect", "open_connection("),
    "GET /subprocess": ("subprocess wait", "run_child", "run_child", "await proc.wait()"),
    "GET /to-thread": ("event wait", "to_thread_wait", "wait_forever", "S.never.wait()"),
    "POST /sync-queue-put": ("queue put: full", "sync_enqueue", "sync_enqueue", "S.jobs.put(1)"),
    "GET /swallow": ("sleep", "swallow", "swallow", "asyncio.sleep(30)"),
}


@pytest.fixture(scope="module")
def starlette_reports(upstream_url):
    stuck = [("POST", "/queue-put")] * 2 + [("POST", "/sync-queue-put")] * 2 + get(
        "/queue-get", "/event-wait", "/condition-wait", "/lock", "/lock", "/sleep", "/socket-read",
        "/subprocess", "/to-thread", "/swallow",
    )
    twins = [("POST", "/ok/queue-put"), ("POST", "/ok/sync-queue-put")] + get(
        "/ok/queue-get", "/ok/event-wait", "/ok/condition-wait", "/ok/lock", "/ok/sleep", "/ok/socket-read",
        "/ok/socket-connect", "/ok/subprocess", "/ok/swallow", "/ok/block", "/ok/hello",
    )
    hole = connect_hole()
    app = starlette_app.app
    try:
        reports = run_parallel({
            "stuck": lambda: run_scenario(app, stuck, outbound="blackhole", expect_stuck=True),
            "connect": lambda: run_scenario(app, get("/socket-connect"), outbound=hole, expect_stuck=True),
            "leaks": lambda: run_scenario(app, get("/leak/task", "/leak/thread", "/leak/httpx-client"),
                                          sequential=True),
        })
        # apart: the correct twins must not see a loop starved of the GIL by the stuck scenarios' threads
        reports.update(run_parallel({
            "twins": lambda: run_scenario(app, twins, outbound="blackhole"),
            "leak_twins": lambda: run_scenario(app, get("/ok/task", "/ok/httpx-client"), sequential=True),
        }))
        # apart: a busy loop holding the GIL would delay the other loops' heartbeats
        reports.update(run_parallel({
            "block": lambda: run_scenario(app, get("/block"), sequential=True),
            "busy": lambda: run_scenario(app, get("/busy"), expect_stuck=True),
        }))
    finally:
        hole.close()
    yield reports
    starlette_app.reset()
    for client in starlette_app.KEEP:
        client._transport = None  # its loop is gone; drop it
    starlette_app.KEEP.clear()


@pytest.mark.parametrize("request_line", sorted(STARLETTE_STUCK))
def test_starlette_stuck_handler_is_named(starlette_reports, request_line):
    state, handler, func, snippet = STARLETTE_STUCK[request_line]
    scenario = "connect" if request_line == "GET /socket-connect" else "stuck"
    stuck = by_request(starlette_reports[scenario])[request_line]
    file, line = line_of(getattr(starlette_app, func), snippet)
    assert stuck.state == state, stuck.stack
    assert stuck.handler == handler and stuck.site.func == func
    assert stuck.site.line == line and os.path.samefile(stuck.site.file, file)


def test_starlette_await_chain_and_threads(starlette_reports):
    found = by_request(starlette_reports["stuck"])
    assert found["GET /event-wait"].kind == "task"
    assert "asyncio" in found["GET /event-wait"].stack  # the cr_await chain down to asyncio.Event.wait
    assert found["POST /sync-queue-put"].kind.startswith("thread")  # Starlette's thread pool
    assert found["GET /to-thread"].kind.startswith("thread")


def test_starlette_swallowed_cancellation_is_reported(starlette_reports):
    note = by_request(starlette_reports["stuck"])["GET /swallow"].note
    assert "cancellation swallowed" in note
    others = [s for s in starlette_reports["stuck"].stuck if s.request != "GET /swallow"]
    assert not any("cancel" in s.note for s in others)


def test_starlette_loop_block_names_the_sync_call(starlette_reports):
    report = starlette_reports["block"]
    (block,) = report.loop_blocks
    assert block.state == "sleep" and block.request == "GET /block"
    assert block.site.line == line_of(starlette_app.block, "time.sleep(0.4)")[1]
    assert 0.3 <= block.duration < 2.0 and not block.ongoing
    assert not report.stuck and "event loop blocked" in report.lines()[0]


def test_starlette_busy_loop_blocks_the_loop_and_is_abandoned(starlette_reports):
    report = starlette_reports["busy"]
    (stuck,) = report.stuck
    assert stuck.state == "busy loop" and stuck.handler == "spin"
    assert "blocking the event loop" in stuck.kind
    assert any(b.state == "busy loop" and b.site.func == "spin" for b in report.loop_blocks)


def test_starlette_leaks(starlette_reports):
    leaks = {(leak.request, leak.kind): leak for leak in starlette_reports["leaks"].leaks}
    assert set(leaks) == {("GET /leak/task", "task"), ("GET /leak/thread", "thread"),
                          ("GET /leak/httpx-client", "client")}
    task = leaks[("GET /leak/task", "task")]
    assert task.status == "still pending" and task.site.line == line_of(starlette_app.leak_task, "create_task(")[1]
    assert "httpx.AsyncClient" in leaks[("GET /leak/httpx-client", "client")].what


@pytest.mark.parametrize("scenario", ["twins", "leak_twins"])
def test_starlette_correct_twins_are_clean(starlette_reports, scenario):
    assert starlette_reports[scenario].ok, starlette_reports[scenario].details()


# --- BlackHole and the outbound redirect ---


def test_blackhole_silent_and_hangup():
    with BlackHole() as hole:
        sock = socket.create_connection(hole.address, timeout=2)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.settimeout(0.2)
        with pytest.raises(socket.timeout):
            sock.recv(1)
        assert hole.hangup() == 1
        sock.settimeout(2)
        assert sock.recv(1) == b""  # hung up: the reader wakes with EOF
        sock.close()


def test_blackhole_headers_then_stall():
    with BlackHole(mode="headers") as hole:
        with pytest.raises((socket.timeout, urllib.error.URLError, OSError)):
            with urllib.request.urlopen(hole.url, timeout=0.3) as resp:
                assert resp.status == 200
                resp.read()  # the body never comes


def test_blackhole_connect_mode_stalls_connect():
    with BlackHole(mode="connect") as hole:
        sock = socket.socket()
        sock.settimeout(0.3)
        with pytest.raises(OSError):
            sock.connect(hole.address)
        sock.close()


def test_outbound_redirect_only_inside_requests():
    with BlackHole() as hole:
        server = TestServer(flask_app.app, outbound=hole).start()
        try:
            server.fire("GET", "/socket-read")
            assert server.wait_requests(1, 5)
            stuck = server.wait_idle(0.3)
            assert stuck and stuck[0].state == "socket read"
            assert hole.accepted == 1  # the handler reached the hole, not the internet
            # outside a request nothing is redirected: the test talks to the server itself
            assert server.request("GET", "/ok/hello").status == 200
        finally:
            server.close(0)
        assert not hole.closed  # not ours to close
