"""What a request (or a test) started or opened and left behind.

Tracked by construction site, because the interpreter does not tell: `urlopen()` never closed
emits no ResourceWarning on CPython 3.10+, and threads started inside a server's daemon handler
threads are daemons themselves (a leak check that skips daemon threads misses them). So:

- `threading.Thread.start` records the user line that started a thread;
- asyncio tasks are recorded by the harness loop's task factory;
- HTTP responses and clients (http.client, urllib3, requests, httpx), executors, subprocesses
  and socketservers are recorded at construction, marked closed by their close methods, and
  watched with a weak reference so that one collected while still open is reported too.

Only objects created while a request (or a pytest test scope) is current are recorded; objects
the harness creates for itself carry `_hb_internal`.
"""

from __future__ import annotations

import collections
import functools
import gc
import sys
import threading
import time
import weakref
from typing import Any, Callable, Iterable, List, Optional, Sequence, Tuple, Union

from . import patches
from .inflight import Entry, current_entry
from .report import Leak, Site
from .stacks import LazyStack, is_user_file, user_site_of_caller

Stack = Union[LazyStack, str]  # formatted only when reported

_scopes: List[Entry] = []  # test scopes (pytest hangcheck): record outside requests too
_scopes_lock = threading.Lock()


def _targets() -> List[Entry]:
    entry = current_entry.get()
    if entry is not None:
        owner = entry.owner
        return [entry] if owner is None or getattr(owner, "track_leaks", True) else []
    return list(_scopes)


# --- records ---


class ThreadRecord:
    kind = "thread"

    def __init__(self, thread: threading.Thread, site: Site, stack: Stack, request: str) -> None:
        self.ref = weakref.ref(thread)
        self.name = thread.name
        self.daemon = thread.daemon
        self.site, self.stack, self.request = site, stack, request
        created = getattr(thread, "_hb_created_at", None)
        self.also = [created] if created is not None and created != site else []
        self.reported = False

    @property
    def what(self) -> str:
        return f"thread '{self.name}' ({'daemon' if self.daemon else 'non-daemon'})"

    def thread(self) -> Optional[threading.Thread]:
        return self.ref()

    def status(self) -> Optional[str]:
        thread = self.ref()
        return "still running" if thread is not None and thread.is_alive() else None


class TaskRecord:
    kind = "task"

    def __init__(self, task: Any, site: Site, stack: Stack, request: str) -> None:
        self.task = task
        self.also: List[Site] = []
        coro = getattr(task, "get_coro", lambda: None)()
        name = getattr(coro, "__qualname__", None) or type(coro).__name__
        self.what_text = f"asyncio task {task.get_name()!r} ({name})"
        self.site, self.stack, self.request = site, stack, request
        self.reported = False

    @property
    def what(self) -> str:
        return self.what_text

    def status(self) -> Optional[str]:
        if self.task.done() or task_owner(self.task, self):
            return None  # finished, or kept: awaited, given a done-callback, held by a container
        return "still pending"


def task_owner(task: Any, record: Any = None) -> str:
    """What keeps a pending task: a done-callback (also an awaiting task's), or a container.

    A task kept in a set with `add_done_callback(BACKGROUND.discard)` - HB502's own advice - is
    background work someone owns, not a dropped task.
    """
    callbacks = getattr(task, "_callbacks", None) or []
    if callbacks:
        first = callbacks[0][0] if isinstance(callbacks[0], tuple) else callbacks[0]
        return f"done-callback {getattr(first, '__qualname__', type(first).__name__)}"
    skip = {id(record), id(getattr(record, "__dict__", None))}
    for ref in gc.get_referrers(task):
        if id(ref) in skip:
            continue
        if isinstance(ref, (set, list, dict, collections.deque)):
            return f"held by a {type(ref).__name__}"
    return ""


