"""Fast checks of what confirm's verdicts rest on: route discovery with filled parameters, route
mappings, a finding's lines, own timeouts, kept tasks, and close() accounting for fired requests."""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import sys
import threading

import pytest

from flake8_handler_block.harness import TestServer
from flake8_handler_block.harness.confirm import UsageError, _maps_to, _parse_route
from flake8_handler_block.harness.leaks import task_owner
from flake8_handler_block.harness.matching import finding_lines, function_of
from flake8_handler_block.harness.routes import Target, discover, handlers_for
from flake8_handler_block.harness.stacks import current_frames, thread_frames
from flake8_handler_block.harness.timeouts import own_timeout
from flake8_handler_block.harness.verdict import Finding

TESTDATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "testdata", "harness")
sys.path.insert(0, TESTDATA)


def line_of(path: str, marker: str) -> int:
    with open(os.path.join(TESTDATA, path), encoding="utf-8") as fh:
        return next(i for i, text in enumerate(fh, 1) if marker in text)


def test_flask_blueprint_routes_get_their_converters_filled() -> None:
    from flask_factory import create_app

    app = create_app()
    path = os.path.join(TESTDATA, "flask_factory", "jobs.py")
    assert discover(app, path, line_of("flask_factory/jobs.py", "BOUNDED.put(job_id)")) == (
        [Target("POST", "/jobs/1")], "flask")
    # a worker function no handler covers is reached through the handler that starts it
    assert discover(app, path, line_of("flask_factory/jobs.py", "group.done()  # defect"))[0] == [
        Target("GET", "/jobs/batch")]


def test_fastapi_parameters_come_from_type_hints() -> None:
    pytest.importorskip("fastapi")
    from fastapi_shop import app

    path = os.path.join(TESTDATA, "fastapi_shop.py")
    assert discover(app, path, line_of("fastapi_shop.py", "requests.get(UPSTREAM).text"))[0] == [
        Target("GET", "/prices/1")]  # item_id: int -> 1, not x (a 422)
    assert discover(app, path, line_of("fastapi_shop.py", "asyncio.create_task(audit(user))"))[0] == [
        Target("GET", "/audit?user=x")]  # a required query parameter
    orders = discover(app, path, line_of("fastapi_shop.py", "time.sleep(2)"))[0]
    assert orders == [Target("POST", "/orders", '{"sku": "x", "quantity": 1}')]  # a body from the model


def test_django_urlconf_is_discovered() -> None:
    pytest.importorskip("django")
    from django_site.wsgi import application

    path = os.path.join(TESTDATA, "django_site", "views.py")
    assert discover(application, path, line_of("django_site/views.py", "requests.get(UPSTREAM).text"))[0] == [
        Target("GET", "/rates/1/")]
    assert discover(application, path, line_of("django_site/views.py", "data=name).text"))[0] == [
        Target("GET", "/reports/x/")]  # a class-based view's get()
    assert discover(application, path, line_of("django_site/views.py", "session = requests.Session()"))[0] == [
        Target("POST", "/orders/")]  # require_POST
    assert [f.__name__ for f in handlers_for(application, "GET", "/rates/7/") or []] == ["rates"]
    assert handlers_for(application, "GET", "/nowhere/") == []


def test_route_options_and_mappings() -> None:
    assert _parse_route("GET /x?a=1") == ("", "GET /x?a=1")
    assert _parse_route("views.py:10-20=POST /jobs") == ("views.py:10-20", "POST /jobs")
    assert _parse_route("rates=/rates/1/") == ("rates", "GET /rates/1/")
    with pytest.raises(UsageError):
        _parse_route("rates=GET")
    views = os.path.join(TESTDATA, "django_site", "views.py")
    line = line_of("django_site/views.py", "requests.get(UPSTREAM).text")
    finding = Finding(views, line)
    assert _maps_to("rates", finding) and _maps_to("views.rates", finding)
    assert _maps_to(f"{views}:{line - 1}-{line + 1}", finding)
    assert not _maps_to("rates_twin", finding) and not _maps_to(f"{views}:{line + 1}", finding)


def test_a_finding_spans_the_statements_using_what_it_creates() -> None:
    path = os.path.join(TESTDATA, "fastapi_shop.py")
    line = line_of("fastapi_shop.py", "httpx.AsyncClient(timeout=None) as client")
    assert line + 1 in finding_lines(path, line)  # response = await client.get(UPSTREAM)
    assert line + 2 not in finding_lines(path, line)
    start, def_line = function_of(path, line) or (0, 0)
    assert start < def_line < line


def test_own_timeout_is_read_from_the_parked_socket_and_the_wait() -> None:
    left, right = socket.socketpair()
    left.settimeout(7.5)
    frames = {}

    def park(sock: socket.socket) -> None:
        frames["sock"] = sys._getframe()
        threading.Event().wait(0.0)

    park(left)
    assert own_timeout(thread_frames(frames["sock"]), None).startswith("socket timeout 7.5s (in ")
    left.settimeout(None)
    assert own_timeout(thread_frames(frames["sock"]), None) == ""
    left.close()
    right.close()


