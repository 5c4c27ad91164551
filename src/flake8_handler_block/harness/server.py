"""TestServer: serve an app on loopback, count handlers in and out, report what is left stuck.

The Python take on Go's `httptest.NewUnstartedServer`: the socket is bound at construction (so
`.url` is known and can be handed to the app's configuration) and nothing is served until
`start()`. Handler threads are daemons and the serving loop polls, so `close(deadline)` always
returns: a handler parked where nothing will wake it is reported and abandoned, not joined.
"""

from __future__ import annotations

import http.server
import socket
import socketserver
import sys
import threading
import time
from typing import Any, Dict, List, Optional, Set, Tuple, Union

from . import leaks, patches
from . import outbound as _outbound  # noqa: F401  (registers the redirect patches)
from .asgi import AsgiFront, is_asgi_app
from .blackhole import BlackHole, LoopbackAddress
from . import client
from .client import Call
from .inflight import Entry, HandlerAbandoned, InFlight
from .report import Leak, Report, StuckHandler
from .stacks import describe, sample_threads
from .threaded import ThreadedFront

KINDS = ("wsgi", "asgi", "http.server")


def detect_kind(app: Any) -> str:
    """"http.server" for a BaseHTTPRequestHandler subclass, "asgi" for an async callable, else "wsgi"."""
    if isinstance(app, type):
        if issubclass(app, http.server.BaseHTTPRequestHandler):
            return "http.server"
        if issubclass(app, socketserver.BaseRequestHandler):
            raise TypeError("only HTTP request handlers are supported (BaseHTTPRequestHandler subclasses)")
    if is_asgi_app(app):
        return "asgi"
    if callable(app):
        return "wsgi"
    raise TypeError(f"not a WSGI app, an ASGI app or a BaseHTTPRequestHandler subclass: {app!r}")


def _tracer_forbids_async_raise() -> bool:
    """CPython 3.11 spins forever in threads that have a trace or profile function (coverage, the
    confirm probe) while an asynchronous exception waits for a thread parked in C."""
    if sys.version_info[:2] != (3, 11):
        return False
    hooks = (sys.gettrace(), sys.getprofile(), getattr(threading, "gettrace", lambda: None)(),
             getattr(threading, "getprofile", lambda: None)())
    return any(hook is not None for hook in hooks)


def _inside_logging(ident: int) -> bool:
    """The thread runs the logging module's code (waits on a handler's lock, writes a record): an
    exception raised there as the lock is taken leaves it held, and every later log call of the
    process (the next test's, Django's set-up) waits on it forever."""
    frame = sys._current_frames().get(ident)
    while frame is not None:
        if str(frame.f_globals.get("__name__", "")).split(".", 1)[0] == "logging":
            return True
        frame = frame.f_back
    return False


def _async_raise(ident: int, exc: type) -> bool:
    """Ask CPython to raise `exc` in a thread; it fires when the thread next runs Python code.
    Not in a thread inside logging: it is left to finish there (``_inside_logging``)."""
    if sys.implementation.name != "cpython" or _tracer_forbids_async_raise() or _inside_logging(ident):
        return False
    import ctypes

    set_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
    count = set_exc(ctypes.c_ulong(ident), ctypes.py_object(exc))
    if count > 1:  # never expected: undo rather than hit the wrong threads
        set_exc(ctypes.c_ulong(ident), None)
        return False
    return count == 1


# --- the server ---