class Resource:
    """A response, client, executor, process or server created during a request or test."""

    def __init__(
        self, spec: "_Spec", obj: Any, site: Site, stack: Stack, request: str
    ) -> None:
        self.kind, self.what, self.spec = spec.kind, spec.what, spec
        self.site, self.stack, self.request = site, stack, request
        self.opened = not spec.opens
        self.closed = False
        self.finalizing = False  # close() called by the finalizer is not the user closing it
        self.also: List[Site] = []  # e.g. where a server's serve_forever() was started
        self.collected_open = False
        self.reported = False
        self.strong = obj if spec.strong else None  # processes: keep them to kill at close
        self.ref = weakref.ref(obj, self._collected)
        # a background task or thread still using it (an `async with` client in a running task)
        self.user: Any = None

    def _collected(self, _ref: Any) -> None:
        if self.opened and not self.closed and not self.spec.finalizer:
            self.collected_open = True

    def obj(self) -> Any:
        return self.ref()

    def in_use(self) -> bool:
        user = self.user
        if user is None:
            return False
        if isinstance(user, threading.Thread):
            return user.is_alive()
        return not user.done()

    def status(self) -> Optional[str]:
        if self.closed or self.in_use():
            return None
        obj = self.ref()
        if obj is None:
            return "collected while open" if self.collected_open else None
        if not self.opened:
            return None
        try:
            return self.spec.state(obj)
        except Exception:
            return None


Record = Any  # ThreadRecord | TaskRecord | Resource


def _leak(rec: Record) -> Leak:
    return Leak(
        kind=rec.kind, what=rec.what, status=rec.status() or "", request=rec.request,
        site=rec.site, stack=str(rec.stack), also=list(rec.also),
    )


def evaluate(records: Iterable[Record]) -> List[Leak]:
    """Leaks among records not reported yet (each record is reported at most once)."""
    found: List[Leak] = []
    for rec in list(records):
        if rec.reported:
            continue
        status = rec.status()
        if status:
            rec.reported = True
            leak = _leak(rec)
            leak.status = status
            found.append(leak)
    return found


def records_of(entry: Entry) -> List[Record]:
    return [*entry.threads, *entry.tasks, *entry.resources]


def settle_threads(entry: Entry, grace: float) -> None:
    """Give threads a request started a short grace to finish (those about to return)."""
    deadline = time.monotonic() + grace
    for rec in list(entry.threads):
        thread = rec.thread()
        remaining = deadline - time.monotonic()
        if thread is None or remaining <= 0:
            continue
        if thread is not threading.current_thread() and thread.is_alive():
            thread.join(remaining)


def pending(entry: Entry) -> bool:
    return any(rec.status() for rec in [*entry.threads, *entry.tasks])


def final_sweep(entries: Sequence[Entry]) -> List[Leak]:
    """At close: report what is still open. (No gc.collect(): an open object in a reference
    cycle is a leak whether it is reported "left open" or "collected while open".)"""
    found: List[Leak] = []
    for entry in entries:
        found.extend(evaluate(records_of(entry)))
    return found


def running_processes(entries: Sequence[Entry]) -> List[Any]:
    procs = []
    for entry in entries:
        for rec in entry.resources:
            if rec.kind == "process" and rec.strong is not None and rec.strong.poll() is None:
                procs.append(rec.strong)
    return procs


# --- test scopes (pytest) ---


def begin_scope(name: str = "test") -> Entry:
    scope = Entry(name)
    patches.acquire()
    with _scopes_lock:
        _scopes.append(scope)
    return scope


def end_scope(scope: Entry, grace: float = 0.2) -> List[Leak]:
    with _scopes_lock:
        if scope in _scopes:
            _scopes.remove(scope)
    try:
        settle_threads(scope, grace)
        leaks = final_sweep([scope])
    finally:
        patches.release()
    for leak in leaks:
        leak.request = ""
    return leaks


# --- instrumentation ---


def _is_pool_worker(thread: threading.Thread) -> bool:
    """Worker threads of pools: reported through their executor, or owned by a framework."""
    target = getattr(thread, "_target", None)
    if getattr(target, "__module__", "") == "concurrent.futures.thread":
        return True
    return type(thread).__module__.split(".")[0] in ("anyio", "concurrent")