def test_a_kept_task_has_an_owner_and_a_dropped_one_none() -> None:
    async def main() -> tuple:
        kept, dropped = set(), asyncio.ensure_future(asyncio.sleep(1))
        task = asyncio.ensure_future(asyncio.sleep(1))
        kept.add(task)
        called = asyncio.ensure_future(asyncio.sleep(1))
        called.add_done_callback(lambda t: None)
        result = (task_owner(task), task_owner(dropped), task_owner(called))
        for t in (task, dropped, called):
            t.cancel()
        return result

    held, none, callback = asyncio.run(main())
    assert held == "held by a set" and none == "" and callback.startswith("done-callback")


def test_close_reports_a_fired_request_that_never_reached_a_handler() -> None:
    def app(environ, start_response):  # pragma: no cover - never reached
        start_response("200 OK", [])
        return [b"ok"]

    server = TestServer(app, deadline=0.3).start()
    front = server._front  # stop accepting, listener open: the request waits in the backlog
    front._stop.set()
    front._wake_w.send(b"x")
    front.thread.join(2.0)
    server.fire("GET", "/late", timeout=2.0)
    report = server.close(0.3)
    assert [(s.request, s.state) for s in report.stuck] == [("GET /late", "no handler call started")]


def test_close_waits_for_a_fired_request_to_reach_its_handler() -> None:
    never = threading.Event()

    def app(environ, start_response):
        never.wait(2.0)
        start_response("200 OK", [])
        return [b"ok"]

    with TestServer(app, deadline=0.5) as server:
        server.fire("GET", "/stuck")  # close() starts at once: the handler is not entered yet
    never.set()
    assert [s.request for s in server.last_report.stuck] == ["GET /stuck"]
    assert server.last_report.stuck[0].state == "event wait"


def test_what_the_warm_up_request_imports_is_nobodys_leak() -> None:
    pytest.importorskip("django")
    import django.urls
    from django_site.wsgi import application

    import django_site

    for name in ("urls", "views"):  # as if never imported (`from . import views` reads the attribute)
        sys.modules.pop(f"django_site.{name}", None)
        django_site.__dict__.pop(name, None)
    django.urls.clear_url_caches()  # the next request imports the URLconf, and views starts a thread
    server = TestServer(application, deadline=0.5).start()
    server.warm_up("GET", "/nowhere/")
    assert "django_site.views" in sys.modules
    assert server.request("POST", "/orders/twin/", b"{}", {"Cookie": "csrftoken=" + "a" * 32,
                                                           "X-CSRFToken": "a" * 32}).status == 200
    report = server.close(0.5)
    assert report.ok, report.lines()


def test_a_client_a_running_task_still_uses_is_not_left_open() -> None:
    httpx = pytest.importorskip("httpx")
    kept = set()

    async def background() -> None:
        async with httpx.AsyncClient():
            await asyncio.sleep(0.5)

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        task = asyncio.ensure_future(background())
        kept.add(task)
        task.add_done_callback(kept.discard)
        await asyncio.sleep(0.05)  # the client exists before the response
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    server = TestServer(app, deadline=0.5).start()
    assert server.request("GET", "/").status == 200
    assert server.leaks() == []
    assert server.close(1.0).leaks == []


def test_given_routes_go_only_to_the_findings_their_handler_runs() -> None:
    pytest.importorskip("django")
    from django_site.wsgi import application

    from flake8_handler_block.harness.child import choose_targets

    views = os.path.join(TESTDATA, "django_site", "views.py")
    spec = {"app": "django_site.wsgi:application", "file": views,
            "line": line_of("django_site/views.py", "OUTBOX.join()  # defect"),
            "routes": ["GET /rates/1/", "GET /flush/", "GET /reports/x/"], "mapped": []}
    assert choose_targets(application, spec) == ([Target("GET", "/flush/")], "")
    spec["routes"] = ["GET /rates/1/"]
    targets, why = choose_targets(application, spec)
    assert targets == [] and "none of the routes given (GET /rates/1/) has a handler that runs" in why
    spec["mapped"] = ["GET /anything/"]  # a mapping is taken as given
    assert choose_targets(application, spec) == ([Target("GET", "/anything/")], "")


@pytest.mark.parametrize("collecting", [True, False])
def test_current_frames_holds_the_collector_off_and_restores_it(collecting: bool, monkeypatch) -> None:
    """CPython up to 3.11 can deadlock when a collection runs inside sys._current_frames()
    (gh-106883): the harness samples with the collector off, and leaves it as it found it."""
    during = []
    real = sys._current_frames
    monkeypatch.setattr(sys, "_current_frames", lambda: during.append(gc.isenabled()) or real())
    was = gc.isenabled()
    (gc.enable if collecting else gc.disable)()
    try:
        frames = current_frames()
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()
    assert during == [False]
    assert threading.get_ident() in frames