class TestServer(LoopbackAddress):
    """An app served on 127.0.0.1 for tests: WSGI, ASGI, or a BaseHTTPRequestHandler subclass.

    Bound at construction (`.url` is known), serving only after `start()`. `close(deadline)`
    waits up to `deadline` seconds for handlers to finish, names the line of each one still in
    flight, frees what it can, and returns a `Report` - always.
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        app: Any,
        *,
        kind: Optional[str] = None,
        outbound: Union[str, BlackHole, None] = "passthrough",
        host: str = "127.0.0.1",
        port: int = 0,
        track_leaks: bool = True,
        leak_grace: float = 0.05,
        loop_block: float = 0.2,
        lifespan: bool = True,
        deadline: float = 1.0,
        abandon: bool = True,
    ) -> None:
        self.app = app
        self.abandon = abandon  # raise HandlerAbandoned in threads left stuck (off: leave them parked)
        self.kind = kind or detect_kind(app)
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        self.track_leaks = track_leaks
        self.leak_grace = leak_grace
        self.deadline = deadline  # default for close() and the context manager
        self.blackhole: Optional[BlackHole] = None
        self._owns_blackhole = False
        if isinstance(outbound, BlackHole):
            self.blackhole = outbound
        elif outbound == "blackhole":
            self.blackhole, self._owns_blackhole = BlackHole(), True
        elif outbound == "headers":  # answers the headers, stalls the body: unclosed responses show
            self.blackhole, self._owns_blackhole = BlackHole(mode="headers"), True
        elif outbound not in (None, "passthrough"):
            raise ValueError(
                f"outbound must be 'passthrough', 'blackhole', 'headers' or a BlackHole, not {outbound!r}"
            )
        self.outbound_address: Optional[Tuple[str, int]] = None  # set while serving in blackhole mode

        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._sock.bind((host, port))
            self._sock.listen(128)
        except OSError:
            self._sock.close()
            if self._owns_blackhole and self.blackhole is not None:
                self.blackhole.close()
            raise
        self.address: Tuple[str, int] = self._sock.getsockname()[:2]
        self._inflight = InFlight()
        self._lock = threading.Lock()
        self._close_lock = threading.Lock()
        self._finished: List[Entry] = []  # completed requests that recorded something
        self._stuck_entries: List[Entry] = []
        self._leaks: List[Leak] = []
        self._fired: List[Call] = []  # every request sent with fire()/request(): close() accounts for each
        self._entered_calls: Set[str] = set()
        self._warmup_calls: Set[str] = set()
        self._blocks_before = 0  # loop blocks seen during warm-up are not reported
        self._state = "unstarted"
        self._patched = False
        self.last_report: Optional[Report] = None
        self._front: Any
        if self.kind == "asgi":
            self._front = AsgiFront(self, app, self._sock, loop_block, lifespan)
        else:
            self._front = ThreadedFront(self, app, self.kind, self._sock)

    def __repr__(self) -> str:
        return f"<TestServer {self.kind} {self.url} {self._state}>"

    # --- lifecycle ---

    def start(self) -> "TestServer":
        with self._lock:
            if self._state == "serving":
                return self
            if self._state != "unstarted":
                raise RuntimeError("TestServer is closed")
            patches.acquire()
            self._patched = True
            try:
                self._front.start()
            except BaseException:
                patches.release()
                self._patched = False
                raise
            if self.blackhole is not None:
                self.outbound_address = self.blackhole.address
            self._state = "serving"
        return self

    @property
    def started(self) -> bool:
        return self._state != "unstarted"

    def __enter__(self) -> "TestServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close(self.deadline)

    # --- counting (called by the fronts) ---

    def _enter(self, request: str, *, thread_ident: Optional[int] = None, task: Any = None,
               conn: Any = None, call_id: Optional[str] = None) -> Entry:
        patches.refresh()
        entry = Entry(request, owner=self)
        entry.thread_ident, entry.task, entry.conn = thread_ident, task, conn
        if call_id is not None:
            entry.call_id = call_id
            with self._lock:
                self._entered_calls.add(call_id)
                entry.warmup = call_id in self._warmup_calls
        return self._inflight.add(entry)

    def _leave(self, entry: Entry, settle: bool = False) -> None:
        if entry.abandoned:
            return
        if not entry.was_stuck and self.track_leaks and not entry.warmup:
            if settle and entry.threads:
                leaks.settle_threads(entry, self.leak_grace)
            found = leaks.evaluate(leaks.records_of(entry))
            with self._lock:
                self._leaks.extend(found)
                if leaks.records_of(entry):
                    self._finished.append(entry)
        self._inflight.done(entry)

    # --- observing ---

    def wait_requests(self, count: int, timeout: float) -> bool:
        """Wait until `count` handler calls have started (requests fired from other threads)."""
        return self._inflight.wait_entered(count, timeout)

    @property
    def in_flight(self) -> int:
        return len(self._inflight)

    @property
    def requests(self) -> int:
        return self._inflight.entered

    def wait_idle(self, timeout: float) -> List[StuckHandler]:
        """Wait up to `timeout` for every handler to finish; describe those still in flight."""
        entries = self._inflight.wait_idle(timeout)
        return [desc for _, desc in self._describe(entries)] if entries else []

    def leaks(self) -> List[Leak]:
        """Leaks found so far (each request is checked when it finishes)."""
        with self._lock:
            return list(self._leaks)

    def loop_blocks(self) -> list:
        return self._front.loop_blocks()[self._blocks_before:]

    def _describe(self, entries: List[Entry]) -> List[Tuple[Entry, StuckHandler]]:
        by_thread = [e for e in entries if e.task is None and e.thread_ident is not None]
        samples = sample_threads([e.thread_ident for e in by_thread])  # type: ignore[misc]
        out: List[Tuple[Entry, StuckHandler]] = []
        for entry in by_thread:
            sample = samples.get(entry.thread_ident)  # type: ignore[arg-type]
            if sample is None:
                continue  # finished while we looked
            where = describe(sample.frames, sample.moving)
            out.append((entry, StuckHandler(
                handler=where.handler, request=entry.request, elapsed=entry.elapsed(),
                state=where.state, site=where.site, stack=where.stack, kind="thread",
                timeout=where.timeout,
            )))
        tasks = [e for e in entries if e.task is not None]
        out.extend(zip(tasks, self._front.describe(tasks)))
        return out

    # --- requests (a convenience for tests and confirm) ---

    def fire(self, method: str = "GET", path: str = "/", body: Optional[bytes] = None,
             headers: Optional[Dict[str, str]] = None, timeout: float = 30.0) -> Call:
        """Send a request from a harness thread and return at once; `Call.wait()` to collect it.

        close() accounts for every call fired: it waits for those not yet inside a handler too,
        and reports any that never reached one.
        """
        call = client.fire(self.address, method, path, body, headers, timeout)
        with self._lock:
            self._fired.append(call)
        return call

    def request(self, method: str = "GET", path: str = "/", body: Optional[bytes] = None,
                headers: Optional[Dict[str, str]] = None, timeout: float = 5.0) -> Call:
        """Send a request and wait for it at most `timeout` seconds (a stuck one stays pending)."""
        call = self.fire(method, path, body, headers, timeout)
        call.wait(timeout + 0.5)
        return call

    def warm_up(self, method: str = "GET", path: str = "/", timeout: float = 10.0) -> Call:
        """Send one request whose leaks and loop blocks are not reported, and wait for it.

        Frameworks import views, build URL resolvers and fill caches on the first request
        (Django imports the URLconf then): measured requests that follow are not blamed for it.
        """
        call = Call(method, path)
        with self._lock:  # noted before it is sent: the server may enter it at once
            self._warmup_calls.add(call.id)
        client.fire(self.address, method, path, None, None, timeout, call=call)
        call.wait(timeout + 0.5)
        self._inflight.wait_idle(min(timeout, 1.0))
        self._blocks_before = len(self._front.loop_blocks())
        return call

    # --- closing ---

    def close(self, deadline: Optional[float] = None) -> Report:
        """Wait up to `deadline` seconds for handlers, report what is stuck or leaked, free all.

        Always returns: stuck handlers are described, then freed where possible (BlackHole
        hang-up, inbound connection shut, task cancelled, subprocess killed); a thread parked
        where nothing wakes it is abandoned on its daemon thread.
        """
        deadline = self.deadline if deadline is None else deadline
        if not self._close_lock.acquire(timeout=deadline + 10.0):
            return Report(url=self.url, notes=["close() already in progress in another thread"])
        try:
            if self.last_report is not None:
                return self.last_report
            self.last_report = self._close(deadline)
            return self.last_report
        finally:
            self._close_lock.release()

    def _close(self, deadline: float) -> Report:
        report = Report(url=self.url)
        with self._lock:
            state, self._state = self._state, "closed"
        if state == "unstarted":
            self._sock.close()
            self._close_blackhole()
            return report
        end = time.monotonic() + deadline
        self._await_fired(end)
        entries = self._inflight.wait_idle(max(0.0, end - time.monotonic()))
        pairs = self._describe(entries)
        report.stuck = [desc for _, desc in pairs] + self._unreached()
        self._stuck_entries = entries
        for entry in entries:
            entry.was_stuck = True
        if entries:
            report.notes.extend(self._free(entries, pairs))
        report.notes.extend(self._front.stop(timeout=1.0))
        self._join_handler_threads(0.5)
        report.loop_blocks = self.loop_blocks()
        if self.track_leaks:
            with self._lock:
                finished = list(self._finished)
            late = leaks.final_sweep(finished)
            with self._lock:
                self._leaks.extend(late)
                report.leaks = list(self._leaks)
        for proc in leaks.running_processes([*self._finished, *entries]):
            try:
                proc.kill()  # started by a request, outlived it: do not outlive the test too
            except OSError:
                pass
        report.requests = self._inflight.entered
        self._close_blackhole()
        if self._patched:
            self._patched = False
            patches.release()
        self._sock.close()
        return report

    def _pending_calls(self) -> List[Call]:
        """Fired calls with no answer yet and no handler call started for them."""
        with self._lock:
            return [c for c in self._fired if not c.done and c.id not in self._entered_calls]

    def _await_fired(self, end: float) -> None:
        """Until `end`: wait for every fired call to be answered or to be inside its handler."""
        while self._pending_calls():
            remaining = end - time.monotonic()
            if remaining <= 0:
                return
            self._inflight.wait_entered(self._inflight.entered + 1, min(remaining, 0.02))

    def _unreached(self) -> List[StuckHandler]:
        now = time.monotonic()
        return [
            StuckHandler(
                handler="?", request=f"{c.method} {c.path}", elapsed=now - c.sent,
                state="no handler call started", site=None, stack="", kind="request",
                note="sent, but the server never called the app for it before the deadline",
            )
            for c in self._pending_calls()
        ]

    def _close_blackhole(self) -> None:
        if self.blackhole is not None:
            if self._owns_blackhole:
                self.blackhole.close()
            self.outbound_address = None

    def _free(self, entries: List[Entry], pairs: List[Tuple[Entry, StuckHandler]]) -> List[str]:
        """Wake what can be woken; abandon the rest on their daemon threads."""
        notes: List[str] = []
        if any(e.task is not None for e in entries):
            self._front.free(entries)  # cancel stuck tasks first: the cleanest way out
            self._inflight.wait_idle(0.1)
        if self.blackhole is not None:
            self.blackhole.hangup()
        for proc in leaks.running_processes(entries):
            try:
                proc.kill()
            except OSError:
                pass
        abandoned = 0
        loop_blocked = False
        if self.kind == "asgi" and self._front.watchdog is not None and self._front.watchdog.blocked_now():
            # a sync call holds the loop: nothing else can run until it raises
            loop_blocked = True
            thread = self._front.thread
            if self.abandon and thread is not None and _async_raise(thread.ident, HandlerAbandoned):
                abandoned += 1
        still = self._inflight.wait_idle(0.3)
        for entry, desc in pairs:
            if entry.task is not None:
                if entry.swallowed_cancel:
                    desc.note = "cancellation swallowed: handler returned normally after cancel()"
                elif entry in still and not loop_blocked:
                    desc.note = "ignored cancellation: still running after cancel()"
        for entry in entries:
            self._shut_conn(entry)
        for entry in still:
            entry.abandoned = True
            idents = [entry.thread_ident] if entry.task is None else list(entry.workers)
            for ident in idents:
                if self.abandon and ident is not None and _async_raise(ident, HandlerAbandoned):
                    abandoned += 1
            self._release_conn(entry)
        if abandoned:
            notes.append(
                f"{abandoned} handler thread(s) abandoned: parked where nothing wakes them "
                "(they raise HandlerAbandoned if they ever wake)"
            )
        return notes

    def _shut_conn(self, entry: Entry) -> None:
        conn = entry.conn
        if isinstance(conn, socket.socket) and conn.fileno() != -1:
            try:
                conn.shutdown(socket.SHUT_RDWR)  # the client stops waiting
            except OSError:
                pass
        elif conn is not None and hasattr(conn, "transport"):
            try:
                self._front.loop.call_soon_threadsafe(conn.transport.abort)
            except (AttributeError, RuntimeError):
                pass

    def hangup_clients(self) -> int:
        """Shut the connections of requests in flight: clients waiting on them get EOF at once.

        The handlers stay in flight (and are reported by close()); only the callers are freed.
        """
        entries = self._inflight.snapshot()
        for entry in entries:
            self._shut_conn(entry)
        return len(entries)

    @staticmethod
    def _release_conn(entry: Entry) -> None:
        """Free the file descriptor of a stuck handler's connection without waiting for it."""
        conn = entry.conn
        if not isinstance(conn, socket.socket) or conn.fileno() == -1:
            return
        try:
            fd = conn.detach()  # the handler's socket object now fails with EBADF, harmlessly
            socket.socket(fileno=fd).close()
        except OSError:
            pass

    def _join_handler_threads(self, budget: float) -> None:
        threads: List[threading.Thread] = getattr(self._front, "handler_threads", lambda: [])()
        end = time.monotonic() + budget
        abandoned = {e.thread_ident for e in self._stuck_entries if e.abandoned}
        for thread in threads:
            remaining = end - time.monotonic()
            if remaining <= 0:
                break
            if thread.ident not in abandoned and thread.is_alive():
                thread.join(remaining)


__all__ = ["TestServer", "HandlerAbandoned", "Call", "detect_kind", "KINDS"]