def _install_threads(p: patches.Patcher) -> None:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def start(self: threading.Thread) -> None:
            if not getattr(self, "_hb_internal", False) and (current_entry.get() or _scopes):
                targets = _targets()
                if targets and not _is_pool_worker(self):
                    site, stack = user_site_of_caller(1)
                    if site is not None:  # started by framework internals only: not the user's
                        self._hb_started_at = site  # type: ignore[attr-defined]
                        for t in targets:
                            t.threads.append(ThreadRecord(self, site, stack, t.request))
            return original(self)

        return start

    def make_init(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def __init__(self: threading.Thread, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            if current_entry.get() or _scopes:
                site, _ = user_site_of_caller(1)
                if site is not None:
                    self._hb_created_at = site  # type: ignore[attr-defined]

        return __init__

    p.wrap(threading.Thread, "start", make)
    p.wrap(threading.Thread, "__init__", make_init)


def task_factory(loop: Any, coro: Any, **kwargs: Any) -> Any:
    """Task factory of the harness loop: records where each request task was created."""
    import asyncio

    task = asyncio.Task(coro, loop=loop, **kwargs)
    entry = current_entry.get()
    if entry is not None and entry.task is not None and patches.active():
        site, stack = user_site_of_caller(1)
        if site is not None:
            for t in _targets():
                t.tasks.append(TaskRecord(task, site, stack, t.request))
    return task


class _Spec:
    def __init__(
        self,
        module: str,
        cls: str,
        kind: str,
        what: str,
        close: Tuple[str, ...],
        state: Callable[[Any], Optional[str]],
        opens: Tuple[str, ...] = (),
        caller: str = "any",  # "user": only objects user code constructs itself; "library"
        strong: bool = False,
        finalizer: bool = False,  # io objects: the finalizer calls close(), which must not count
        also: Tuple[str, ...] = (),  # subclasses that override the close methods
    ) -> None:
        self.module, self.cls, self.kind, self.what = module, cls, kind, what
        self.close, self.state, self.opens = close, state, opens
        self.caller, self.strong = caller, strong
        self.finalizer, self.also = finalizer, also


def _open_if(cond: Callable[[Any], bool], text: str = "left open") -> Callable[[Any], Optional[str]]:
    return lambda obj: text if cond(obj) else None


def _server_state(obj: Any) -> Optional[str]:
    rec = obj.__dict__.get("_hb_resource")
    if rec is not None and getattr(rec, "serving", False):
        return "still serving"
    sock = getattr(obj, "socket", None)
    if sock is not None and sock.fileno() != -1:
        return "left open: server_close() not called"
    return None


_SPECS: Tuple[_Spec, ...] = (
    _Spec("http.client", "HTTPResponse", "response", "http.client.HTTPResponse",
          ("close", "_close_conn"), _open_if(lambda o: not o.isclosed()), finalizer=True),
    _Spec("urllib3.response", "HTTPResponse", "response", "urllib3.HTTPResponse",
          ("close", "release_conn", "drain_conn"), _open_if(lambda o: not o.closed), finalizer=True),
    _Spec("http.client", "HTTPConnection", "client", "http.client.HTTPConnection",
          ("close",), _open_if(lambda o: o.sock is not None), opens=("connect",), caller="user"),
    _Spec("requests.sessions", "Session", "client", "requests.Session", ("close",),
          _open_if(lambda o: True)),
    _Spec("urllib3.poolmanager", "PoolManager", "client", "urllib3.PoolManager", ("clear",),
          _open_if(lambda o: bool(o.pools)), caller="user"),
    _Spec("httpx", "Client", "client", "httpx.Client", ("close", "__exit__"),
          _open_if(lambda o: not o.is_closed)),
    _Spec("httpx", "AsyncClient", "client", "httpx.AsyncClient", ("aclose", "__aexit__"),
          _open_if(lambda o: not o.is_closed)),
    _Spec("httpx", "Response", "response", "httpx.Response", ("close", "aclose"),
          _open_if(lambda o: not o.is_closed), caller="library"),
    _Spec("concurrent.futures", "ThreadPoolExecutor", "executor", "ThreadPoolExecutor",
          ("shutdown",), _open_if(lambda o: not o._shutdown, "left open: shutdown() not called"),
          caller="user"),  # not asyncio's default executor
    _Spec("subprocess", "Popen", "process", "subprocess", (),
          _open_if(lambda o: o.poll() is None, "still running"), strong=True),
    _Spec("socketserver", "BaseServer", "server", "server", ("server_close",), _server_state,
          opens=("serve_forever",), also=("TCPServer",)),
)


def _resolve(module: str, dotted: str) -> Any:
    obj: Any = sys.modules[module]
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def _install_spec(spec: _Spec) -> Callable[[patches.Patcher], None]:
    def install(p: patches.Patcher) -> None:
        cls = _resolve(spec.module, spec.cls)

        def make_init(original: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(original)
            def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
                original(self, *args, **kwargs)
                if getattr(self, "_hb_internal", False) or not (current_entry.get() or _scopes):
                    return
                if type(self).__init__ is not cls.__init__ and "_hb_resource" in self.__dict__:
                    return  # a subclass calling super().__init__ twice
                if spec.caller != "any":
                    caller = sys._getframe(1)
                    if caller.f_code.co_name == "__init__" and "self" in caller.f_code.co_varnames:
                        caller = caller.f_back or caller  # a subclass: look at who built it
                    if is_user_file(caller.f_code.co_filename) != (spec.caller == "user"):
                        return
                targets = _targets()
                if not targets:
                    return
                site, stack = user_site_of_caller(1)
                if site is None:
                    return
                rec = Resource(spec, self, site, stack, targets[0].request)
                rec.user = _background_user(targets[0])
                try:
                    self.__dict__["_hb_resource"] = rec
                except (AttributeError, TypeError):
                    return
                for t in targets:
                    t.resources.append(rec)

            return __init__

        def make_close(original: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(original)
            def close(self: Any, *args: Any, **kwargs: Any) -> Any:
                rec = getattr(self, "__dict__", {}).get("_hb_resource")
                if rec is not None and not rec.finalizing:
                    rec.closed = True
                return original(self, *args, **kwargs)

            return close

        def make_del(original: Callable[..., Any]) -> Callable[..., Any]:
            def __del__(self: Any) -> None:
                # judge the object while it still exists; the close() the finalizer makes
                # next (and the ones it makes on what it wraps) are not the user's
                rec = getattr(self, "__dict__", {}).get("_hb_resource")
                if rec is not None and not rec.closed:
                    try:
                        still_open = spec.state(self) is not None
                    except Exception:
                        still_open = False
                    rec.collected_open = still_open
                    rec.closed = not still_open
                    rec.finalizing = True
                original(self)

            return __del__

        def make_open(original: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(original)
            def opener(self: Any, *args: Any, **kwargs: Any) -> Any:
                rec = getattr(self, "__dict__", {}).get("_hb_resource")
                if rec is None:
                    return original(self, *args, **kwargs)
                rec.opened = True
                rec.serving = True
                if spec.kind == "server":  # where serving started: the caller, or its thread's start()
                    site, _ = user_site_of_caller(1)
                    site = site or getattr(threading.current_thread(), "_hb_started_at", None)
                    if site is not None and site != rec.site:
                        rec.also.append(site)
                try:
                    return original(self, *args, **kwargs)
                finally:
                    if spec.kind == "server":
                        rec.serving = False

            return opener

        p.wrap(cls, "__init__", make_init)
        for owner in (cls, *(_resolve(spec.module, extra) for extra in spec.also)):
            for name in spec.close:
                if name in owner.__dict__ or (owner is cls and hasattr(cls, name)):
                    p.wrap(owner, name, make_close)
        for name in spec.opens:
            p.wrap(cls, name, make_open)
        if spec.finalizer:
            p.wrap(cls, "__del__", make_del)

    return install


def _background_user(entry: Entry) -> Any:
    """The task or request-started thread creating something, when it is not the handler itself."""
    thread = threading.current_thread()
    if getattr(thread, "_hb_started_at", None) is not None:
        return thread  # a thread a request started
    loop_module = sys.modules.get("asyncio")
    if loop_module is None or loop_module._get_running_loop() is None:
        return None
    task = loop_module.current_task()
    if task is None or task is entry.task:
        return None
    return task


def _install_to_thread(module: str, attr: str) -> Callable[[patches.Patcher], None]:
    """Remember which worker thread runs sync code for a request (Starlette's threadpool)."""

    def install(p: patches.Patcher) -> None:
        def make(original: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(original)
            async def run_sync(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
                entry = current_entry.get()
                if entry is not None:
                    func = _attributed(func, entry)
                return await original(func, *args, **kwargs)

            return run_sync

        p.wrap(sys.modules[module], attr, make)

    return install


def _attributed(func: Callable[..., Any], entry: Entry) -> Callable[..., Any]:
    @functools.wraps(func)
    def run_for_request(*args: Any, **kwargs: Any) -> Any:
        ident = threading.get_ident()
        entry.workers.add(ident)
        try:
            return func(*args, **kwargs)
        finally:
            entry.workers.discard(ident)

    return run_for_request


patches.register("", _install_threads)
for _spec in _SPECS:
    patches.register(_spec.module, _install_spec(_spec))
patches.register("anyio.to_thread", _install_to_thread("anyio.to_thread", "run_sync"))
patches.register("asyncio", _install_to_thread("asyncio", "to_thread"))
