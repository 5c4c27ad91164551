"""pytest plugin of the runtime harness (entry point `pytest11`: handler_block).

Fixtures:
- `hb_server(app, **options)`: a factory returning an unstarted `TestServer`; every server it
  made is closed at teardown (bounded by its deadline).
- `hb_blackhole`: a `BlackHole` (accepts, never answers), closed at teardown.

Marker `@pytest.mark.hangcheck(deadline=1.0, timeout=30.0, leaks=True)`: after the test body,
close the test's servers with `deadline` (they wait for every request the test fired) and fail
the test with one line per stuck handler, event-loop block or leak; full stacks go to a
"hangcheck" report section. A handler still waiting at the deadline within a timeout of its own
(`requests.get(url, timeout=10)`) is slow, not stuck: it is noted in the section, not failed. `timeout` bounds the
test body itself: past it, clients waiting on the test's servers are hung up, and a moment
later the test is failed (SIGALRM, main thread only) - the session never hangs.

Importing this module is cheap: the harness is imported by the fixtures, when used.
"""

from __future__ import annotations

import threading
from typing import Any, Dict, List, Optional

import pytest

_MARKER_DOC = (
    "hangcheck(deadline=1.0, timeout=30.0, leaks=True): fail the test when a handler served by "
    "hb_server is left stuck, blocks the event loop, or leaks a thread, task, response, client "
    "or server; stacks in the 'hangcheck' report section"
)
_SERVERS = "_hb_servers"
_HOLES = "_hb_blackholes"
_FINDINGS = "_hb_findings"


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", _MARKER_DOC)


def _options(item: Any) -> Optional[Dict[str, Any]]:
    marker = item.get_closest_marker("hangcheck")
    if marker is None:
        return None
    opts = {"deadline": 1.0, "timeout": 30.0, "leaks": True}
    if marker.args:
        opts["deadline"] = marker.args[0]
    unknown = set(marker.kwargs) - set(opts)
    if unknown:
        raise pytest.UsageError(f"hangcheck: unknown option(s) {', '.join(sorted(unknown))}")
    opts.update(marker.kwargs)
    return opts


@pytest.fixture
def hb_server(request: Any) -> Any:
    """Factory: `hb_server(app, **options)` -> an unstarted TestServer, closed at teardown."""
    from .server import TestServer

    made: List[Any] = getattr(request.node, _SERVERS, None) or []
    setattr(request.node, _SERVERS, made)
    opts = _options(request.node)

    def factory(app: Any, **options: Any) -> TestServer:
        if opts is not None:
            options.setdefault("deadline", opts["deadline"])
        server = TestServer(app, **options)
        made.append(server)
        return server

    yield factory
    _close_all(made, None)


@pytest.fixture
def hb_blackhole(request: Any) -> Any:
    """A BlackHole (mode "silent"); use BlackHole(mode=...) for "headers" or "connect"."""
    from .blackhole import BlackHole

    hole = BlackHole()
    holes = getattr(request.node, _HOLES, None) or []
    holes.append(hole)
    setattr(request.node, _HOLES, holes)
    yield hole
    hole.close()


def _close_all(servers: List[Any], deadline: Optional[float]) -> List[Any]:
    """Close servers in parallel: the total wait is one deadline, not one per server."""
    reports: List[Any] = [None] * len(servers)

    def close(i: int, server: Any) -> None:
        reports[i] = server.close(deadline)

    threads = []
    for i, server in enumerate(servers):
        t = threading.Thread(target=close, args=(i, server), name="hb-close", daemon=True)
        t._hb_internal = True  # type: ignore[attr-defined]
        t.start()
        threads.append(t)
    for server, t in zip(servers, threads):
        t.join((deadline if deadline is not None else server.deadline) + 5.0)
    return [r for r in reports if r is not None]


class _Guard:
    """Bounds the test body: hang up the clients of the test's servers, then fail the test."""

    def __init__(self, item: Any, timeout: float) -> None:
        self.item = item
        self.timeout = timeout
        self.fired = False
        self._timer = threading.Timer(timeout, self._hang_up)
        self._timer.daemon = True
        self._timer._hb_internal = True  # type: ignore[attr-defined]
        self._alarm = False

    def start(self) -> None:
        self._timer.start()
        self._arm_alarm(self.timeout + 2.0)

    def _hang_up(self) -> None:
        self.fired = True
        for server in getattr(self.item, _SERVERS, None) or []:
            server.hangup_clients()
        for hole in getattr(self.item, _HOLES, None) or []:
            hole.hangup()

    def _arm_alarm(self, seconds: float) -> None:
        import signal

        if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
            return
        if signal.getsignal(signal.SIGALRM) not in (signal.SIG_DFL, None):
            return  # someone else (pytest-timeout) owns the alarm

        def on_alarm(signum: int, frame: Any) -> None:
            pytest.fail(f"hangcheck: test body still running {seconds:.1f}s after it started", pytrace=True)

        self._previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        self._alarm = True

    def cancel(self) -> None:
        self._timer.cancel()
        if self._alarm:
            import signal

            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)
            self._alarm = False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: Any) -> Any:
    opts = _options(item)
    if opts is None:
        yield
        return
    from . import leaks

    scope = leaks.begin_scope(item.nodeid) if opts["leaks"] else None
    guard = _Guard(item, float(opts["timeout"]))
    guard.start()
    try:
        yield
    finally:
        guard.cancel()
        _check(item, opts, scope, guard)


def _check(item: Any, opts: Dict[str, Any], scope: Any, guard: _Guard) -> None:
    from . import leaks
    from .report import Report

    report = Report()
    for rep in _close_all(getattr(item, _SERVERS, None) or [], float(opts["deadline"])):
        report.merge(rep)
    if scope is not None:
        report.leaks.extend(leaks.end_scope(scope))
    if not opts["leaks"]:
        report.leaks = []
    # past the deadline but within a timeout of its own: slow, not stuck for good
    within = [h for h in report.stuck if h.timeout]
    report.stuck = [h for h in report.stuck if not h.timeout]
    report.notes.extend(f"not a hang: {h.line()}" for h in within)
    lines = [f"hangcheck: {line}" for line in report.lines()]
    if guard.fired:
        lines.insert(0, f"hangcheck: test body exceeded timeout={opts['timeout']}s; its clients were hung up")
    setattr(item, _FINDINGS, lines)
    if lines or within:
        item.add_report_section("call", "hangcheck", report.details() or "\n".join(lines))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    outcome = yield
    rep = outcome.get_result()
    lines: List[str] = getattr(item, _FINDINGS, None) or []
    if rep.when != "call" or not lines:
        return
    text = "\n".join(lines)
    if rep.passed:
        rep.outcome = "failed"
        rep.longrepr = text
    else:
        rep.sections.append(("hangcheck findings", text))
